"""Monitoring directories, computed with pandas from adjudicated cases and confirmed
leads, that raise the priority of new leads matching them:

- high-risk enterprises: repeat infringers (two or more events), group infringers
  (one enterprise behind several seller names or shops), malicious infringers
  (infringing again after a decision against them);
- high-risk products: the Nice classes in which confirmed leads cluster;
- the rights most often infringed;
- the key-trademark protection directory: marks under key protection or well
  known, and marks infringed repeatedly.
"""

from pathlib import Path

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ipfed.detection.text import party_key
from ipfed.nodes.adjudications.models import Adjudication, Decision
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.detection.models import Lead, LeadStatus, MonitoringEntry
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.participants.models import Participant
from ipfed.nodes.privacy.models import ERASED
from ipfed.nodes.rights.models import Right, Trademark

DIRECTORIES = (
    "high_risk_enterprises",
    "high_risk_products",
    "most_infringed_rights",
    "key_trademarks",
)
REPEAT, GROUP, MALICIOUS = 0.15, 0.1, 0.25  # priority added to a matching lead


def _events(db: Session) -> pd.DataFrame:
    """One row per infringement: decided cases and confirmed leads."""
    cases = db.execute(
        select(
            Adjudication.defendant,
            Adjudication.defendant_uscc,
            Right.number,
            Adjudication.decided_on,
        )
        .join(Right, Right.id == Adjudication.right_id)
        .where(Adjudication.decision == Decision.INFRINGEMENT)
    ).all()
    leads = db.execute(
        select(Listing.seller, Listing.nice_class, Lead.right_ref, Lead.decided_at)
        .join(Listing, Listing.id == Lead.listing_id)
        # a seller erased for privacy is no one: it names no enterprise
        .where(Lead.status == LeadStatus.CONFIRMED, Listing.seller != ERASED)
    ).all()
    uscc_of = {
        p.name: p.uscc for p in db.scalars(select(Participant).where(Participant.uscc.is_not(None)))
    }
    rows = [
        {
            "name": n,
            "uscc": u or uscc_of.get(n),
            "right": r,
            "nice_class": None,
            "when": pd.Timestamp(d, tz="UTC"),
            "source": "case",
        }
        for n, u, r, d in cases
    ] + [
        {
            "name": n,
            "uscc": uscc_of.get(n),
            "right": r,
            "nice_class": c,
            "when": pd.Timestamp(d),
            "source": "lead",
        }
        for n, c, r, d in leads
    ]
    columns = ["name", "uscc", "right", "nice_class", "when", "source"]
    events = pd.DataFrame(rows, columns=columns)
    events["when"] = pd.to_datetime(events["when"], utc=True, format="ISO8601")
    events["enterprise"] = [
        u if isinstance(u, str) and u else party_key(n)
        for n, u in zip(events["name"], events["uscc"], strict=True)
    ]
    return events


