"""Evidence: what was seen, captured, hashed, anchored on the ledger, and exported as a
bundle that anyone verifies offline with the federation's trust bundle.

The snapshot is the canonical JSON of the listing's fields, the capture time and
source, and the SHA-256 of every image; the image bytes travel beside it. Its
SHA-256 goes on the ledger (``evidence.captured``), and the bundle carries a
receipt: the transaction, its inclusion proof and a signed checkpoint.
"""

import hashlib
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from ipfed.detection.errors import UnreadableImage
from ipfed.detection.images import ImageSource
from ipfed.ledger.canonical import Base64Bytes, canonical_bytes, parse_canonical
from ipfed.ledger.errors import LedgerError, MalformedData
from ipfed.ledger.identity import Organisation
from ipfed.ledger.protocol import Ledger
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.transactions import TxType
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.detection.models import Evidence, EvidenceImage
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.listings.schemas import ListingOut

BUNDLE_FORMAT = "ipfed-evidence/1"


class EvidenceError(IpfedError):
    """An evidence bundle does not verify."""

    code = "evidence_invalid"
    status_code = 422


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def capture(
    *, db: Session, listing: Listing, images: ImageSource | None, now: datetime | None = None
) -> Evidence:
    """Snapshot a listing as it is now, with the bytes of every image that can be read."""
    captured_at = now or utcnow()
    pictures: list[tuple[str, bytes]] = []
    unreadable: list[str] = []
    for uri in listing.image_urls:
        try:
            if images is None:
                raise UnreadableImage("no image source")
            pictures.append((uri, images.read(uri)))
        except UnreadableImage:
            unreadable.append(uri)
    snapshot = canonical_bytes(
        {
            "listing": ListingOut.model_validate(listing).model_dump(mode="json"),
            "captured_at": captured_at.isoformat(),
            "source": listing.url or listing.source,
            "images": [{"uri": uri, "sha256": sha256_hex(data)} for uri, data in pictures],
            "unreadable_images": unreadable,
        }
    )
    evidence = Evidence(
        listing_id=listing.id,
        sha256=sha256_hex(snapshot),
        snapshot=snapshot,
        captured_at=captured_at,
        images=[
            EvidenceImage(position=i, uri=uri, sha256=sha256_hex(data), data=data)
            for i, (uri, data) in enumerate(pictures)
        ],
    )
    db.add(evidence)
    db.flush()
    return evidence


def anchor(*, ledger: Ledger, evidence: Evidence) -> None:
    """Record the snapshot's hash on the node's ledger; its position once it has one."""
    evidence.ledger_position = ledger.anchor(evidence.sha256).position


class BundledImage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uri: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    data: Base64Bytes


class EvidenceBundle(BaseModel):
    """Everything needed to check, offline, that evidence is what the node anchored."""

    model_config = ConfigDict(extra="forbid")

    format: str = BUNDLE_FORMAT
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    snapshot: Base64Bytes
    images: list[BundledImage]
    receipt: Receipt

    @classmethod
    def parse(cls, data: str | bytes) -> "EvidenceBundle":
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            raise EvidenceError(
                f"not an evidence bundle: {str(exc).splitlines()[0]}", code="malformed_bundle"
            ) from None

    def verify(self, trust: TrustBundle) -> tuple[Organisation, dict[str, Any]]:
        """The organisation that anchored the evidence and the snapshot, or EvidenceError."""
        if self.format != BUNDLE_FORMAT:
            raise EvidenceError(f"unknown bundle format {self.format!r}", code="unknown_format")
        if sha256_hex(self.snapshot) != self.sha256:
            raise EvidenceError(
                "the snapshot does not hash to the anchored SHA-256", code="tampered"
            )
        try:
            snapshot = parse_canonical(self.snapshot)
        except MalformedData as exc:
            raise EvidenceError(f"the snapshot is not canonical: {exc}", code="tampered") from None
        listed = [(i["uri"], i["sha256"]) for i in snapshot.get("images", [])]
        carried = [(i.uri, i.sha256) for i in self.images]
        if listed != carried:
            raise EvidenceError("the images are not those the snapshot lists", code="tampered")
        for image in self.images:
            if sha256_hex(image.data) != image.sha256:
                raise EvidenceError(f"image {image.uri} has been altered", code="tampered")
        tx = self.receipt.transaction
        if tx.type is not TxType.EVIDENCE_CAPTURED or tx.payload.get("sha256") != self.sha256:
            raise EvidenceError("the receipt anchors other evidence", code="wrong_receipt")
        try:
            submitter = self.receipt.verify(trust)
        except LedgerError as exc:
            raise EvidenceError(
                f"the ledger receipt does not verify: {exc.message}", code=exc.code
            ) from None
        return submitter, snapshot


def export_bundle(*, ledger: Ledger, evidence: Evidence) -> EvidenceBundle:
    """The evidence with the ledger's receipt of its anchoring."""
    if evidence.ledger_position is None:
        raise EvidenceError("this evidence was never anchored on the ledger", code="not_anchored")
    if not evidence.snapshot:  # its retention ran out, or its subject had it erased
        raise EvidenceError(
            "this evidence was erased (personal data); its SHA-256 stays on the ledger",
            code="evidence_erased",
        )
    return EvidenceBundle(
        sha256=evidence.sha256,
        snapshot=evidence.snapshot,
        images=[BundledImage(uri=i.uri, sha256=i.sha256, data=i.data) for i in evidence.images],
        receipt=ledger.receipt(evidence.ledger_position),
    )
