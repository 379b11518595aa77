"""The figures a filing reports, computed with pandas from the node's own data.

Every figure is a whole number, so that a filing has one canonical (signed) form:
counts, and review times in whole minutes.

Leads and cross-border alerts are described by the two frames below, so that the
same figures come from a node's tables (:func:`lead_frame`, :func:`alert_frame`)
or from any other source of leads (the bench generates a million):

``LEAD_COLUMNS``
    lead_id (str), kind (trademark | patent_marking | design | invention),
    source (str: the platform or fair where the listing was seen),
    status (suspected | needs_info | confirmed | rejected), found_at (UTC time),
    reviewed_at (UTC time of the confirmation or rejection, NaT until then)
``ALERT_COLUMNS``
    alert_id (str), risk (foreign_related_lead | export_risk),
    countries (list of ISO 3166 codes), created_at (UTC time)
"""

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ipfed.exchange.messages import LeadKind, MessageType
from ipfed.nodes.adjudications.models import Adjudication
from ipfed.nodes.detection.models import Lead, LeadStatus
from ipfed.nodes.exchange.models import OutboxEnvelope
from ipfed.nodes.fairs.models import Exhibit, ExhibitCheck
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.marks.models import BizStep, CloneAlert, Mark, MarkEvent
from ipfed.nodes.rights.models import Right

LEAD_COLUMNS = ("lead_id", "kind", "source", "status", "found_at", "reviewed_at")
ALERT_COLUMNS = ("alert_id", "risk", "countries", "created_at")
LEAD_KINDS = tuple(kind.value for kind in LeadKind)
REVIEWED = (LeadStatus.CONFIRMED, LeadStatus.REJECTED)
SCANS = (BizStep.RETAIL_SELLING, BizStep.INSPECTING)


class Figures(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LeadFigures(Figures):
    total: int = 0
    by_kind: dict[str, int] = {}
    by_source: dict[str, int] = {}
    by_status: dict[str, int] = {}
    reviewed: int = 0
    review_minutes_median: int | None = None
    review_minutes_p90: int | None = None


class CaseFigures(Figures):
    total: int = 0
    by_right_kind: dict[str, int] = {}
    by_decision: dict[str, int] = {}


class MarkFigures(Figures):
    issued: int = 0
    verified: int = 0  # scans by platforms, fairs and inspectors
    suspended: int = 0
    revoked: int = 0
    expired: int = 0
    clone_alerts: int = 0


class ExhibitFigures(Figures):
    registered: int = 0
    flagged: int = 0


class ListingFigures(Figures):
    screened: int = 0
    by_channel: dict[str, int] = {}


class AlertFigures(Figures):
    total: int = 0
    by_risk: dict[str, int] = {}
    by_country: dict[str, int] = {}


class Statistics(Figures):
    leads: LeadFigures = LeadFigures()
    cases: CaseFigures = CaseFigures()
    marks: MarkFigures = MarkFigures()
    exhibits: ExhibitFigures = ExhibitFigures()
    listings: ListingFigures = ListingFigures()
    cross_border: AlertFigures = AlertFigures()


def _counts(column: "pd.Series[str]") -> dict[str, int]:
    return {str(k): int(v) for k, v in column.value_counts(sort=False).sort_index().items()}


def _key(key: object) -> tuple[object, ...]:
    return key if isinstance(key, tuple) else (key,)


def lead_figures_by(leads: pd.DataFrame, by: list[str]) -> dict[tuple[object, ...], LeadFigures]:
    """:func:`lead_figures` of every group of ``leads`` by the columns ``by`` at once
    (e.g. region and month: a year's monthly reports for every province)."""
    counts: dict[str, dict[tuple[object, ...], dict[str, int]]] = {}
    for column in ("kind", "source", "status"):
        per_group: dict[tuple[object, ...], dict[str, int]] = defaultdict(dict)
        for key, count in leads.groupby([*by, column], sort=True).size().items():
            per_group[_key(key)[:-1]][str(_key(key)[-1])] = int(count)
        counts[column] = per_group
    reviewed = leads[leads["reviewed_at"].notna()]
    minutes = (reviewed["reviewed_at"] - reviewed["found_at"]).dt.total_seconds() / 60
    delays = reviewed[by].assign(minutes=minutes).groupby(by)["minutes"]
    review = pd.DataFrame(
        {"reviewed": delays.size(), "median": delays.quantile(0.5), "p90": delays.quantile(0.9)}
    )
    review_of = {_key(key): row for key, row in review.iterrows()}
    figures = {}
    for key, total in leads.groupby(by, sort=True).size().items():
        group = _key(key)
        times = review_of.get(group)
        figures[group] = LeadFigures(
            total=int(total),
            by_kind=counts["kind"][group],
            by_source=counts["source"][group],
            by_status=counts["status"][group],
            reviewed=int(times["reviewed"]) if times is not None else 0,
            review_minutes_median=round(times["median"]) if times is not None else None,
            review_minutes_p90=round(times["p90"]) if times is not None else None,
        )
    return figures


def lead_figures(leads: pd.DataFrame) -> LeadFigures:
    """Leads by kind, source and status, and how long review took (``LEAD_COLUMNS``)."""
    by_group = lead_figures_by(leads.assign(all=0), ["all"])
    return by_group.get((0,), LeadFigures())


def alert_figures(alerts: pd.DataFrame) -> AlertFigures:
    """Cross-border alerts by risk and by country concerned (``ALERT_COLUMNS``)."""
    countries = alerts["countries"].explode().dropna()
    return AlertFigures(
        total=len(alerts), by_risk=_counts(alerts["risk"]), by_country=_counts(countries)
    )


def empty_leads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": pd.Series(dtype="str"),
            "kind": pd.Series(dtype="str"),
            "source": pd.Series(dtype="str"),
            "status": pd.Series(dtype="str"),
            "found_at": pd.Series(dtype="datetime64[us, UTC]"),
            "reviewed_at": pd.Series(dtype="datetime64[us, UTC]"),
        }
    )


