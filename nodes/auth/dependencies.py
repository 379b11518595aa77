"""FastAPI dependencies that authenticate the caller and check its role."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from ipfed.ledger.identity import OFFICES as OFFICES  # who may read what is declared here
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import authenticate
from ipfed.nodes.errors import Forbidden, Unauthenticated

# Who may read what. The register is public information; participants and
# listings carry personal data, so only offices and enforcement see them.
EVERYONE = frozenset(Role)
OFFICES_AND_ENFORCEMENT = OFFICES | {Role.ENFORCEMENT}


@dataclass(frozen=True)
class Caller:
    org: str
    role: Role
    key_prefix: str


def current_caller(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="the caller's API key")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Caller:
    secret = x_api_key
    if secret is None and authorization and authorization.lower().startswith("bearer "):
        secret = authorization[7:].strip()
    if not secret:
        raise Unauthenticated("send an API key in the X-API-Key header", code="missing_api_key")
    # A read of its own, over before the route's transaction begins: a route that writes
    # in transactions of its own (a detection task, a filing's submission) must not wait
    # for the SQLite write lock held by its own request.
    with request.app.state.sessions() as db:
        key = authenticate(db=db, secret=secret)
    return Caller(org=key.org, role=key.role, key_prefix=key.prefix)


def allow(roles: frozenset[Role]) -> Callable[[Caller], Caller]:
    """A dependency that admits callers with one of ``roles``."""

    def check(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
        if caller.role not in roles:
            raise Forbidden(f"role {caller.role} may not use this endpoint")
        return caller

    return check
