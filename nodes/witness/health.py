"""The ledger's health as this node knows it: each log's latest checkpoint it verified
(size, root, when), who signed it (the log's office) and who cosigned it (witnesses),
and this node's own log with the cosignatures its witnesses gave it."""

import base64
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.ledger.checkpoint import Checkpoint, log_region
from ipfed.ledger.errors import LedgerError
from ipfed.ledger.note import SignedNote
from ipfed.ledger.owner import verify_checkpoint
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.ledger.models import StoredCheckpoint
from ipfed.nodes.witness.service import witnessed


@dataclass(frozen=True)
class LogHealth:
    origin: str
    region_code: str | None
    size: int
    root: str  # base64, as in the checkpoint
    at: datetime  # when this node verified it (its own log: when it signed it)
    owner: str | None  # the office whose log it is; None: its signature does not verify
    witnesses: list[str]  # organisations whose cosignatures verify
    own: bool = False


def _health(note_text: str, bundle: TrustBundle, at: datetime, own: bool) -> LogHealth:
    note = SignedNote.parse(note_text)
    checkpoint = Checkpoint.parse(note.text)
    try:
        verified = verify_checkpoint(note, bundle)
        owner: str | None = verified.owner.name
        witnesses = [s.name for s in verified.signers if s != verified.owner]
    except LedgerError:
        owner, witnesses = None, []
    return LogHealth(
        origin=checkpoint.origin,
        region_code=log_region(checkpoint.origin),
        size=checkpoint.size,
        root=base64.b64encode(checkpoint.root).decode(),
        at=at,
        owner=owner,
        witnesses=list(dict.fromkeys(witnesses)),
        own=own,
    )


def own_log(*, db: Session, bundle: TrustBundle) -> LogHealth | None:
    """This node's latest signed checkpoint, with the cosignatures gathered for it."""
    latest = db.scalars(
        select(StoredCheckpoint).order_by(StoredCheckpoint.size.desc()).limit(1)
    ).first()
    return _health(latest.note, bundle, latest.signed_at, own=True) if latest else None


def known_logs(*, db: Session, bundle: TrustBundle) -> list[LogHealth]:
    """Every other log's largest checkpoint this node verified, by origin."""
    return [_health(known.note, bundle, known.updated_at, own=False) for known in witnessed(db=db)]
