"""The access log: who read or changed what, for the node's own office to read.

Every request whose caller was identified (an API key or a person signed in) leaves
one row: the person or key, the organisation and role, the method, the route's
template, the record it named (its path parameters), the status answered and the
time. Never a body or a query string: the log must not become a copy of the
personal data it watches over. Public requests (the status of a mark, the public
verification page) name nobody and are not logged.
"""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ipfed.nodes.accounts.models import AccessRecord
from ipfed.nodes.database.core import error_text, transaction

log = logging.getLogger(__name__)


class AccessLog:
    """ASGI middleware: one access record per identified request, written once the
    answer is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            caller = scope.get("state", {}).get("caller")
            if caller is not None:
                record = _record(scope, caller, status)
                try:
                    await asyncio.to_thread(_write, scope["app"].state.sessions, record)
                except Exception as exc:  # the answer is sent: a lost row must not fail it
                    log.error("access record not written: %s", error_text(exc))


def _record(scope: Scope, caller: Any, status: int) -> AccessRecord:
    route: BaseRoute | None = scope.get("route")
    params = scope.get("path_params") or {}
    named = "&".join(f"{name}={value}" for name, value in params.items())
    return AccessRecord(
        account_id=caller.person.id if caller.person else None,
        key_prefix=caller.key_prefix or None,
        org=caller.org[:300],
        role=str(caller.role),
        method=scope["method"][:8],
        route=str(getattr(route, "path", scope["path"]))[:300],
        record_id=named[:300] or None,
        status=status,
    )


def _write(sessions: Any, record: AccessRecord) -> None:
    with transaction(sessions) as db:
        db.add(record)


def access_page(
    *, db: Session, after: str | None, limit: int, org: str | None = None
) -> Sequence[AccessRecord]:
    """The newest records first, from just before the cursor ``after``."""
    query = select(AccessRecord).order_by(AccessRecord.id.desc()).limit(limit)
    if after:
        query = query.where(AccessRecord.id < after)
    if org:
        query = query.where(AccessRecord.org == org)
    return db.scalars(query).all()
