import base64
import logging
from collections.abc import Sequence

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.identity import PrivateKey
from ipfed.ledger.note import SignedNote
from ipfed.ledger.trust import TrustBundle
from ipfed.ledger.witness import SplitView, cosign
from ipfed.nodes.witness.models import Alarm, KnownCheckpoint

log = logging.getLogger(__name__)


def add_checkpoint(
    *,
    db: Session,
    note: SignedNote,
    old_size: int,
    proof: list[bytes],
    bundle: TrustBundle,
    key: PrivateKey,
    certificate: x509.Certificate,
) -> SignedNote:
    """Cosign ``note`` if it extends what was cosigned for its log.

    A split view raises :class:`SplitView` with ``evidence`` set (both notes and
    the proof), for the caller to record with :func:`raise_alarm`.
    """
    checkpoint = Checkpoint.parse(note.text)
    stored = db.get(KnownCheckpoint, checkpoint.origin)
    last = stored.checkpoint if stored else None
    try:
        cosigned, _ = cosign(
            note,
            last=last,
            old_size=old_size,
            proof=proof,
            bundle=bundle,
            key=key,
            certificate=certificate,
        )
    except SplitView as exc:
        exc.evidence = {
            "origin": checkpoint.origin,
            "cosigned": stored.note if stored else None,
            "presented": str(note),
            "proof": [base64.b64encode(p).decode() for p in proof],
        }
        raise
    remember(db=db, checkpoint=checkpoint, note=cosigned)
    return cosigned


def remember(*, db: Session, checkpoint: Checkpoint, note: SignedNote) -> None:
    """Keep ``checkpoint`` (verified consistent) as the largest known of its log."""
    known = db.get(KnownCheckpoint, checkpoint.origin)
    if known is None:
        db.add(
            KnownCheckpoint(
                origin=checkpoint.origin, size=checkpoint.size, root=checkpoint.root, note=str(note)
            )
        )
    elif checkpoint.size >= known.size:
        known.size, known.root, known.note = checkpoint.size, checkpoint.root, str(note)


def raise_alarm(*, db: Session, split: SplitView) -> Alarm:
    origin = str(split.evidence.get("origin", ""))
    alarm = Alarm(kind=split.code, origin=origin, detail=split.message, evidence=split.evidence)
    db.add(alarm)
    db.flush()
    log.error("%s of %s: %s", split.code.replace("_", " "), origin, split.message)
    return alarm


def alarms(
    *, db: Session, origin: str | None = None, after: str | None = None, limit: int | None = None
) -> Sequence[Alarm]:
    query = select(Alarm).order_by(Alarm.id).limit(limit)
    if after is not None:
        query = query.where(Alarm.id > after)
    if origin:
        query = query.where(Alarm.origin == origin)
    return db.scalars(query).all()


def witnessed(
    *, db: Session, after: str | None = None, limit: int | None = None
) -> Sequence[KnownCheckpoint]:
    query = select(KnownCheckpoint).order_by(KnownCheckpoint.origin).limit(limit)
    if after is not None:
        query = query.where(KnownCheckpoint.origin > after)
    return db.scalars(query).all()
