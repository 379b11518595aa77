"""The node's HTTP API: ``create_app(settings)`` builds it."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from importlib.metadata import version
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from ipfed.nodes.accounts.access import AccessLog
from ipfed.nodes.accounts.api import router as accounts
from ipfed.nodes.adjudications.api import router as adjudications
from ipfed.nodes.auth.dependencies import Caller, authorize, check_csrf, current_caller
from ipfed.nodes.auth.throttle import KeyThrottle
from ipfed.nodes.body_limit import BodyLimit
from ipfed.nodes.config import NodeRole, NodeSettings
from ipfed.nodes.console.install import install_console
from ipfed.nodes.contract import document_errors
from ipfed.nodes.database.core import make_engine, make_session_factory
from ipfed.nodes.database.migrate import current_revision
from ipfed.nodes.detection.api import router as detection
from ipfed.nodes.detection.current import keep_screener
from ipfed.nodes.detection.push import push_once
from ipfed.nodes.detection.tasks import JOB as DETECTION_TASK
from ipfed.nodes.detection.tasks import task_handler
from ipfed.nodes.docs_policy import DocsPolicy
from ipfed.nodes.exchange.api import router as exchange
from ipfed.nodes.exchange.handlers import Handlers
from ipfed.nodes.exchange.runner import Exchange
from ipfed.nodes.fairs.api import router as fairs
from ipfed.nodes.filings.api import router as filings
from ipfed.nodes.filings.exchange import filing_handlers, filing_transport
from ipfed.nodes.filings.round import filings_round
from ipfed.nodes.http import DB, answer_405s, install_error_handlers, no_nul_characters
from ipfed.nodes.jobs.runner import Handler, Runner, Schedule
from ipfed.nodes.ledger.api import router as ledger
from ipfed.nodes.ledger.sync import sync_once
from ipfed.nodes.licences.api import router as licences
from ipfed.nodes.listings.api import router as listings
from ipfed.nodes.marks.api import public as marks_public
from ipfed.nodes.marks.api import router as marks
from ipfed.nodes.marks.follow import follow_round
from ipfed.nodes.marks.online_status import StatusAnswers, StatusFastPath
from ipfed.nodes.marks.page import router as marks_page
from ipfed.nodes.participants.api import router as participants
from ipfed.nodes.privacy.api import router as privacy
from ipfed.nodes.privacy.scheduled import retention_round
from ipfed.nodes.products.api import router as products
from ipfed.nodes.rights.api import router as rights
from ipfed.nodes.witness.api import router as witness


class Health(BaseModel):
    status: str
    node_id: str
    role: NodeRole
    region_code: str


class Version(BaseModel):
    version: str
    schema_revision: str | None


class Identity(BaseModel):
    org: str
    role: str
    key_prefix: str
    person: str | None = None  # the username of a person signed in to the console


node = APIRouter(tags=["node"])


@node.get("/health")
def health(request: Request, db: DB) -> Health:
    """Liveness and readiness; the one route that needs no API key."""
    db.execute(text("SELECT 1"))
    settings: NodeSettings = request.app.state.settings
    return Health(
        status="ok", node_id=settings.node_id, role=settings.role, region_code=settings.region_code
    )


@node.get("/version", dependencies=[Depends(current_caller)])
def get_version(request: Request) -> Version:
    return Version(
        version=version("ipfed"), schema_revision=current_revision(request.app.state.engine)
    )


@node.get("/whoami")
def whoami(caller: Annotated[Caller, Depends(current_caller)]) -> Identity:
    username = caller.person.username if caller.person else None
    return Identity(org=caller.org, role=caller.role, key_prefix=caller.key_prefix, person=username)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: NodeSettings = app.state.settings
    sessions = app.state.sessions
    exchange = app.state.exchange
    if exchange is not None:
        exchange.start()
    handlers, schedules = node_jobs(settings, sessions, exchange)
    # Every job of the node, started by a request or a clock, runs here and outlives restarts.
    runner = app.state.jobs = Runner(
        sessions, handlers, schedules=schedules, idle=settings.jobs_poll_seconds or 0.5, workers=3
    )
    if settings.jobs_poll_seconds > 0:
        await asyncio.to_thread(runner.start)
    yield
    await asyncio.to_thread(runner.stop)
    if app.state.exchange is not None:
        app.state.exchange.stop()


def node_jobs(
    settings: NodeSettings, sessions: sessionmaker[Session], exchange: Exchange | None
) -> tuple[dict[str, Handler], tuple[Schedule, ...]]:
    """The node's job kinds and its rounds (a round set to 0 seconds does not run)."""
    handlers: dict[str, Handler] = {DETECTION_TASK: task_handler(settings, sessions)}
    rounds: list[tuple[str, float, Callable[[], object]]] = [
        ("ledger.sync", settings.ledger_sync_seconds, partial(sync_once, settings, sessions)),
        (
            "privacy.retention",
            settings.privacy_round_seconds,
            partial(retention_round, settings, sessions),
        ),
    ]
    if (settings.identity_dir / "org.key").exists():
        rounds.append(
            (
                "marks.follow",
                settings.marks_follow_seconds,
                partial(follow_round, settings, sessions),
            )
        )
        rounds.append(
            (
                "filings.round",
                settings.filings_round_seconds,
                lambda: filings_round(settings, sessions, filing_transport(settings)),
            )
        )
    if exchange is not None:
        push = partial(push_once, settings, sessions, exchange.network)
        rounds.append(("leads.push", settings.leads_push_seconds, push))
    schedules = []
    for kind, seconds, work in rounds:
        if seconds > 0:
            handlers[kind] = lambda _payload, work=work: work()  # type: ignore[misc]
            schedules.append(Schedule(kind, seconds))
    return handlers, tuple(schedules)


