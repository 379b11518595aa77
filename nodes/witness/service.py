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
    the proof): record it with :func:`raise_alarm` in a transaction of its own,
    since this one is rolled back.
    """
    checkpoint = Checkpoint.parse(note.text)
    stored = db.get(KnownCheckpoint, checkpoint.origin)
    last = Checkpoint.parse(SignedNote.parse(stored.note).text) if stored else None
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
    if stored is None:
        db.add(
            KnownCheckpoint(
                origin=checkpoint.origin,
                size=checkpoint.size,
                root=checkpoint.root,
                note=str(cosigned),
            )
        )
    else:
        stored.size, stored.root, stored.note = checkpoint.size, checkpoint.root, str(cosigned)
    return cosigned


def raise_alarm(*, db: Session, split: SplitView) -> Alarm:
    origin = str(split.evidence.get("origin", ""))
    alarm = Alarm(kind="split_view", origin=origin, detail=split.message, evidence=split.evidence)
    db.add(alarm)
    db.flush()
    log.error("split view of %s: %s", origin, split.message)
    return alarm


def alarms(*, db: Session, origin: str | None = None) -> Sequence[Alarm]:
    query = select(Alarm).order_by(Alarm.id)
    if origin:
        query = query.where(Alarm.origin == origin)
    return db.scalars(query).all()


def witnessed(*, db: Session) -> Sequence[KnownCheckpoint]:
    return db.scalars(select(KnownCheckpoint).order_by(KnownCheckpoint.origin)).all()
