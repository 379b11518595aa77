"""Checking a mark from the console, as a platform's compliance team does for a
listing: the mark's URL pasted (the ``/v/{token}`` URL its QR code holds, or the bare
token), a photo of its label read by the node, or the phone's live camera. The answer
is the public verification page's verdict and what the mark covers, whether a seller's
credit code is the holder's or the licensee's, and, when asked, the check recorded as
a scan: a platform's scans are the sightings clone alerts compare."""

import re
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from ipfed.ledger.identity import Role
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console import i18n
from ipfed.nodes.console.camera import MARK_TEXT, PHOTO_BODY, frame_answer, read_mark
from ipfed.nodes.console.dependencies import Signed, person_of
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.errors import InvalidInput, IpfedError
from ipfed.nodes.marks import verdicts
from ipfed.nodes.marks.models import BizStep
from ipfed.nodes.marks.page import STATUSES, finding_context
from ipfed.nodes.marks.scans import Reporter, federation_urls, record_scan
from ipfed.nodes.marks.schemas import ScanIn, ScanResult
from ipfed.registry.identifiers import InvalidIdentifier, parse_uscc
from ipfed.sdk.verify import split_url

router = APIRouter(include_in_schema=False)
TOKEN = re.compile(r"[A-Za-z0-9_-]+")  # a mark's token is base64url


Fields = dict[str, str | bool]  # the form as it was filled in


def _form_page(
    request: Request, status_code: int = 200, error: str | None = None, fields: Fields | None = None
) -> Response:
    context = {"error": error, "result": None, "mark": "", "seller": "", "record": False}
    return render(request, "check.html", {**context, **(fields or {})}, status_code=status_code)


@router.get("/console/check")
def check_page(request: Request, caller: Signed) -> Response:
    return _form_page(request)


def _mark_text(pasted: str, photo: UploadFile | None) -> str:
    """What was pasted, or else read from the photo; refused when it cannot be a mark."""
    if photo is not None and photo.filename:
        text, refusal = read_mark(photo), "not_a_mark"
    else:
        text, refusal = pasted.strip(), "not_a_mark_url"
    if not text:
        raise InvalidInput("paste the mark's URL or upload a photo of it", code="mark_missing")
    _, token = split_url(text)
    if not TOKEN.fullmatch(token) or not MARK_TEXT[0] <= len(text) <= MARK_TEXT[1]:
        raise InvalidInput("this is neither a mark's URL nor its token", code=refusal)
    return text


def _seller(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        return parse_uscc(text)
    except InvalidIdentifier as exc:
        raise InvalidInput(exc.message, code="invalid_uscc") from None


@router.post("/console/check", openapi_extra=PHOTO_BODY)
def check_mark(
    request: Request,
    caller: Signed,
    mark: Annotated[str, Form(max_length=MARK_TEXT[1] + 100)] = "",
    seller: Annotated[str, Form(max_length=100)] = "",
    record: Annotated[str, Form(max_length=10)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The verdict on the mark pasted or photographed, recorded as a scan if asked."""
    person_of(caller)
    settings: NodeSettings = request.app.state.settings
    fields: Fields = {"mark": mark, "seller": seller, "record": bool(record)}
    try:
        text = _mark_text(mark, photo)
        seller_code = _seller(seller)
        host, _ = split_url(text)
        if host is not None and host.rstrip("/") not in federation_urls(settings):
            raise InvalidInput(
                f"{host} is not a node of the federation", code="foreign_verification_url"
            )
        with transaction(request.app.state.sessions) as db:
            finding = verdicts.examine(db=db, settings=settings, token=text)
            scan: ScanResult | None = None
            if record and finding.claims is not None:
                step = (
                    BizStep.RETAIL_SELLING if caller.role is Role.PLATFORM else BizStep.INSPECTING
                )
                scan = record_scan(
                    db=db,
                    settings=settings,
                    scan=ScanIn(token=text, biz_step=step, seller_uscc=seller_code),
                    by=Reporter(caller.org, caller.role, caller.key_prefix or None),
                )
                finding = verdicts.examine(db=db, settings=settings, token=text)  # its alerts
    except IpfedError as exc:
        if exc.status_code in (401, 403):
            raise
        return _form_page(request, exc.status_code, exc.code, fields)
    standing = (
        verdicts.standing_of(finding.claims, seller_code)
        if finding.claims is not None and seller_code is not None
        else None
    )
    context = {
        **fields,
        **finding_context(finding, i18n.language_of(request)),
        "error": None,
        "result": True,
        "standing": standing.value if standing else None,
        "scan": scan,
    }
    return render(request, "check.html", context, status_code=STATUSES[finding.verdict])


@router.post("/console/check/read", openapi_extra=PHOTO_BODY)
def read_frame(caller: Signed, photo: Annotated[UploadFile, File()]) -> JSONResponse:
    """Whether a frame of the live camera holds a QR code (see ``static/camera.js``)."""
    person_of(caller)
    return frame_answer(photo)