def create_app(
    settings: NodeSettings, engine: Engine | None = None, handlers: Handlers | None = None
) -> FastAPI:
    # The API docs' scripts and styles are served by the node, and Swagger UI asks no
    # online validator: government intranets reach no CDN or outside service.
    app = FastAPIOffline(
        swagger_ui_parameters={"validatorUrl": None},
        lifespan=lifespan,
        dependencies=[Depends(no_nul_characters), Depends(authorize), Depends(check_csrf)],
        title=f"ipfed node {settings.node_id}",
        version=version("ipfed"),
        description=(
            "A node of the ipfed federation: the basic databases of the IP-protection work plan. "
            "Send an API key in the X-API-Key header."
        ),
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.db_url)
    app.state.sessions = make_session_factory(app.state.engine)
    # What the app keeps between requests is its own, not the process's.
    app.state.screener = keep_screener(app.state.sessions)
    app.state.mark_statuses = StatusAnswers()
    app.state.exchange = None  # without an endpoint and an identity, no exchange
    if settings.exchange_endpoint and (settings.identity_dir / "org.key").exists():
        app.state.exchange = Exchange(
            settings, app.state.sessions, filing_handlers(settings, handlers)
        )
    install_error_handlers(app)
    install_console(app, settings)
    app.add_middleware(AccessLog)
    app.add_middleware(StatusFastPath)
    app.add_middleware(DocsPolicy)
    # Outermost, so they refuse before any other work (the last added runs first).
    app.add_middleware(BodyLimit)
    app.add_middleware(
        KeyThrottle,
        max_failures=settings.auth_failure_limit,
        window=settings.auth_failure_window_seconds,
    )
    routers = (
        node,
        rights,
        licences,
        adjudications,
        products,
        participants,
        listings,
        ledger,
        witness,
        marks_public,
        marks_page,
        marks,
        detection,
        exchange,
        fairs,
        filings,
        privacy,
        accounts,
    )
    for router in routers:
        app.include_router(router)
    answer_405s(app)
    document_errors(app)
    return app
