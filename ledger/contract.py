"""The deterministic contract: every transaction is checked against the state and
applied. Pure (no I/O, no clock, no randomness), so every backend, including
Fabric chaincode, runs the same rules and reaches the same state."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import Organisation, Role
from ipfed.ledger.transactions import Transaction, TxType

OFFICES = frozenset({Role.NATIONAL, Role.REGIONAL})

# The mark lifecycle: which status may follow which.
TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "active": frozenset({"suspended", "revoked", "expired"}),
        "suspended": frozenset({"active", "revoked", "expired"}),
        "revoked": frozenset(),
        "expired": frozenset(),
    }
)


class ContractViolation(LedgerError):
    code = "contract_violation"


@dataclass(frozen=True)
class MarkState:
    issuer: str  # organisation name
    status: str


@dataclass(frozen=True)
class State:
    marks: Mapping[str, MarkState] = field(default_factory=dict)
    evidence: frozenset[str] = frozenset()
    leads: frozenset[str] = frozenset()
    filings_held: frozenset[str] = frozenset()
    receipts: frozenset[str] = frozenset()


def _field(tx: Transaction, name: str, pattern: str | None = None) -> str:
    value = tx.payload.get(name)
    if not isinstance(value, str) or not value:
        raise ContractViolation(f"{tx.type} needs a {name}", code="missing_field")
    if pattern == "sha256" and not (
        len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    ):
        raise ContractViolation(f"{name} is a SHA-256 in hex", code="bad_field")
    return value


def apply(state: State, tx: Transaction, signer: Organisation) -> State:
    """The state after ``tx`` by ``signer``, or :class:`ContractViolation`."""
    handler = _HANDLERS.get(tx.type)
    if handler is None:  # pragma: no cover - TxType and the handlers are kept in step
        raise ContractViolation(f"no rule for {tx.type}", code="unknown_type")
    return handler(state, tx, signer)


def _mark_issued(state: State, tx: Transaction, signer: Organisation) -> State:
    mark = _field(tx, "mark_id")
    if signer.role not in OFFICES:
        raise ContractViolation("only IP offices issue marks", code="not_an_office")
    if mark in state.marks:
        raise ContractViolation(f"mark {mark} exists", code="duplicate")
    return replace(state, marks={**state.marks, mark: MarkState(signer.name, "active")})


def _mark_status(state: State, tx: Transaction, signer: Organisation) -> State:
    mark, status = _field(tx, "mark_id"), _field(tx, "status")
    current = state.marks.get(mark)
    if current is None:
        raise ContractViolation(f"no mark {mark}", code="unknown_mark")
    if current.issuer != signer.name:
        raise ContractViolation(
            "only the issuing office changes a mark's status", code="not_issuer"
        )
    if status not in TRANSITIONS.get(current.status, frozenset()):
        raise ContractViolation(
            f"a {current.status} mark cannot become {status}", code="bad_transition"
        )
    return replace(state, marks={**state.marks, mark: replace(current, status=status)})


def _evidence(state: State, tx: Transaction, signer: Organisation) -> State:
    digest = _field(tx, "sha256", "sha256")
    if digest in state.evidence:
        raise ContractViolation("this evidence is already anchored", code="duplicate")
    return replace(state, evidence=state.evidence | {digest})


def _lead(state: State, tx: Transaction, signer: Organisation) -> State:
    lead, evidence = _field(tx, "lead_id"), _field(tx, "evidence_sha256", "sha256")
    if evidence not in state.evidence:
        raise ContractViolation("a lead record references captured evidence", code="no_evidence")
    if lead in state.leads:
        raise ContractViolation(f"lead {lead} is already recorded", code="duplicate")
    return replace(state, leads=state.leads | {lead})


def _filing_received(state: State, tx: Transaction, signer: Organisation) -> State:
    filing = _field(tx, "filing_id")
    _field(tx, "sha256", "sha256")
    return replace(state, filings_held=state.filings_held | {filing})


def _filing_receipt(state: State, tx: Transaction, signer: Organisation) -> State:
    filing = _field(tx, "filing_id")
    if filing not in state.filings_held:
        raise ContractViolation(
            "a receipt references a filing the receiver holds", code="no_filing"
        )
    if filing in state.receipts:
        raise ContractViolation(f"filing {filing} already has a receipt", code="duplicate")
    return replace(state, receipts=state.receipts | {filing})


Rule = Callable[[State, Transaction, Organisation], State]

_HANDLERS: Mapping[TxType, Rule] = {
    TxType.MARK_ISSUED: _mark_issued,
    TxType.MARK_STATUS: _mark_status,
    TxType.EVIDENCE_CAPTURED: _evidence,
    TxType.LEAD_RECORDED: _lead,
    TxType.FILING_RECEIVED: _filing_received,
    TxType.FILING_RECEIPT: _filing_receipt,
}
