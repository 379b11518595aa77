"""Request body limits, enforced before a body is read and before any authentication.

Every route takes bodies up to :data:`DEFAULT_MAX_BODY` bytes; a route that takes
uploads declares more with ``openapi_extra=max_body(size)``, which also shows the
limit in the OpenAPI document as ``x-max-body-bytes``. :class:`BodyLimit` answers
413 to a declared Content-Length over the limit before reading a byte, and counts
a chunked body as it streams, cutting it off at the limit: a node never holds more
than the limit of any request's body, whoever sends it. What the client sends after
the 413, the server reads and drops as it arrives, so the client gets its answer.
"""

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY = 1 << 20
MAX_BODY_KEY = "x-max-body-bytes"


def max_body(size: int) -> dict[str, Any]:
    """A route's ``openapi_extra`` that lets it take bodies of up to ``size`` bytes."""
    return {MAX_BODY_KEY: size}


class BodyTooLarge(Exception):
    """Raised into the app when a streamed body passes its route's limit."""


class BodyLimit:
    """ASGI middleware: bodies over their route's limit are refused with 413.

    The limit is known once the router has chosen the route, which is before the app
    first asks for the body and so before any dependency (the API key's among them)
    runs: the check sits there, in ``receive``. A route that takes no body never asks
    for one, and none is read.
    """

    def __init__(self, app: ASGIApp, default: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        length = int(declared) if declared.isdigit() else None
        limit: int | None = None
        received = 0
        cut_off = answered = False

        async def counted() -> Message:
            nonlocal limit, received, cut_off
            if limit is None:
                limit = self._limit(scope)
                if length is not None and length > limit:
                    cut_off = True
                    raise BodyTooLarge(f"{length} bytes declared")
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut_off = True
                    raise BodyTooLarge(f"more than {limit} bytes")
            return message

        async def answer(message: Message) -> None:
            nonlocal answered
            if cut_off:
                return  # the app's answer to its failed read; the 413 replaces it
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, answer)
        except Exception:
            if not cut_off:
                raise
        if cut_off and not answered:
            await _refuse(send, limit or self.default)

    def _limit(self, scope: Scope) -> int:
        """The limit the route chosen declares, else the default."""
        extra = getattr(scope.get("route"), "openapi_extra", None) or {}
        return int(extra.get(MAX_BODY_KEY, self.default))


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {"error": "payload_too_large", "detail": f"the request body exceeds {limit:,} bytes"}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
