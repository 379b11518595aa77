"""HTTP plumbing shared by every router: sessions, pagination and error rendering."""

import logging
import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from operator import attrgetter
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, BeforeValidator
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.routing import Route, compile_path

from ipfed.ledger.errors import CodedError
from ipfed.ledger.ids import ULID_PATTERN as ULID_PATTERN  # path and query patterns
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import WRITES, error_text
from ipfed.nodes.errors import InvalidInput
from ipfed.nodes.schemas import Page

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
After = Annotated[
    str | None, Query(pattern=ULID_PATTERN, description="the `next` cursor of the previous page")
]
# The cursor of a list keyed by something other than a record id (a peer, a kind, a date).
Cursor = Annotated[
    str | None,
    Query(min_length=1, max_length=300, description="the `next` cursor of the previous page"),
]

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _written_as(pattern: re.Pattern[str], what: str) -> BeforeValidator:
    """Text that must be ``pattern``: pydantic alone takes ``0`` for 1970-01-01."""

    def check(value: object) -> object:
        if isinstance(value, str) and not pattern.fullmatch(value):
            raise ValueError(f"expected {what}")
        return value

    return BeforeValidator(check)


# Query parameters of dates and times, as the API documents them (ISO 8601).
Day = Annotated[date, _written_as(ISO_DATE, "a date, YYYY-MM-DD")]
Moment = Annotated[AwareDatetime, _written_as(ISO_MOMENT, "a time, YYYY-MM-DDTHH:MM:SS+08:00")]


def no_nul_characters(request: Request) -> None:
    """Refuse NUL characters in the path or query: PostgreSQL text cannot hold them."""
    if "\x00" in request.url.path or any("\x00" in v for v in request.query_params.values()):
        raise InvalidInput("the request contains a NUL character", code="nul_character")


def get_settings(request: Request) -> NodeSettings:
    settings: NodeSettings = request.app.state.settings
    return settings


Settings = Annotated[NodeSettings, Depends(get_settings)]


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on any error.

    Requests that change state begin it ready to write (on SQLite: waiting for the
    write lock); GET and HEAD only read, so they never wait for a writer.
    """
    options = {} if request.method in ("GET", "HEAD") else WRITES
    with request.app.state.sessions(execution_options=options) as session, session.begin():
        yield session


DB = Annotated[Session, Depends(get_db)]


def get_writer(request: Request) -> Iterator[Session]:
    """A transaction ready to write, for a GET that may store something on the way
    (signing the checkpoint a receipt needs): on SQLite a read that turns into a write
    fails at once beside another writer."""
    with request.app.state.sessions(execution_options=WRITES) as session, session.begin():
        yield session


WriterDB = Annotated[Session, Depends(get_writer)]


def page(
    model: type[M], rows: Sequence[Any], limit: int, key: Callable[[Any], object] = attrgetter("id")
) -> Page[M]:
    """The one page shape of every list route. ``rows`` were fetched in ``key`` order
    with ``limit``: a full page names the last row's key as the cursor of the next."""
    items = [model.model_validate(row) for row in rows]
    return Page[model](  # type: ignore[valid-type]
        items=items, next=str(key(rows[-1])) if len(rows) == limit else None
    )


def page_of_whole(
    model: type[M], rows: Sequence[Any], *, key: Callable[[Any], str], after: str | None, limit: int
) -> Page[M]:
    """A page of a small list computed whole (per kind, per peer, per due date): ordered
    by ``key``, so that clients walk it like any other list."""
    rest = sorted((row for row in rows if after is None or key(row) > after), key=key)
    return page(model, rest[:limit], limit, key)


def _error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {str(error.get('msg', '')).removeprefix('Value error, ')}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Every failure answers ``{"error": code, "detail": message}``."""

    @app.exception_handler(CodedError)
    async def coded_error(_: Request, exc: CodedError) -> JSONResponse:
        # Any error of ours, from any layer, carries its code and its status.
        return _error(exc.status_code, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "invalid_request", _describe(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's word for a body it cannot parse
            return _error(422, "malformed_body", str(exc.detail))
        codes = {404: "not_found", 405: "method_not_allowed"}
        answer = _error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))
        answer.headers.update(exc.headers or {})
        methods: PathMethods | None = getattr(request.app.state, "methods", None)
        if exc.status_code == 405 and methods and (allowed := methods.of(request.url.path)):
            answer.headers["Allow"] = ", ".join(sorted(allowed))  # else Starlette's (/docs)
        return answer

    @app.exception_handler(OperationalError)
    async def database_busy(_: Request, exc: OperationalError) -> JSONResponse:
        # A locked or unreachable database: nothing was stored, and a retry may succeed.
        log.warning("database unavailable: %s", error_text(exc))
        return _error(503, "database_busy", "the node's database is busy; try again shortly")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, DBAPIError):  # its message may quote a row's values: not logged
            trace = "".join(traceback.format_tb(exc.__traceback__))
            log.error("unhandled %s\n%s", error_text(exc), trace)
        else:
            log.exception("unhandled error", exc_info=exc)
        return _error(500, "internal_error", "the node failed to answer; the error is logged")


class PathMethods:
    """The methods each path of the API takes, as its OpenAPI document lists them."""

    def __init__(self, paths: dict[str, dict[str, Any]]) -> None:
        self.fixed = {p: {m.upper() for m in ops} for p, ops in paths.items() if "{" not in p}
        self.templated = [
            (compile_path(p)[0], {m.upper() for m in ops}) for p, ops in paths.items() if "{" in p
        ]

    def of(self, path: str) -> set[str]:
        """What a 405's Allow says: a fixed path's own methods, else its templates'."""
        if path in self.fixed:
            return self.fixed[path]
        return set().union(*(methods for regex, methods in self.templated if regex.match(path)))

    def shadowed(self, path: str) -> set[str]:
        """Methods a fixed path does not take that a template matching it does."""
        templates = (methods for regex, methods in self.templated if regex.match(path))
        return set().union(*templates) - self.fixed[path]


async def _not_allowed(_: Request) -> None:
    raise HTTPException(405)


def answer_405s(app: FastAPI) -> None:
    """A method a path does not take answers 405, with Allow listing those it does.

    Starlette's Allow names the methods of the first route it tried, not all of the
    path's; and a fixed path would pass a method it lacks to a templated sibling:
    ``GET /marks/scans`` reached ``GET /marks/{mark_id}`` and failed the id's pattern
    (422). Run once the routers are in; the paths are those the API documents.
    """
    methods = app.state.methods = PathMethods(app.openapi()["paths"])
    app.router.routes[:0] = [
        Route(path, _not_allowed, methods=sorted(shadowed), include_in_schema=False)
        for path in methods.fixed
        if (shadowed := methods.shadowed(path))
    ]
