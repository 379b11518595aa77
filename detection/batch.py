"""Batch screening of CSV files, the contract other tools rely on:

    ipfed screen --rights DIR --listings FILE --out FILE

DIR holds marks.csv (mark_id,name,nice_classes,holder), patents.csv
(patent_no,kind,title,holder,status,grant_date,expiry_date) and licenses.csv
(right_id,licensee), each optional but at least one register. FILE has at least
listing_id,title,nice_class,seller; other columns are ignored. The output has
one row per lead: listing_id,kind,right_id,score,reasons (reasons joined by
"; "). Malformed input is refused with its file, line and field, and no output
is left behind.
"""

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ipfed.detection.errors import MalformedFile
from ipfed.detection.register import Licensee, MarkRecord, PatentRecord, Register, ScreenedListing
from ipfed.detection.schemas import LicenceRow, ListingRow, MarkRow, PatentRow
from ipfed.detection.screening import Screener
from ipfed.registry.identifiers import InvalidIdentifier, parse_patent_number

OUTPUT_COLUMNS = ("listing_id", "kind", "right_id", "score", "reasons")
M = TypeVar("M", bound=BaseModel)


def _rows(path: Path, model: type[M]) -> Iterator[tuple[int, M]]:
    """The validated rows of a CSV file, with their line numbers; every field of
    ``model`` is a required column, though optional ones may be left blank."""
    required = set(model.model_fields)
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            columns = set(reader.fieldnames or ())
            if missing := required - columns:
                raise MalformedFile(f"{path.name} lacks the columns {', '.join(sorted(missing))}")
            for row in reader:
                line = reader.line_num
                if None in row:
                    raise MalformedFile(f"{path.name} line {line}: more fields than columns")
                fields = {
                    k: v.strip()
                    for k, v in row.items()
                    if k in model.model_fields and v is not None and v.strip()
                }
                try:
                    yield line, model.model_validate(fields)
                except ValidationError as exc:
                    error = exc.errors(include_url=False)[0]
                    where = ".".join(str(p) for p in error["loc"]) or "row"
                    message = str(error["msg"]).removeprefix("Value error, ")
                    raise MalformedFile(f"{path.name} line {line}: {where}: {message}") from None
    except UnicodeDecodeError as exc:
        raise MalformedFile(f"{path.name} is not UTF-8 text: {exc.reason}") from None
    except csv.Error as exc:
        raise MalformedFile(f"{path.name} is not a readable CSV file: {exc}") from None
    except OSError as exc:
        raise MalformedFile(f"cannot read {path}: {exc.strerror}") from None


def _right_key(right_id: str) -> str:
    """Licences name patents by number, in whichever way it was written."""
    try:
        return str(parse_patent_number(right_id))
    except InvalidIdentifier:
        return right_id


def read_register(directory: Path) -> Register:
    if not directory.is_dir():
        raise MalformedFile(f"{directory} is not a directory")
    marks_file, patents_file = directory / "marks.csv", directory / "patents.csv"
    if not marks_file.exists() and not patents_file.exists():
        raise MalformedFile(f"{directory} holds neither marks.csv nor patents.csv")
    marks, patents = [], []
    if marks_file.exists():
        marks = [
            MarkRecord(r.mark_id, r.name, frozenset(r.nice_classes), r.holder)
            for _, r in _rows(marks_file, MarkRow)
        ]
    if patents_file.exists():
        patents = [
            PatentRecord(
                number=r.patent_no,
                kind=r.kind,
                title=r.title,
                holder=r.holder,
                status=r.status.value,
                grant_date=r.grant_date,
                expiry_date=r.expiry_date,
            )
            for _, r in _rows(patents_file, PatentRow)
        ]
    licensees: dict[str, list[Licensee]] = {}
    if (directory / "licenses.csv").exists():
        for _, licence in _rows(directory / "licenses.csv", LicenceRow):
            key = _right_key(licence.right_id)
            licensees.setdefault(key, []).append(Licensee(licence.licensee))
    frozen = {k: tuple(v) for k, v in licensees.items()}
    return Register(marks=marks, patents=patents, licensees=frozen)


def read_listings(path: Path) -> Iterator[ScreenedListing]:
    for _, row in _rows(path, ListingRow):
        yield ScreenedListing(row.listing_id, row.title, row.seller, row.nice_class)


def count_rows(path: Path) -> int:
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            return max(0, sum(1 for _ in csv.reader(file)) - 1)
    except (OSError, UnicodeDecodeError, csv.Error):
        return 0  # reading it for real reports the problem


def screen_files(
    *,
    rights: Path,
    listings: Path,
    out: Path,
    today: date,
    on_listing: Callable[[], Any] = lambda: None,
) -> tuple[int, int]:
    """Screen every listing; returns (listings screened, leads written)."""
    screener = Screener(read_register(rights), today=today)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    screened = leads = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(OUTPUT_COLUMNS)
            for listing in read_listings(listings):
                for finding in screener.screen(listing):
                    writer.writerow(
                        (
                            listing.listing_id,
                            finding.kind,
                            finding.right_id,
                            f"{finding.score:.3f}",
                            "; ".join(map(str, finding.reasons)),
                        )
                    )
                    leads += 1
                screened += 1
                on_listing()
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return screened, leads
