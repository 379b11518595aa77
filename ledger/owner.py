"""Whose log a checkpoint is about, and that it signed it.

A log's origin is ``ipfed/<region code>/<node id>``: the node of one office, and the
office is the organisation the trust bundle names with an office role and that region
code. A checkpoint speaks for a log only with that office's signature; signatures of
others (witnesses) add to it but never replace it.
"""

from dataclasses import dataclass

from ipfed.ledger.checkpoint import Checkpoint, log_region
from ipfed.ledger.identity import OFFICES, Organisation, UntrustedIdentity
from ipfed.ledger.note import SignedNote
from ipfed.ledger.trust import TrustBundle


class NotTheLogOwner(UntrustedIdentity):
    """A checkpoint that its log's own office has not signed."""

    code = "not_the_log_owner"


@dataclass(frozen=True)
class VerifiedCheckpoint:
    checkpoint: Checkpoint
    owner: Organisation  # the office whose log it is
    signers: tuple[Organisation, ...]  # every organisation whose signature verified

    @property
    def witnesses(self) -> list[Organisation]:
        """The offices other than the log's owner that cosigned it."""
        return [s for s in self.signers if s.role in OFFICES and s != self.owner]


def is_owner(organisation: Organisation, origin: str) -> bool:
    region = log_region(origin)
    return organisation.role in OFFICES and organisation.region_code == region


def verify_checkpoint(note: SignedNote, bundle: TrustBundle) -> VerifiedCheckpoint:
    """The checkpoint, once the signature of the office whose log it is verifies.

    Raises :class:`NotTheLogOwner` when only other organisations signed it, whatever
    their role: Zhejiang's office cannot vouch for Shanghai's log, nor can a Shanghai
    platform.
    """
    signers = tuple(note.verify(bundle))
    checkpoint = Checkpoint.parse(note.text)
    owner = next((s for s in signers if is_owner(s, checkpoint.origin)), None)
    if owner is None:
        others = ", ".join(sorted({s.name for s in signers}))
        raise NotTheLogOwner(
            f"the checkpoint of {checkpoint.origin} is not signed by that log's office"
            f" (only by {others})"
        )
    return VerifiedCheckpoint(checkpoint, owner, signers)