def empty_alerts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "alert_id": pd.Series(dtype="str"),
            "risk": pd.Series(dtype="str"),
            "countries": pd.Series(dtype="object"),
            "created_at": pd.Series(dtype="datetime64[us, UTC]"),
        }
    )


def lead_frame(*, db: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """The leads the detection engine found in [start, end), in ``LEAD_COLUMNS``; a lead
    counts as reviewed once confirmed or rejected."""
    query = (
        select(Lead.id, Lead.kind, Listing.source, Lead.status, Lead.created_at, Lead.decided_at)
        .join(Listing, Listing.id == Lead.listing_id)
        .where(Lead.created_at >= start, Lead.created_at < end)
    )
    rows = [
        (lead_id, str(kind), source, str(status), found, decided if status in REVIEWED else None)
        for lead_id, kind, source, status, found, decided in db.execute(query)
    ]
    if not rows:
        return empty_leads()
    leads = pd.DataFrame(rows, columns=list(LEAD_COLUMNS))
    for column in ("found_at", "reviewed_at"):
        leads[column] = pd.to_datetime(leads[column], utc=True)
    return leads


def alert_frame(*, db: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """The cross-border alerts this node sent in [start, end), in ``ALERT_COLUMNS``."""
    query = select(OutboxEnvelope.id, OutboxEnvelope.data, OutboxEnvelope.created_at).where(
        OutboxEnvelope.type == MessageType.CROSS_BORDER_ALERT.value,
        OutboxEnvelope.created_at >= start,
        OutboxEnvelope.created_at < end,
    )
    rows = []
    for envelope_id, data, created in db.execute(query):
        body = json.loads(data)["body"]
        rows.append((envelope_id, body["risk"], body.get("countries", []), created))
    if not rows:
        return empty_alerts()
    alerts = pd.DataFrame(rows, columns=list(ALERT_COLUMNS))
    alerts["created_at"] = pd.to_datetime(alerts["created_at"], utc=True)
    return alerts


def _frame(db: Session, query: Select[*tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(db.execute(query).all(), columns=columns)


def case_figures(*, db: Session, start: datetime, end: datetime) -> CaseFigures:
    """Administrative adjudications decided in the period, by right kind and decision."""
    query = (
        select(Right.kind, Adjudication.decision)
        .join(Right, Right.id == Adjudication.right_id)
        .where(Adjudication.decided_on >= start.date(), Adjudication.decided_on < end.date())
    )
    cases = _frame(db, query, ["kind", "decision"]).astype("str")
    return CaseFigures(
        total=len(cases),
        by_right_kind=_counts(cases["kind"]),
        by_decision=_counts(cases["decision"]),
    )


def mark_figures(*, db: Session, start: datetime, end: datetime) -> MarkFigures:
    """Marks issued in the period, and what happened to marks: scans and status changes."""
    issued = _frame(
        db, select(Mark.id).where(Mark.created_at >= start, Mark.created_at < end), ["id"]
    )
    events = _frame(
        db,
        select(MarkEvent.biz_step, MarkEvent.disposition).where(
            MarkEvent.event_time >= start, MarkEvent.event_time < end
        ),
        ["step", "disposition"],
    )
    alerts = _frame(
        db,
        select(CloneAlert.id).where(CloneAlert.created_at >= start, CloneAlert.created_at < end),
        ["id"],
    )
    step, disposition = events["step"].astype("str"), events["disposition"]
    decommissioned = step == BizStep.DECOMMISSIONING.value
    return MarkFigures(
        issued=len(issued),
        verified=int(step.isin([s.value for s in SCANS]).sum()),
        suspended=int((step == BizStep.SUSPENDING.value).sum()),
        revoked=int((decommissioned & (disposition == "inactive")).sum()),
        expired=int((decommissioned & (disposition == "expired")).sum()),
        clone_alerts=len(alerts),
    )


def exhibit_figures(*, db: Session, start: datetime, end: datetime) -> ExhibitFigures:
    query = select(Exhibit.check).where(Exhibit.created_at >= start, Exhibit.created_at < end)
    exhibits = _frame(db, query, ["check"]).astype("str")
    return ExhibitFigures(
        registered=len(exhibits),
        flagged=int((exhibits["check"] == ExhibitCheck.FLAGGED.value).sum()),
    )


def listing_figures(*, db: Session, start: datetime, end: datetime) -> ListingFigures:
    query = select(Listing.channel).where(Listing.captured_at >= start, Listing.captured_at < end)
    listings = _frame(db, query, ["channel"]).astype("str")
    return ListingFigures(screened=len(listings), by_channel=_counts(listings["channel"]))


def collect(*, db: Session, start: datetime, end: datetime) -> Statistics:
    """Every figure of the period [start, end) from this node's data."""
    return Statistics(
        leads=lead_figures(lead_frame(db=db, start=start, end=end)),
        cases=case_figures(db=db, start=start, end=end),
        marks=mark_figures(db=db, start=start, end=end),
        exhibits=exhibit_figures(db=db, start=start, end=end),
        listings=listing_figures(db=db, start=start, end=end),
        cross_border=alert_figures(alert_frame(db=db, start=start, end=end)),
    )


def flatten(statistics: Statistics) -> dict[str, int]:
    """``{"leads.total": 3, "leads.by_kind.trademark": 2, ...}``: one column per figure."""
    flat: dict[str, int] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif isinstance(value, int):
            flat[prefix] = value

    walk("", statistics.model_dump())
    return flat
