"""The public verification page, what a phone opens when it scans a mark's QR code:
the verdict in large type, who issued the mark and what it covers, a unit code's
checks, and a form to report a suspected fake to the issuing office.

The form is a console form: its CSRF token is checked app-wide (the policy's CONSOLE
table), and each address may send a few reports an hour. Nothing on the page is an
internal id."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ipfed.nodes.auth.throttle import FailureLog
from ipfed.nodes.body_limit import max_body
from ipfed.nodes.console import i18n
from ipfed.nodes.console.nice import nice_class_words
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.errors import InvalidInput
from ipfed.nodes.filings.calendar import CHINA
from ipfed.nodes.http import DB, Settings
from ipfed.nodes.marks import reports, verdicts
from ipfed.nodes.marks.verdicts import Finding, Verdict
from ipfed.registry.identifiers import InvalidIdentifier, region_name

router = APIRouter(tags=["marks: public"])

REPORTS_PER_HOUR = 5  # from one address
CHECK_AGAIN_AFTER = 3600  # seconds: one person reloading the page is one check
MAX_TOKEN = 2000
# The answer's status, for clients that read it (the page is the same for people).
STATUSES = {
    Verdict.VALID: 200,
    Verdict.POSSIBLE_CLONE: 200,
    Verdict.SUSPENDED: 410,
    Verdict.REVOKED: 410,
    Verdict.EXPIRED: 410,
    Verdict.UNKNOWN: 400,
}
Text = Annotated[str, Form(max_length=300)]


def _senders(request: Request, name: str, limit: int) -> FailureLog:
    """Times per address, in the node process's memory (a restart forgets them)."""
    state = request.app.state
    if not hasattr(state, name):
        setattr(state, name, FailureLog(limit, 3600))
    senders: FailureLog = getattr(state, name)
    return senders


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _region(code: str) -> str:
    try:
        return region_name(code)
    except InvalidIdentifier:
        return code


def _beijing(moment: datetime | None, lang: str) -> str:
    """A time as a buyer in China reads it."""
    if moment is None:
        return "—"
    return f"{moment.astimezone(CHINA):%Y-%m-%d %H:%M} " + i18n.words("beijing_time", lang)


def finding_context(finding: Finding, lang: str) -> dict[str, Any]:
    """What the ``_finding.html`` template shows of a verdict, in ``lang``."""
    coverage = finding.coverage
    return {
        "finding": finding,
        "verdict": finding.verdict.value,
        "good": finding.verdict.good,
        "issuer_region": _region(finding.issuer.region_code) if finding.issuer else None,
        "first_checked": _beijing(finding.unit.first_checked if finding.unit else None, lang),
        "nice": [nice_class_words(c, lang) for c in coverage.nice_classes] if coverage else [],
    }


def _page(
    request: Request, token: str, finding: Finding, message: str | None, status: int
) -> HTMLResponse:
    context = {
        "token": token,
        **finding_context(finding, i18n.language_of(request)),
        "message": message,
        "reported": request.query_params.get("reported") == "1",
    }
    return render(request, "verify.html", context, status_code=status)


@router.get("/v/{token}", response_class=HTMLResponse)
def verification_page(request: Request, db: DB, settings: Settings, token: str) -> Response:
    """What a phone opens when it scans a mark's QR code (HTML)."""
    finding = verdicts.examine(db=db, settings=settings, token=token[:MAX_TOKEN])
    serial = finding.unit_serial
    if finding.unit is not None and serial is not None:
        seen = _senders(request, "unit_checks_seen", 1)
        who = f"{_address(request)}/{serial}"
        now = request.app.state.clock().timestamp()
        if seen.retry_after(who, now) == 0:
            seen.record(who, now)
            # Looked at again in the writing transaction, which sees the new check
            # (the request's own may read from before it).
            with transaction(request.app.state.sessions) as writer:
                verdicts.record_check(db=writer, serial=serial)
                finding = verdicts.examine(db=writer, settings=settings, token=token)
    return _page(request, token, finding, None, STATUSES[finding.verdict])


@router.post("/v/{token}/report", include_in_schema=False, openapi_extra=max_body(6 << 20))
def report_suspected_fake(
    request: Request,
    db: DB,
    settings: Settings,
    token: str,
    where_bought: Text = "",
    seller: Text = "",
    contact: Annotated[str, Form(max_length=200)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A suspected fake reported to the issuing office; back to the page with thanks."""
    token = token[:MAX_TOKEN]
    finding = verdicts.examine(db=db, settings=settings, token=token)
    if not where_bought.strip() or not seller.strip():
        return _page(request, token, finding, "report_incomplete", 422)
    senders = _senders(request, "suspect_report_senders", REPORTS_PER_HOUR)
    address, now = _address(request), request.app.state.clock().timestamp()
    if senders.retry_after(address, now) > 0:
        return _page(request, token, finding, "report_too_many", 429)
    image = photo.file.read(reports.MAX_PHOTO_BYTES + 1) if photo and photo.filename else None
    try:
        reports.file_report(
            db=db,
            token=token,
            finding=finding,
            where_bought=where_bought.strip(),
            seller=seller.strip(),
            contact=contact.strip(),
            photo=image,
        )
    except InvalidInput as refused:
        return _page(request, token, finding, refused.code, 422)
    senders.record(address, now)
    return RedirectResponse(f"/v/{token}?reported=1#report", status_code=303)
