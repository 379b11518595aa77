"""The deterministic contract: every transaction is checked against the state and
applied. Pure (no I/O, no clock, no randomness), so every backend, including
Fabric chaincode, runs the same rules and reaches the same state.

State is a key-value world. :func:`reads` names the keys a transaction looks
at (the caller loads them from wherever the state lives); :func:`apply`
returns the keys it writes, or raises :class:`ContractViolation`.

    mark/<id>      {"issuer": organisation, "status": active|suspended|revoked|expired}
    mark-event/<id>   true: a lifecycle event of an existing mark, recorded by its issuer
    evidence/<sha256>, lead/<id>, filing/<id>, receipt/<filing id>   true
"""

from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import OFFICES, Organisation
from ipfed.ledger.transactions import Transaction, TxType


class MarkStatus(StrEnum):
    """A mark's status. It is ledger state, which this contract checks on every backend,
    so it is defined here (the ledger imports nothing of the registry);
    :mod:`ipfed.registry.lifecycle` holds the rest of the mark rules and re-exports it."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


# The mark lifecycle: which status may follow which.
TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        MarkStatus.ACTIVE: frozenset(
            {MarkStatus.SUSPENDED, MarkStatus.REVOKED, MarkStatus.EXPIRED}
        ),
        MarkStatus.SUSPENDED: frozenset(
            {MarkStatus.ACTIVE, MarkStatus.REVOKED, MarkStatus.EXPIRED}
        ),
        MarkStatus.REVOKED: frozenset(),
        MarkStatus.EXPIRED: frozenset(),
    }
)

State = Mapping[str, Any]


class ContractViolation(LedgerError):
    code = "contract_violation"


def _field(tx: Transaction, name: str, sha256: bool = False) -> str:
    value = tx.payload.get(name)
    if not isinstance(value, str) or not value or "/" in value:
        raise ContractViolation(f"{tx.type} needs a {name}", code="missing_field")
    if sha256 and not (len(value) == 64 and all(c in "0123456789abcdef" for c in value)):
        raise ContractViolation(f"{name} is a SHA-256 in hex", code="bad_field")
    return value


def reads(tx: Transaction) -> set[str]:
    """The state keys ``tx`` reads (its writes are among them)."""
    try:
        return set(_RULES[tx.type][0](tx))
    except ContractViolation:
        return set()  # apply() will refuse it


def apply(state: State, tx: Transaction, signer: Organisation) -> dict[str, Any]:
    """The keys ``tx`` by ``signer`` writes, given ``state`` (at least its read keys)."""
    return _RULES[tx.type][1](state, tx, signer)


def _mark_issued(state: State, tx: Transaction, signer: Organisation) -> dict[str, Any]:
    key = f"mark/{_field(tx, 'mark_id')}"
    if signer.role not in OFFICES:
        raise ContractViolation("only IP offices issue marks", code="not_an_office")
    if key in state:
        raise ContractViolation(f"{key} exists", code="duplicate")
    return {key: {"issuer": signer.name, "status": MarkStatus.ACTIVE.value}}


def _mark_status(state: State, tx: Transaction, signer: Organisation) -> dict[str, Any]:
    key, status = f"mark/{_field(tx, 'mark_id')}", _field(tx, "status")
    current = state.get(key)
    if current is None:
        raise ContractViolation(f"no {key}", code="unknown_mark")
    if current["issuer"] != signer.name:
        raise ContractViolation(
            "only the issuing office changes a mark's status", code="not_issuer"
        )
    if status not in TRANSITIONS.get(current["status"], frozenset()):
        raise ContractViolation(
            f"a {current['status']} mark cannot become {status}", code="bad_transition"
        )
    return {key: {**current, "status": status}}


def _mark_event(state: State, tx: Transaction, signer: Organisation) -> dict[str, Any]:
    mark = state.get(f"mark/{_field(tx, 'mark_id')}")
    if mark is None:
        raise ContractViolation("an event belongs to an issued mark", code="unknown_mark")
    if mark["issuer"] != signer.name:
        raise ContractViolation("the issuing office records a mark's events", code="not_issuer")
    _field(tx, "sha256", sha256=True)
    return _new(f"mark-event/{_field(tx, 'event_id')}")(state)


def _new(key: str) -> Callable[[State], dict[str, Any]]:
    def write(state: State) -> dict[str, Any]:
        if key in state:
            raise ContractViolation(f"{key} is already recorded", code="duplicate")
        return {key: True}

    return write


def _evidence(state: State, tx: Transaction, signer: Organisation) -> dict[str, Any]:
    return _new(f"evidence/{_field(tx, 'sha256', sha256=True)}")(state)


def _lead(state: State, tx: Transaction, signer: Organisation) -> dict[str, Any]:
    evidence = f"evidence/{_field(tx, 'evidence_sha256', sha256=True)}"
    if evidence not in state:
        raise ContractViolation("a lead record references captured evidence", code="no_evidence")
    return _new(f"lead/{_field(tx, 'lead_id')}")(state)


def _filing_received(state: State, tx: Transaction, signer: Organisation) -> dict[str, Any]:
    _field(tx, "sha256", sha256=True)
    return {f"filing/{_field(tx, 'filing_id')}": True}


def _filing_receipt(state: State, tx: Transaction, signer: Organisation) -> dict[str, Any]:
    filing = _field(tx, "filing_id")
    if f"filing/{filing}" not in state:
        raise ContractViolation(
            "a receipt references a filing the receiver holds", code="no_filing"
        )
    return _new(f"receipt/{filing}")(state)


Rule = Callable[[State, Transaction, Organisation], dict[str, Any]]
_RULES: Mapping[TxType, tuple[Callable[[Transaction], list[str]], Rule]] = {
    TxType.MARK_ISSUED: (lambda tx: [f"mark/{_field(tx, 'mark_id')}"], _mark_issued),
    TxType.MARK_STATUS: (lambda tx: [f"mark/{_field(tx, 'mark_id')}"], _mark_status),
    TxType.MARK_EVENT: (
        lambda tx: [f"mark/{_field(tx, 'mark_id')}", f"mark-event/{_field(tx, 'event_id')}"],
        _mark_event,
    ),
    TxType.EVIDENCE_CAPTURED: (lambda tx: [f"evidence/{_field(tx, 'sha256')}"], _evidence),
    TxType.LEAD_RECORDED: (
        lambda tx: [f"evidence/{_field(tx, 'evidence_sha256')}", f"lead/{_field(tx, 'lead_id')}"],
        _lead,
    ),
    TxType.FILING_RECEIVED: (lambda tx: [f"filing/{_field(tx, 'filing_id')}"], _filing_received),
    TxType.FILING_RECEIPT: (
        lambda tx: [f"filing/{_field(tx, 'filing_id')}", f"receipt/{_field(tx, 'filing_id')}"],
        _filing_receipt,
    ),
}
