"""Routing: who receives a message, as the work plan sets it, in one table of rules.

A rule names the message types it applies to, an optional condition, whom the
message goes to, and (``send_as``) whether they receive a derived message of
another type instead, as the national node receives a *lead record* of every
lead a regional node pushes. :func:`route` applies every rule and returns one
:class:`Dispatch` per message type to send.

An authority with jurisdiction that the directory does not hold is replaced by
the office of that province, and failing that by the national office: a lead
always reaches someone who can act on it or pass it on.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from ipfed.exchange.directory import Directory, province_of
from ipfed.exchange.errors import Unroutable
from ipfed.exchange.messages import (
    PATENT_INFRINGEMENT,
    Body,
    ClueTransfer,
    CrossBorderAlert,
    CrossBorderRisk,
    ExhibitAlert,
    LeadKind,
    LeadPush,
    LeadRecord,
    MessageType,
)
from ipfed.ledger.identity import Organisation, Role

ALL_TYPES = frozenset(MessageType)


def region_of(body: Body) -> str | None:
    """The region a message is about: where someone must act."""
    if isinstance(body, LeadPush | LeadRecord):
        return body.lead.jurisdiction
    if isinstance(body, ClueTransfer):
        return body.to_region
    if isinstance(body, CrossBorderAlert | ExhibitAlert):
        return body.region_code
    return None


# --- conditions -------------------------------------------------------------


@dataclass(frozen=True)
class Always:
    def holds(self, body: Body, sender: Organisation) -> bool:
        return True


@dataclass(frozen=True)
class LeadOfKind:
    kinds: frozenset[LeadKind]

    def holds(self, body: Body, sender: Organisation) -> bool:
        return isinstance(body, LeadPush) and body.lead.kind in self.kinds


@dataclass(frozen=True)
class ForeignRelated:
    def holds(self, body: Body, sender: Organisation) -> bool:
        return isinstance(body, LeadPush) and body.lead.foreign_related


@dataclass(frozen=True)
class SentBy:
    role: Role

    def holds(self, body: Body, sender: Organisation) -> bool:
        return sender.role is self.role


Condition = Always | LeadOfKind | ForeignRelated | SentBy


# --- recipients -------------------------------------------------------------


@dataclass(frozen=True)
class WithJurisdiction:
    """The organisation of ``role`` with jurisdiction over the message's region."""

    role: Role

    def select(self, body: Body, directory: Directory) -> list[Organisation]:
        region = region_of(body)
        if region is None:
            return []
        found = directory.with_jurisdiction(self.role, region)
        if found is None:  # nobody of that kind there: the office of the province passes it on
            found = directory.with_jurisdiction(Role.REGIONAL, province_of(region))
        if found is None:
            found = directory.national()
        return [found] if found else []


@dataclass(frozen=True)
class National:
    """The national organisation of ``role`` (by default the national office)."""

    role: Role = Role.NATIONAL

    def select(self, body: Body, directory: Directory) -> list[Organisation]:
        found = directory.national(self.role)
        return [found] if found else []


@dataclass(frozen=True)
class Named:
    """The organisation the body names at ``path`` (e.g. ``lead.right_holder``)."""

    path: str

    def select(self, body: Body, directory: Directory) -> list[Organisation]:
        value: object = body
        for part in self.path.split("."):
            value = getattr(value, part, None)
        found = directory.named(value) if isinstance(value, str) else None
        return [found] if found else []


@dataclass(frozen=True)
class EveryOffice:
    def select(self, body: Body, directory: Directory) -> list[Organisation]:
        return directory.with_role(Role.NATIONAL, Role.REGIONAL)


Recipient = WithJurisdiction | National | Named | EveryOffice


@dataclass(frozen=True)
class Rule:
    name: str  # the work plan's words
    types: frozenset[MessageType]
    to: tuple[Recipient, ...]
    when: Condition = Always()
    send_as: MessageType | None = None


