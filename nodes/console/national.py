"""The national office's pages: the leads every region pushed, received for the record
(a table and a chart by region, kind and week), and the ledger's health (each log's
latest checkpoint as this node verified it, the witnesses' cosignatures, alarms).
The filings pages are :mod:`ipfed.nodes.console.national_filings`.

Only the national node receives these; another node answers each page with a notice
that it is not the national node."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ipfed.exchange.messages import LeadKind
from ipfed.nodes.charts import png
from ipfed.nodes.config import NodeRole, NodeSettings
from ipfed.nodes.console.dependencies import Signed
from ipfed.nodes.console.i18n import language_of, words
from ipfed.nodes.console.queue import region_words
from ipfed.nodes.console.templating import render
from ipfed.nodes.errors import InvalidInput, NotFound
from ipfed.nodes.exchange.received import (
    LeadCounts,
    LeadFilter,
    ReceivedLead,
    leads_chart,
    received_leads,
    week_start,
)
from ipfed.nodes.identity import node_identity
from ipfed.nodes.witness import health
from ipfed.nodes.witness.service import alarms
from ipfed.registry.identifiers import InvalidIdentifier, region_name

router = APIRouter(include_in_schema=False)

LISTED = 100  # the newest leads listed under the chart; the counts cover them all
Region = Annotated[str, Query(pattern=r"^(\d{6})?$")]
Week = Annotated[str, Query(pattern=r"^(\d{4}-W\d{2})?$")]
Kind = Annotated[str, Query(max_length=30)]
By = Annotated[str, Query(pattern="^(region|week)$")]


def at_national(request: Request) -> NodeSettings | None:
    """The node's settings if it is the national node (None: these pages show a notice)."""
    settings: NodeSettings = request.app.state.settings
    return settings if settings.role is NodeRole.NATIONAL else None


def elsewhere(request: Request) -> Response:
    return render(request, "national_elsewhere.html", {})


def short_region(code: str) -> str:
    try:
        return region_name(code)
    except InvalidIdentifier:
        return code or "—"


def _filter(region: str, kind: str, week: str) -> LeadFilter:
    try:
        chosen = LeadKind(kind) if kind else None
    except ValueError:
        raise InvalidInput(f"kind: {kind!r} is not a kind of lead", code="bad_kind") from None
    if week:
        try:
            week_start(week)
        except ValueError:
            raise InvalidInput(f"week: {week!r} is not a week", code="bad_week") from None
    return LeadFilter(region=region or None, kind=chosen, week=week or None)


def _leads(request: Request, settings: NodeSettings) -> list[ReceivedLead]:
    with request.app.state.sessions() as db:
        return received_leads(db=db, bundle=node_identity(settings).bundle)


@router.get("/console/national/leads")
def leads_view(
    request: Request, _: Signed, region: Region = "", kind: Kind = "", week: Week = ""
) -> Response:
    settings = at_national(request)
    if settings is None:
        return elsewhere(request)
    chosen = _filter(region, kind, week)
    every = _leads(request, settings)
    everything = LeadCounts.of(every)  # the filters' choices
    shown = [lead for lead in every if chosen.admits(lead)]
    query = request.url.query
    context: dict[str, Any] = {
        "counts": LeadCounts.of(shown),
        "choices": everything,
        "leads": shown[:LISTED],
        "listed": LISTED,
        "total": len(shown),
        "chosen": {"region": region, "kind": kind, "week": week},
        "charts": [
            (by, f"/console/national/leads.png?by={by}" + (f"&{query}" if query else ""))
            for by in ("region", "week")
        ],
        "region": region_words,
        "short_region": short_region,
        "week_start": week_start,
        "kinds": list(LeadKind),
    }
    return render(request, "national_leads.html", context)


@router.get("/console/national/leads.png")
def leads_png(
    request: Request,
    _: Signed,
    region: Region = "",
    kind: Kind = "",
    week: Week = "",
    by: By = "region",
) -> Response:
    """A chart of the leads page, for the same filters: per region or per week."""
    settings = at_national(request)
    if settings is None:
        raise NotFound(
            "leads are received for the record at the national node", code="not_national"
        )
    chosen = _filter(region, kind, week)
    counts = LeadCounts.of([lead for lead in _leads(request, settings) if chosen.admits(lead)])
    lang = language_of(request)
    figure = leads_chart(
        counts,
        region_names={code: short_region(code) for code in counts.regions},
        kind_names={k: words(k, lang) for k in LeadKind},
        title=words(f"leads_by_{by}", lang),
        by=by,
    )
    return Response(png(figure), media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/console/national/ledger")
def ledger_view(request: Request, _: Signed) -> Response:
    settings = at_national(request)
    if settings is None:
        return elsewhere(request)
    bundle = node_identity(settings).bundle
    with request.app.state.sessions() as db:
        own = health.own_log(db=db, bundle=bundle)
        logs = health.known_logs(db=db, bundle=bundle)
        raised = list(alarms(db=db))
    context = {
        "logs": ([own] if own else []) + logs,
        "alarms": list(reversed(raised)),  # newest first
        "region": region_words,
    }
    return render(request, "national_ledger.html", context)
