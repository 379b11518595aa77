"""The office's registers pages: its rights, licences, participants and key products
browsed and searched a page at a time, and the files ``ipfed import`` takes uploaded
into them, with the import's report on the page (rows stored, rows rejected and why).

The import service reads, validates and stores the file, all or nothing unless the
person asks to store the valid rows; this module only takes the form and shows the
report. Participants are personal data: like every page here they are the node's own
office's, and each read is in the access log (the register is in the page's address,
which the log records)."""

import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from ipfed.nodes.body_limit import max_body
from ipfed.nodes.console.dependencies import Signed, person_of
from ipfed.nodes.console.i18n import CATALOGUE
from ipfed.nodes.console.nice import NICE_CLASSES, nice_class_words
from ipfed.nodes.console.queue import region_words
from ipfed.nodes.console.register_search import REGISTERS, Register, browse
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.errors import InvalidInput, IpfedError, NotFound
from ipfed.nodes.http import ULID_PATTERN
from ipfed.nodes.imports.kinds import KINDS, import_kind
from ipfed.nodes.imports.readers import UnreadableFile, detect_format
from ipfed.nodes.imports.schemas import ImportReport
from ipfed.nodes.imports.service import import_file

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
DEFAULT = REGISTERS["trademarks"]
# Files as large as a province's yearly register; a whole national one goes through
# ``ipfed import`` on the node itself.
REGISTER_FILE_BYTES = 64 << 20
ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without a BOM), and Excel's Chinese CSV
Search = Annotated[str, Query(max_length=200)]
# 1 to 45, or empty (the search form's "all")
NiceClass = Annotated[str, Query(pattern=r"^([1-9]|[1-3][0-9]|4[0-5])?$")]
Cursor = Annotated[str | None, Query(pattern=ULID_PATTERN)]


class WrongFileType(InvalidInput):
    code = "wrong_file_type"
    status_code = 415


class NoRows(InvalidInput):
    code = "file_without_rows"


def column_code(kind: str, column: str) -> str | None:
    """The catalogue's code for a column of a ``kind`` file as the file names it
    (``reg_no``, ``shops.0.platform``): ``column_`` and the field it fills, or the
    field of that name of another kind (a column the file has in the wrong place);
    None for a column of no field."""
    head = column.split(".")[0]
    fields = KINDS[kind].names() if kind in KINDS else {}
    field = next((name for name, written in fields.items() if head in written), head)
    return f"column_{field}" if f"column_{field}" in CATALOGUE else None


def _register_page(
    request: Request,
    register: Register,
    *,
    text: str = "",
    nice_class: int | None = None,
    after: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    with request.app.state.sessions() as db:
        rows, following = browse(
            db=db,
            register=register,
            text=text,
            nice_class=nice_class,
            after=after,
            limit=PAGE_SIZE,
        )
        context = {
            "registers": list(REGISTERS),
            "register": register.name,
            "searches_classes": register.nice_classes,
            "rows": rows,
            "following": following,
            "paged": after is not None,
            "first_link": address(register, text, nice_class),
            "next_link": address(register, text, nice_class, following),
            "search": text,
            "nice_class": nice_class,
            "nice_numbers": list(NICE_CLASSES),
            "nice": nice_class_words,
            "region": region_words,
            "kinds": list(KINDS),
            "encodings": ENCODINGS,
            "max_megabytes": REGISTER_FILE_BYTES >> 20,
            "catalogue": CATALOGUE,  # a rejection's code is shown as words when it has them
            "column_code": column_code,
            "report": None,
            "error": None,
            "form": {},
            **extra,
        }
        return render(request, "registers.html", context, status_code=status_code)


def address(register: Register, text: str, nice_class: int | None, after: str | None = None) -> str:
    """The page of the register with this search, from just after ``after``."""
    asked = {"q": text, "nice_class": nice_class, "after": after}
    query = urlencode({name: value for name, value in asked.items() if value})
    return f"/console/registers/{register.name}" + (f"?{query}" if query else "")


@router.get("/console/registers")
def registers_view(
    request: Request,
    caller: Signed,
    q: Search = "",
    nice_class: NiceClass = "",
    after: Cursor = None,
) -> Response:
    return register_view(request, caller, DEFAULT.name, q, nice_class, after)


@router.get("/console/registers/{register}")
def register_view(
    request: Request,
    _: Signed,
    register: str,
    q: Search = "",
    nice_class: NiceClass = "",
    after: Cursor = None,
) -> Response:
    chosen = REGISTERS.get(register)
    if chosen is None:  # the page of the registers there are, saying so
        error = NotFound(f"no register {register!r}", code="unknown_register")
        return _register_page(request, DEFAULT, status_code=error.status_code, error=error)
    by_class = int(nice_class) if nice_class else None
    return _register_page(request, chosen, text=q.strip(), nice_class=by_class, after=after)


def _import(
    request: Request, kind: str, upload: UploadFile | None, encoding: str, partial: bool
) -> ImportReport:
    """The uploaded file imported as rows of ``kind`` by the import service."""
    import_as = import_kind(kind)
    name = PurePath(upload.filename or "").name if upload else ""
    if upload is None or not name:
        raise InvalidInput("choose a file to upload", code="no_file_chosen")
    try:
        fmt = detect_format(Path(name))
    except UnreadableFile:
        raise WrongFileType(f"{name}: a .csv or .jsonl file (as ipfed import takes)") from None
    if encoding not in ENCODINGS:
        raise InvalidInput(f"unknown encoding {encoding!r}", code="unknown_encoding")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload.{fmt}"  # the name as sent is only shown
        with path.open("wb") as copy:
            shutil.copyfileobj(upload.file, copy)
        if path.stat().st_size == 0:
            raise NoRows(f"{name} is empty")
        with transaction(request.app.state.sessions) as db:
            report = import_file(
                db=db,
                kind=import_as,
                path=path,
                fmt=fmt,
                encoding=encoding,
                accept_partial=partial,
            )
    if report.rows_read == 0:
        raise NoRows(f"{name} has no rows to import")
    return report.model_copy(update={"file": name})  # not the temporary folder's


@router.post("/console/registers/upload", openapi_extra=max_body(REGISTER_FILE_BYTES + (64 << 10)))
def upload_register_file(
    request: Request,
    caller: Signed,
    kind: Annotated[str, Form(max_length=50)] = "",
    file: Annotated[UploadFile | None, File()] = None,
    encoding: Annotated[str, Form(max_length=20)] = ENCODINGS[0],
    partial: Annotated[bool, Form()] = False,
) -> Response:
    """The file imported; the report shown on the page of the register it went into
    (or the default one, for the kinds these pages do not list: adjudications, listings)."""
    person_of(caller)
    form = {"kind": kind, "encoding": encoding, "partial": partial}
    register = REGISTERS.get(kind, DEFAULT)
    try:
        report = _import(request, kind, file, encoding, partial)
    except IpfedError as exc:
        return _register_page(request, register, status_code=exc.status_code, error=exc, form=form)
    status_code = 200 if report.committed else 422
    return _register_page(request, register, status_code=status_code, report=report, form=form)
