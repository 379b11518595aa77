"""Suspected fakes reported by the public from the verification page: stored at the
node for its office, which lists them (and their photos) through the API."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.nodes.errors import InvalidInput
from ipfed.nodes.marks.models import SuspectReport
from ipfed.nodes.marks.verdicts import Finding

MAX_PHOTO_BYTES = 5 << 20
# A photo is kept as sent, but only of a kind a browser shows as an image.
PHOTO_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"RIFF": "image/webp",
}


def photo_type(photo: bytes) -> str:
    for magic, media_type in PHOTO_TYPES.items():
        if photo.startswith(magic) and (media_type != "image/webp" or photo[8:12] == b"WEBP"):
            return media_type
    raise InvalidInput("the photo must be a JPEG, PNG or WebP image", code="bad_photo")


def file_report(
    *,
    db: Session,
    token: str,
    finding: Finding,
    where_bought: str,
    seller: str,
    contact: str | None,
    photo: bytes | None,
) -> SuspectReport:
    if photo is not None and len(photo) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"the photo is over {MAX_PHOTO_BYTES >> 20} MB", code="photo_too_large")
    report = SuspectReport(
        mark_id=finding.mark_id,
        unit_serial=finding.unit_serial,
        token=token,
        verdict=finding.verdict.value,
        where_bought=where_bought,
        seller=seller,
        contact=contact or None,
        photo=photo or None,
        photo_type=photo_type(photo) if photo else None,
    )
    db.add(report)
    db.flush()
    return report


def list_reports(*, db: Session, after: str | None, limit: int) -> list[SuspectReport]:
    query = select(SuspectReport).order_by(SuspectReport.id).limit(limit)
    if after is not None:
        query = query.where(SuspectReport.id > after)
    return list(db.scalars(query))
