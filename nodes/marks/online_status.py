"""The online status of a mark, the one answer platforms ask for at volume: kept for a
second per mark, and given before routing by a small ASGI fast path.

The kept answers belong to the app that serves them (``app.state.mark_statuses``):
two apps in one process, two nodes' databases, never answer from each other's.
"""

import re
import time

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from ipfed.nodes.http import ULID_PATTERN
from ipfed.nodes.marks.models import Mark
from ipfed.nodes.marks.schemas import MarkStatusOut

ULID = re.compile(ULID_PATTERN)
STATUS_QUERY = select(
    Mark.id, Mark.status, Mark.status_reason, Mark.status_changed_at, Mark.valid_until
).where(Mark.id == bindparam("mark_id"))
STATUS_FRESH_SECONDS = 1.0  # an answer may be this old: platforms poll hot marks hard
MAX_KEPT = 100_000


class StatusAnswers:
    """The JSON status answers of one app's marks, each kept for a second."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[float, bytes]] = {}

    def answer(self, sessions: sessionmaker[Session], mark_id: str) -> bytes | None:
        """The JSON of a mark's status (at most a second old), or None for no such mark."""
        now = time.monotonic()
        kept = self._kept.get(mark_id)
        if kept is None or kept[0] < now:
            with sessions() as db:
                row = db.execute(STATUS_QUERY, {"mark_id": mark_id}).first()
            if row is None:
                return None
            answer = MarkStatusOut(
                mark_id=row.id,
                status=row.status,
                reason=row.status_reason,
                changed_at=row.status_changed_at,
                valid_until=row.valid_until,
            )
            if len(self._kept) > MAX_KEPT:
                self._kept.clear()
            kept = (now + STATUS_FRESH_SECONDS, answer.model_dump_json().encode())
            self._kept[mark_id] = kept
        return kept[1]


class StatusFastPath:
    """ASGI middleware answering ``GET /marks/{id}/status`` for known marks without the
    framework's routing and dependencies, which cost more than the answer itself: the
    one route platforms call at volume. Anything else goes on to the app.

    (It blocks the event loop for the tens of microseconds of an indexed read.)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope.get("method") == "GET" and path.startswith("/marks/") and path.endswith("/status"):
            mark_id = path[len("/marks/") : -len("/status")]
            if ULID.fullmatch(mark_id):
                state = scope["app"].state
                answer = state.mark_statuses.answer(state.sessions, mark_id)
                if answer is not None:
                    headers = [(b"content-type", b"application/json")]
                    await send({"type": "http.response.start", "status": 200, "headers": headers})
                    await send({"type": "http.response.body", "body": answer})
                    return
        await self.app(scope, receive, send)
