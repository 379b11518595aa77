"""The national office's filings pages: who has filed and who is late (the calendar's
obligations of every province), each received filing, and the consolidated report of
a period with its charts (drawn by :mod:`ipfed.nodes.filings.report`)."""

from datetime import datetime
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.nodes.charts import png
from ipfed.nodes.console.dependencies import Now, Signed
from ipfed.nodes.console.national import at_national, elsewhere
from ipfed.nodes.console.queue import region_words
from ipfed.nodes.console.templating import render
from ipfed.nodes.errors import InvalidInput, NotFound
from ipfed.nodes.filings import report, service
from ipfed.nodes.filings.calendar import (
    GRANULARITY,
    FilingKind,
    Granularity,
    Period,
    Standing,
    check_period,
    china_today,
    node_calendar,
)
from ipfed.nodes.filings.consolidation import KEY_FIGURES, national_report
from ipfed.nodes.filings.models import Filing, FilingReceipt, FilingState
from ipfed.nodes.filings.schemas import SECTIONS
from ipfed.nodes.filings.statistics import Statistics, flatten
from ipfed.nodes.http import ULID_PATTERN

router = APIRouter(include_in_schema=False)

PeriodQuery = Annotated[str, Query(max_length=7)]
KindQuery = Annotated[str, Query(max_length=30)]
CHARTS = ("standing", "leads", "change", "marks")  # report.charts(), in the page's order
ChartName = Annotated[str, Path(pattern="^(" + "|".join(CHARTS) + ")$")]
# Standings, the late first; those of the year counted: what is settled or due soon.
SHOWN = (Standing.OVERDUE, Standing.FILED_LATE, Standing.DUE_SOON, Standing.FILED)
ORDER = (*SHOWN, Standing.UPCOMING)


def figure_code(name: str) -> str:
    """A key figure's catalogue code: ``leads.total`` -> ``figure_leads_total``."""
    return "figure_" + name.replace(".", "_")


def _kind(text: str) -> FilingKind:
    try:
        return FilingKind(text) if text else FilingKind.MONTHLY_REPORT
    except ValueError:
        raise InvalidInput(f"kind: {text!r} is not a kind of filing", code="bad_kind") from None


def latest_period(db: Session, kind: FilingKind, now: datetime) -> Period:
    """The period of the newest filing of ``kind`` received, else the last one ended."""
    newest = db.scalars(
        select(Filing.period)
        .where(Filing.state == FilingState.RECEIVED, Filing.kind == kind)
        .order_by(Filing.period.desc())
        .limit(1)
    ).first()
    if newest:
        return Period.parse(newest)
    return Period.of(GRANULARITY[kind], china_today(now)).previous()


def _report_choice(db: Session, kind: str, period: str, now: datetime) -> tuple[FilingKind, Period]:
    chosen = _kind(kind)
    parsed = Period.parse(period) if period else latest_period(db, chosen, now)
    check_period(chosen, parsed)
    return chosen, parsed


@router.get("/console/national/filings")
def filings_view(
    request: Request, _: Signed, now: Now, kind: KindQuery = "", period: PeriodQuery = ""
) -> Response:
    """One kind and period (default: the newest monthly report filed): each province's
    standing and its filing; and how the year's filings of that kind stand."""
    settings = at_national(request)
    if settings is None:
        return elsewhere(request)
    with request.app.state.sessions() as db:
        chosen, shown = _report_choice(db, kind, period, now)
        due = service.obligations(
            db=db, settings=settings, calendar=node_calendar(settings), year=shown.year, now=now
        )
        reports = sorted(
            {
                (FilingKind(k), p)
                for k, p in db.execute(
                    select(Filing.kind, Filing.period).where(Filing.state == FilingState.RECEIVED)
                )
            },
            key=lambda pair: (pair[1], pair[0].value),
            reverse=True,
        )
    of_kind = [o for o in due if o.kind is chosen]
    listed = sorted(
        (o for o in of_kind if o.period == str(shown)),
        key=lambda o: (ORDER.index(o.standing), o.region_code),
    )
    periods = sorted({o.period for o in of_kind if o.standing in SHOWN} | {str(shown)})
    context = {
        "obligations": listed,
        "tally": {s: sum(1 for o in listed if o.standing is s) for s in ORDER},
        "year_tally": {s: sum(1 for o in of_kind if o.standing is s) for s in SHOWN},
        "kind": chosen,
        "period": str(shown),
        "periods": list(reversed(periods)),
        "kinds": list(FilingKind),
        "reports": reports,
        "region": region_words,
    }
    return render(request, "national_filings.html", context)


