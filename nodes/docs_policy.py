"""The API docs' pages may load nothing from another host: ReDoc's sidebar asks a
CDN for its logo, which a government intranet cannot reach and should not be asked."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_PAGES = frozenset({"/docs", "/redoc"})
POLICY = "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'"


class DocsPolicy:
    """A Content-Security-Policy on the docs pages (their scripts stay as they are)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in DOCS_PAGES:
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Content-Security-Policy"] = POLICY
            await send(message)

        await self.app(scope, receive, send_with_policy)