RULES: tuple[Rule, ...] = (
    Rule(
        "patent-infringement leads go to the assistance centre and the rights holder",
        frozenset({MessageType.LEAD_PUSH}),
        to=(WithJurisdiction(Role.ASSISTANCE_CENTRE), Named("lead.right_holder")),
        when=LeadOfKind(PATENT_INFRINGEMENT),
    ),
    Rule(
        "counterfeit-patent and trademark leads go to the enforcement authority with jurisdiction",
        frozenset({MessageType.LEAD_PUSH}),
        to=(WithJurisdiction(Role.ENFORCEMENT),),
        when=LeadOfKind(frozenset({LeadKind.PATENT_MARKING, LeadKind.TRADEMARK})),
    ),
    Rule(
        "leads found by a regional node are also recorded at the national node",
        frozenset({MessageType.LEAD_PUSH}),
        to=(National(),),
        when=SentBy(Role.REGIONAL),
        send_as=MessageType.LEAD_RECORD,
    ),
    Rule(
        "foreign-related leads also go to the overseas dispute-response centre",
        frozenset({MessageType.LEAD_PUSH}),
        to=(National(Role.OVERSEAS_CENTRE), WithJurisdiction(Role.OVERSEAS_CENTRE)),
        when=ForeignRelated(),
        send_as=MessageType.CROSS_BORDER_ALERT,
    ),
    Rule(
        "cross-border alerts go to the overseas dispute-response centre and its sub-centre",
        frozenset({MessageType.CROSS_BORDER_ALERT}),
        to=(National(Role.OVERSEAS_CENTRE), WithJurisdiction(Role.OVERSEAS_CENTRE)),
    ),
    Rule(
        "clues are transferred to the office of the province with jurisdiction",
        frozenset({MessageType.CLUE_TRANSFER}),
        to=(WithJurisdiction(Role.REGIONAL),),
    ),
    Rule(
        "feedback goes back to the organisation that pushed the lead",
        frozenset({MessageType.LEAD_FEEDBACK}),
        to=(Named("found_by"),),
    ),
    Rule(
        "filings go to the national office, receipts back to the office that filed",
        frozenset({MessageType.FILING_SUBMISSION, MessageType.FILING_RECEIPT}),
        to=(National(), Named("submitted_by")),
    ),
    Rule(
        "mark status changes go to every office",
        frozenset({MessageType.MARK_STATUS}),
        to=(EveryOffice(),),
    ),
    Rule(
        "exhibit alerts go to the fair organiser and the enforcement authority where it is held",
        frozenset({MessageType.EXHIBIT_ALERT}),
        to=(Named("organiser"), WithJurisdiction(Role.ENFORCEMENT)),
    ),
    Rule(
        "the national node aggregates everything (a pushed lead as its lead record)",
        ALL_TYPES - {MessageType.LEAD_PUSH},
        to=(National(),),
    ),
)


@dataclass
class Dispatch:
    """One message to send: its body, its recipients and the rules that chose them."""

    body: Body
    recipients: list[Organisation] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def derive(body: Body, as_type: MessageType) -> Body:
    """The message of ``as_type`` a rule sends in place of ``body``."""
    if isinstance(body, LeadPush) and as_type is MessageType.LEAD_RECORD:
        return LeadRecord(lead=body.lead)
    if isinstance(body, LeadPush) and as_type is MessageType.CROSS_BORDER_ALERT:
        return CrossBorderAlert(
            alert_id=body.lead.lead_id,
            risk=CrossBorderRisk.FOREIGN_RELATED_LEAD,
            region_code=body.lead.jurisdiction,
            summary="; ".join(body.lead.reasons),
            lead=body.lead,
        )
    raise Unroutable(f"no {as_type} is derived from a {body.type}", code="bad_rule")


def route(
    body: Body, sender: Organisation, directory: Directory, rules: Sequence[Rule] = RULES
) -> list[Dispatch]:
    """The messages ``sender`` sends for ``body``, each to its recipients (never the sender)."""
    dispatches: dict[MessageType, Dispatch] = {}
    for rule in rules:
        if body.type not in rule.types or not rule.when.holds(body, sender):
            continue
        as_type = rule.send_as or body.type
        dispatch = dispatches.get(as_type)
        if dispatch is None:
            sent = body if as_type is body.type else derive(body, as_type)
            dispatch = dispatches[as_type] = Dispatch(sent)
        for recipient in rule.to:
            for organisation in recipient.select(dispatch.body, directory):
                if organisation != sender and organisation not in dispatch.recipients:
                    dispatch.recipients.append(organisation)
        dispatch.rules.append(rule.name)
    push = dispatches.get(MessageType.LEAD_PUSH)
    record = dispatches.get(MessageType.LEAD_RECORD)
    if push is not None and record is not None and isinstance(record.body, LeadRecord):
        pushed_to = [o.name for o in push.recipients]
        record.body = record.body.model_copy(update={"pushed_to": pushed_to})
    routed = [d for d in dispatches.values() if d.recipients]
    if not routed:
        raise Unroutable(f"the routing rules name no recipient for this {body.type}")
    return routed