@router.get("/console/national/filings/{filing_id}")
def filing_view(
    request: Request, _: Signed, filing_id: Annotated[str, Path(pattern=ULID_PATTERN)]
) -> Response:
    settings = at_national(request)
    if settings is None:
        return elsewhere(request)
    with request.app.state.sessions() as db:
        filing = service.get_filing(db=db, filing_id=filing_id)
        if filing.state is not FilingState.RECEIVED:
            raise NotFound(f"no filing {filing_id} received here", code="no_filing")
        receipt = db.get(FilingReceipt, filing.id)
        figures = flatten(Statistics.model_validate(filing.statistics))
        context: dict[str, Any] = {
            "filing": filing,
            "receipt": receipt,
            "figures": [(figure_code(k), figures.get(k, 0)) for k in KEY_FIGURES],
            "sections": [
                (heading, filing.sections.get(name, ""))
                for name, heading in SECTIONS[filing.kind].items()
            ],
            "region": region_words,
        }
        return render(request, "national_filing.html", context)


@router.get("/console/national/report")
def report_view(
    request: Request, _: Signed, now: Now, kind: KindQuery = "", period: PeriodQuery = ""
) -> Response:
    settings = at_national(request)
    if settings is None:
        return elsewhere(request)
    with request.app.state.sessions() as db:
        chosen, parsed = _report_choice(db, kind, period, now)
        consolidation = national_report(
            db=db, calendar=node_calendar(settings), kind=chosen, period=parsed, now=now
        )
    table = consolidation.table
    rows = [
        {
            "region_code": code,
            "filed": bool(row["filed"]),
            "standing": row["standing"],
            "due": row["due"],
            "figures": [None if pd.isna(row[k]) else int(row[k]) for k in KEY_FIGURES],
        }
        for code, row in table.iterrows()
        if row["standing"] != "not_required"
    ]
    query = f"kind={chosen.value}&period={parsed}"
    context = {
        "kind": chosen,
        "period": parsed,
        "granularity": GRANULARITY[chosen],
        "month": Granularity.MONTH,
        "filed": consolidation.filed,
        "owing": len(rows),
        "rows": rows,
        "figure_codes": [figure_code(k) for k in KEY_FIGURES],
        "charts": [(name, f"/console/national/report/{name}.png?{query}") for name in CHARTS],
        "downloads": [(fmt, f"/filings/report?{query}&format={fmt}") for fmt in ("csv", "xlsx")],
        "kinds": list(FilingKind),
        "region": region_words,
    }
    return render(request, "national_report.html", context)


@router.get("/console/national/report/{chart}.png")
def report_chart(
    request: Request,
    _: Signed,
    now: Now,
    chart: ChartName,
    kind: KindQuery = "",
    period: PeriodQuery = "",
) -> Response:
    """One chart of the consolidated report, as the report draws it."""
    settings = at_national(request)
    if settings is None:
        raise NotFound("the national node consolidates filings", code="not_national")
    with request.app.state.sessions() as db:
        chosen, parsed = _report_choice(db, kind, period, now)
        consolidation = national_report(
            db=db, calendar=node_calendar(settings), kind=chosen, period=parsed, now=now
        )
    figure = report.charts(consolidation)[chart]
    return Response(png(figure), media_type="image/png", headers={"Cache-Control": "no-store"})
