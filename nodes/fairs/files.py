"""An organizer's exhibit file (CSV, JSON Lines, or a JSON array): one row per exhibit,
with the exhibitor showing it, grouped into exhibitors by credit code."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ipfed.nodes.fairs.schemas import ExhibitorIn, ExhibitRow
from ipfed.nodes.imports.readers import Record, RecordReader, UnreadableFile, detect_format

COLUMNS = set(ExhibitRow.model_fields) | {"mark_token", "qr_url"}


@dataclass(frozen=True)
class Rejection:
    line: int
    field: str | None
    code: str
    reason: str


def _records(path: Path, encoding: str) -> Iterator[Record]:
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(path.read_text(encoding=encoding))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UnreadableFile(f"{path.name} is not a JSON file: {exc}") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise UnreadableFile(f"{path.name} must hold a JSON array of exhibit objects")
        for number, row in enumerate(rows, start=1):
            yield Record(number, {k: v for k, v in row.items() if v not in ("", None)})
        return
    with path.open("rb") as raw:
        for batch in RecordReader(raw, detect_format(path), COLUMNS, encoding).batches(1000):
            yield from batch


def read_exhibitors(
    path: Path, encoding: str = "utf-8-sig"
) -> tuple[list[ExhibitorIn], list[Rejection]]:
    """The file's exhibitors, or every row's problem (line: the row's number in a JSON array)."""
    rejections: list[Rejection] = []
    grouped: dict[str, dict[str, Any]] = {}
    for record in _records(path, encoding):
        if record.problem is not None:
            rejections.append(Rejection(record.line, None, *record.problem))
            continue
        try:
            row = ExhibitRow.model_validate(record.fields)
            exhibit = row.exhibit_in()
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                where = ".".join(str(p) for p in error["loc"]) or None
                reason = str(error["msg"]).removeprefix("Value error, ")
                # An official number's own code (invalid_uscc, ...) says more than value_error.
                code = getattr(error.get("ctx", {}).get("error"), "code", error["type"])
                rejections.append(Rejection(record.line, where, code, reason))
            continue
        exhibitor = grouped.setdefault(
            row.uscc, {"name": row.exhibitor, "uscc": row.uscc, "booth": row.booth, "exhibits": []}
        )
        if exhibitor["name"] != row.exhibitor:
            reason = f"{row.uscc} is {exhibitor['name']} on an earlier row"
            rejections.append(Rejection(record.line, "exhibitor", "exhibitor_mismatch", reason))
            continue
        exhibitor["exhibits"].append(exhibit)
    exhibitors = [ExhibitorIn.model_validate(e) for e in grouped.values()]
    return ([] if rejections else exhibitors), rejections