def compute(*, db: Session) -> dict[str, pd.DataFrame]:
    """Every directory as a frame with subject, weight and what it rests on."""
    events = _events(db)
    directories: dict[str, pd.DataFrame] = {}

    by_enterprise = events.groupby("enterprise").agg(
        events=("right", "size"), names=("name", "nunique")
    )
    when = events.groupby(["enterprise", "source"])["when"]
    first_case = (
        when.min().xs("case", level="source") if (events["source"] == "case").any() else None
    )
    last_lead = (
        when.max().xs("lead", level="source") if (events["source"] == "lead").any() else None
    )
    by_enterprise["malicious"] = False
    if first_case is not None and last_lead is not None:
        after = last_lead.reindex(by_enterprise.index) > first_case.reindex(by_enterprise.index)
        by_enterprise["malicious"] = after.fillna(False).astype(bool)
    by_enterprise["repeat"] = by_enterprise["events"] >= 2
    by_enterprise["group"] = by_enterprise["names"] >= 2
    risky = by_enterprise[by_enterprise[["repeat", "group", "malicious"]].any(axis=1)].copy()
    risky["weight"] = (
        risky["repeat"] * REPEAT + risky["group"] * GROUP + risky["malicious"] * MALICIOUS
    )
    # a lead names its seller, so the directory lists every name the enterprise sold under
    names = events.groupby("enterprise")["name"].unique()
    directories["high_risk_enterprises"] = pd.DataFrame(
        [
            {
                "subject": party_key(name),
                "weight": row.weight,
                "enterprise": enterprise,
                "events": int(row.events),
                "repeat": bool(row.repeat),
                "group": bool(row.group),
                "malicious": bool(row.malicious),
            }
            for enterprise, row in risky.iterrows()
            for name in names[enterprise]
        ],
        columns=["subject", "weight", "enterprise", "events", "repeat", "group", "malicious"],
    )

    leads = events[events["source"] == "lead"].dropna(subset=["nice_class"])
    products = leads.groupby("nice_class").size().rename("leads").reset_index()
    products = products[products["leads"] >= 2]
    products["subject"] = products["nice_class"].astype(int).astype(str)
    products["weight"] = 0.05
    directories["high_risk_products"] = products[["subject", "weight", "leads"]]

    rights = events.groupby("right").size().rename("events").reset_index()
    rights = rights[rights["events"] >= 2].sort_values("events", ascending=False)
    rights["subject"] = rights["right"]
    rights["weight"] = 0.1
    directories["most_infringed_rights"] = rights[["subject", "weight", "events"]]

    marks = pd.DataFrame(
        [
            {
                "subject": m.number,
                "name": m.name,
                "key_protection": bool(m.key_protection),
                "well_known": bool(m.well_known),
            }
            for m in db.scalars(select(Trademark))
        ],
        columns=["subject", "name", "key_protection", "well_known"],
    )
    infringed = set(rights["subject"])
    marks["repeatedly_infringed"] = marks["subject"].isin(infringed)
    key = marks[marks[["key_protection", "well_known", "repeatedly_infringed"]].any(axis=1)].copy()
    key["weight"] = 0.1
    directories["key_trademarks"] = key
    return directories


def refresh(*, db: Session) -> dict[str, int]:
    """Recompute every directory and store it in place of the last; counts per directory."""
    directories = compute(db=db)
    db.execute(delete(MonitoringEntry))
    now = utcnow()
    for name, frame in directories.items():
        for record in frame.to_dict("records"):
            subject = str(record.pop("subject"))
            weight = float(record.pop("weight"))
            detail = {k: (v.item() if hasattr(v, "item") else v) for k, v in record.items()}
            db.add(
                MonitoringEntry(
                    directory=name, subject=subject, weight=weight, detail=detail, computed_at=now
                )
            )
    db.flush()
    return {name: len(frame) for name, frame in directories.items()}


def chart(*, db: Session, path: Path) -> None:
    """Bar charts of the riskiest enterprises and the most infringed rights (PNG)."""
    from matplotlib.figure import Figure

    from ipfed.nodes.charts import chinese

    entries = db.scalars(select(MonitoringEntry)).all()
    with chinese():
        figure = Figure(figsize=(11, 4), layout="constrained")  # no pyplot: no display needed
        axes = figure.subplots(1, 2)
        for axis, directory, title in (
            (axes[0], "high_risk_enterprises", "High-risk enterprises (priority added)"),
            (axes[1], "most_infringed_rights", "Most infringed rights (events)"),
        ):
            rows = sorted(
                (e for e in entries if e.directory == directory),
                key=lambda e: -float(e.detail.get("events", e.weight)),
            )[:10]
            labels = [e.detail.get("enterprise", e.subject)[:18] for e in rows]
            values = [
                float(e.detail.get("events", e.weight))
                if directory != "high_risk_enterprises"
                else e.weight
                for e in rows
            ]
            axis.barh(labels[::-1], values[::-1], color="#c0392b")
            axis.set_title(title)
        figure.savefig(path, dpi=120)
