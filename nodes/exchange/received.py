"""Leads received for the record at the national node: every lead a regional node
pushes reaches it as a lead record (``exchange/routing.py``), kept in the inbox.
Here they are read back by the region that sent them, their kind and the week they
arrived, counted, and drawn as a chart."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import Envelope
from ipfed.exchange.errors import Refused
from ipfed.exchange.messages import LeadKind, LeadRecord, MessageType
from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import organisation_of
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.charts import chinese
from ipfed.nodes.exchange.models import InboxEnvelope, InboxState
from ipfed.nodes.filings.calendar import china_today


@dataclass(frozen=True)
class ReceivedLead:
    inbox_id: int
    lead_id: str
    kind: LeadKind
    region_code: str  # of the office that sent it ("" when its certificate is unknown)
    sender: str
    jurisdiction: str  # the seller's region, where someone must act
    title: str | None
    received_at: datetime

    @property
    def week(self) -> str:
        return week_of(self.received_at)


def week_of(moment: datetime) -> str:
    """The ISO week the moment falls in, in China's time: ``2026-W49``."""
    year, week, _ = china_today(moment).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    """The Monday a ``2026-W49`` week begins on."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


@dataclass(frozen=True)
class LeadFilter:
    region: str | None = None
    kind: LeadKind | None = None
    week: str | None = None

    def admits(self, lead: ReceivedLead) -> bool:
        return (
            (self.region is None or lead.region_code == self.region)
            and (self.kind is None or lead.kind is self.kind)
            and (self.week is None or lead.week == self.week)
        )


def received_leads(*, db: Session, bundle: TrustBundle) -> list[ReceivedLead]:
    """Every lead record accepted here, newest first. Records whose bytes were erased
    (past their retention, nodes/privacy) no longer say what they were and are left out."""
    rows = db.scalars(
        select(InboxEnvelope)
        .where(
            InboxEnvelope.type == MessageType.LEAD_RECORD.value,
            InboxEnvelope.state == InboxState.ACCEPTED,
        )
        .order_by(InboxEnvelope.id.desc())
    )
    found = []
    for row in rows:
        if not row.data:
            continue
        try:
            envelope, body = Envelope.opened(row.data)
        except (Refused, LedgerError):
            continue  # accepted once, so not expected; nothing to show of it
        assert isinstance(body, LeadRecord)
        # Verified when it arrived; read now, its certificate may since have expired.
        certificate = bundle.by_key_id.get(envelope.signer)
        region = organisation_of(certificate).region_code if certificate else ""
        found.append(
            ReceivedLead(
                inbox_id=row.id,
                lead_id=body.lead.lead_id,
                kind=body.lead.kind,
                region_code=region,
                sender=envelope.sender,
                jurisdiction=body.lead.jurisdiction,
                title=body.lead.title,
                received_at=row.received_at,
            )
        )
    return found


@dataclass(frozen=True)
class LeadCounts:
    """Leads per (region, kind, week), and the regions, kinds and weeks that occur."""

    counts: Counter[tuple[str, LeadKind, str]]

    @classmethod
    def of(cls, leads: Sequence[ReceivedLead]) -> "LeadCounts":
        return cls(Counter((lead.region_code, lead.kind, lead.week) for lead in leads))

    @property
    def regions(self) -> list[str]:
        return sorted({region for region, _, _ in self.counts})

    @property
    def kinds(self) -> list[LeadKind]:
        present = {kind for _, kind, _ in self.counts}
        return [kind for kind in LeadKind if kind in present]

    @property
    def weeks(self) -> list[str]:
        return sorted({week for _, _, week in self.counts})

    def rows(self) -> list[tuple[str, str, dict[LeadKind, int], int]]:
        """(week, region, count per kind, total), by week then region."""
        found = []
        for week in self.weeks:
            for region in self.regions:
                per_kind = {kind: self.counts[(region, kind, week)] for kind in self.kinds}
                if total := sum(per_kind.values()):
                    found.append((week, region, per_kind, total))
        return found

    def total(self) -> int:
        return sum(self.counts.values())


def _stacked(
    axes: Axes, labels: list[str], per_kind: dict[LeadKind, list[int]], names: dict[LeadKind, str]
) -> None:
    bottom = [0] * len(labels)
    for kind, values in per_kind.items():
        axes.bar(labels, values, bottom=bottom, label=names[kind])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.tick_params(axis="x", labelrotation=45)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # leads are counted whole


def leads_chart(
    counts: LeadCounts,
    *,
    by: str,
    region_names: dict[str, str],
    kind_names: dict[LeadKind, str],
    title: str,
) -> Figure:
    """Leads per region (``by="region"``) or per week (``by="week"``), stacked by kind."""
    if by == "region":
        keys, labels = counts.regions, [region_names.get(r, r) for r in counts.regions]
        per_kind = {
            kind: [sum(counts.counts[(r, kind, w)] for w in counts.weeks) for r in keys]
            for kind in counts.kinds
        }
    else:
        keys = labels = counts.weeks
        per_kind = {
            kind: [sum(counts.counts[(r, kind, w)] for r in counts.regions) for w in keys]
            for kind in counts.kinds
        }
    with chinese():
        figure = Figure(figsize=(6, 4), layout="constrained")
        axes = figure.subplots()
        _stacked(axes, labels, per_kind, kind_names)
        axes.set_title(title)
        if counts.kinds:
            axes.legend(fontsize="small")
    return figure
