"""Wiring the console into the node's app: its pages, its static files, its clock,
and errors on its pages answered as pages (the API keeps its JSON errors)."""

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ipfed.ledger.errors import CodedError
from ipfed.nodes.auth.throttle import FailureLog
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.check import router as check
from ipfed.nodes.console.detection import router as detection
from ipfed.nodes.console.fairs import router as fairs
from ipfed.nodes.console.leads import router as leads
from ipfed.nodes.console.marks import router as marks
from ipfed.nodes.console.national import router as national
from ipfed.nodes.console.national_filings import router as national_filings
from ipfed.nodes.console.pages import router as pages
from ipfed.nodes.console.patrol import router as patrol
from ipfed.nodes.console.people import router as people
from ipfed.nodes.console.queue import router as queue
from ipfed.nodes.console.received import router as received
from ipfed.nodes.console.registers import router as registers
from ipfed.nodes.console.templating import STATIC, render
from ipfed.nodes.database.core import utcnow

Handler = Callable[[Request, Exception], Awaitable[Response]]
AnyHandler = Callable[[Request, Any], Response | Awaitable[Response]]


def is_console_path(path: str) -> bool:
    return path == "/" or path == "/console" or path.startswith("/console/")


def install_console(app: FastAPI, settings: NodeSettings) -> None:
    """After the API's error handlers are installed."""
    app.state.clock = utcnow
    # Failed sign-ins per address, in the process's memory (as failed API keys are).
    app.state.sign_in_failures = FailureLog(
        settings.sign_in_address_limit, settings.sign_in_address_window_seconds
    )
    # Symlinks followed: an editable install links each file to its source.
    app.mount("/static", StaticFiles(directory=STATIC, follow_symlink=True), name="static")
    app.include_router(pages)
    app.include_router(people)
    app.include_router(queue)
    app.include_router(leads)
    app.include_router(marks)
    app.include_router(fairs)
    app.include_router(patrol)
    app.include_router(received)
    app.include_router(detection)
    app.include_router(national)
    app.include_router(national_filings)
    app.include_router(registers)
    app.include_router(check)
    for kind in (CodedError, HTTPException, RequestValidationError):
        app.add_exception_handler(kind, _as_page(app.exception_handlers[kind]))


def _as_page(as_json: AnyHandler) -> Handler:
    """The API's handler, whose answer a console page shows as a page."""

    async def handle(request: Request, exc: Exception) -> Response:
        answer = as_json(request, exc)
        if inspect.isawaitable(answer):
            answer = await answer
        assert isinstance(answer, Response)
        if not is_console_path(request.url.path):
            return answer
        error = json.loads(bytes(answer.body))
        code, status = error.get("error", "error"), answer.status_code
        if request.method == "GET" and status == 401:
            ended = "&ended=expired" if code == "session_expired" else ""
            target = f"/console/sign-in?next={quote(request.url.path)}{ended}"
            return RedirectResponse(target, status_code=303)
        if request.method == "GET" and code == "totp_enrolment_required":
            return RedirectResponse("/console/two-factor", status_code=303)
        context = {"code": code, "message": error.get("detail", "")}
        return render(request, "error.html", context, status_code=status)

    return handle
