"""Witnessing: cosign a log's checkpoint only if it extends the last one cosigned.

The shape of C2SP tlog-witness: the log presents its new signed checkpoint,
the size of the last checkpoint the witness cosigned for it, and a consistency
proof between the two. A checkpoint that contradicts what was cosigned before
(same size, other root; or no valid consistency proof) is a split view.
"""

from cryptography import x509

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.errors import InvalidProof, LedgerError
from ipfed.ledger.identity import Organisation, PrivateKey
from ipfed.ledger.merkle import verify_consistency
from ipfed.ledger.note import SignedNote
from ipfed.ledger.owner import verify_checkpoint
from ipfed.ledger.trust import TrustBundle


class StaleCheckpoint(LedgerError):
    """The log's idea of the witness's last checkpoint is out of date; retry from ``size``."""

    code = "stale_old_size"

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size


class SplitView(LedgerError):
    """Two checkpoints of one log that cannot both be true: evidence of a forked history."""

    code = "split_view"
    evidence: dict[str, object] = {}


class RolledBack(SplitView):
    """A log showing an older checkpoint than it showed before: the newer ones are gone."""

    code = "rolled_back"


def check_extends(
    last: Checkpoint | None, new: Checkpoint, old_size: int, proof: list[bytes]
) -> None:
    """Raise unless ``new`` extends ``last`` (the witness's latest for this origin)."""
    known = last.size if last else 0
    if old_size != known:
        raise StaleCheckpoint(f"the last cosigned size is {known}, not {old_size}", known)
    if last is None or last.size == 0:
        return  # trust on first use
    if new.size < last.size:
        raise SplitView(f"size {new.size} is older than the cosigned {last.size}")
    compare(last, new, proof)


def cosign(
    note: SignedNote,
    *,
    last: Checkpoint | None,
    old_size: int,
    proof: list[bytes],
    bundle: TrustBundle,
    key: PrivateKey,
    certificate: x509.Certificate,
) -> tuple[SignedNote, Organisation]:
    """The note cosigned by this witness, and the log organisation that signed it.

    Only the office whose log it is may present its checkpoints (see
    :mod:`ipfed.ledger.owner`), so no node speaks for another's log.
    """
    verified = verify_checkpoint(note, bundle)
    check_extends(last, verified.checkpoint, old_size, proof)
    return note.signed_by(key, certificate), verified.owner


def compare(known: Checkpoint, other: Checkpoint, proof: list[bytes]) -> None:
    """Raise :class:`SplitView` unless two checkpoints of one log can both be true.

    ``proof`` is the consistency proof from the smaller to the larger (ignored
    when the sizes are equal).
    """
    if known.origin != other.origin:
        raise LedgerError("checkpoints of two different logs", code="different_logs")
    if known.size == other.size:
        if known.root != other.root:
            raise SplitView(f"{known.origin} has two different roots at size {known.size}")
        return
    older, newer = sorted((known, other), key=lambda c: c.size)
    if older.size == 0:
        return
    try:
        verify_consistency(older.size, newer.size, older.root, newer.root, proof)
    except InvalidProof as exc:
        raise SplitView(
            f"{older.origin} at {newer.size} does not extend its size {older.size}: {exc.message}"
        ) from None
