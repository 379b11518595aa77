"""The rules of a mark's life, one definition for the node that issues marks, the SDK
that verifies them and the ledger's contract: the statuses and which may follow
which, what each status list flags, how long a mark may be valid, which classes it
may cover, and what it may be used for.

The statuses and their transitions are ledger state, checked by the contract on every
ledger backend; the ledger imports nothing of the registry, so they are defined with
the contract (:mod:`ipfed.ledger.contract`) and read from here.
"""

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from ipfed.ledger.contract import TRANSITIONS, MarkStatus
from ipfed.registry.credential import Claims
from ipfed.registry.errors import (
    MarkExpired,
    MarkRevoked,
    MarkSuspended,
    NotYetValid,
    OutOfScope,
    UnlicensedSeller,
    VerificationError,
)
from ipfed.registry.status_list import StatusPurpose

__all__ = [
    "DEFAULT_VALIDITY",
    "LISTED",
    "STATUS_ERRORS",
    "TRANSITIONS",
    "MarkStatus",
    "check_status",
    "check_use",
    "check_validity",
    "latest_validity",
    "scope_classes",
]

DEFAULT_VALIDITY = timedelta(days=5 * 365)  # for rights with no end date (indications)

# Which marks each status list flags: a lapsed right's marks are as dead as revoked ones.
LISTED: Mapping[StatusPurpose, tuple[MarkStatus, ...]] = {
    StatusPurpose.REVOCATION: (MarkStatus.REVOKED, MarkStatus.EXPIRED),
    StatusPurpose.SUSPENSION: (MarkStatus.SUSPENDED,),
}

STATUS_ERRORS: Mapping[MarkStatus, type[VerificationError]] = {
    MarkStatus.SUSPENDED: MarkSuspended,
    MarkStatus.REVOKED: MarkRevoked,
    MarkStatus.EXPIRED: MarkExpired,
}


def check_status(status: MarkStatus, reason: str | None) -> None:
    """Raise the error of ``status`` unless the mark is active."""
    if status is not MarkStatus.ACTIVE:
        raise STATUS_ERRORS[status](reason or f"the mark is {status}")


def check_validity(claims: Claims, today: date) -> None:
    """Raise unless ``today`` is within the mark's validity."""
    if today < claims.valid_from:
        raise NotYetValid(f"the mark is valid from {claims.valid_from}")
    if today > claims.valid_until:
        raise MarkExpired(f"the mark expired on {claims.valid_until}")


def latest_validity(today: date, *ends: date | None) -> date:
    """The last day a mark may be valid: not after its right or licence ends (``ends``),
    and :data:`DEFAULT_VALIDITY` from ``today`` for a right that never ends."""
    known = [end for end in ends if end is not None]
    return min(known) if known else today + DEFAULT_VALIDITY


def scope_classes(requested: Sequence[int] | None, registered: Sequence[int] | None) -> list[int]:
    """The Nice classes a mark covers: those ``requested``, or every class its trademark
    is ``registered`` in; none for a right without classes (``registered`` None)."""
    if registered is None:
        if requested:
            raise OutOfScope("only trademark marks have Nice classes")
        return []
    classes = list(requested or registered)
    outside = set(classes) - set(registered)
    if outside:
        raise OutOfScope(f"classes {sorted(outside)} are not registered")
    return classes


def check_use(claims: Claims, product_class: int | str | None, seller: str | None) -> None:
    """Raise unless the mark covers goods of ``product_class`` offered by ``seller``.

    A unit code is on a genuine unit, which anyone may resell; the seller is checked
    for a mark, whose use claims the holder's or licensee's authority.
    """
    if seller is not None and not claims.is_unit and seller != (claims.licensee or claims.holder):
        raise UnlicensedSeller(f"{seller} is not who the mark is issued to")
    if product_class is None:
        return
    if isinstance(product_class, int):
        if claims.nice_classes and product_class not in claims.nice_classes:
            raise OutOfScope(f"Nice class {product_class} is outside the mark's classes")
    elif claims.locarno_class and product_class[:2] != claims.locarno_class[:2]:
        raise OutOfScope(f"Locarno class {product_class} is outside {claims.locarno_class}")
