"""``ipfed privacy``: erasure of personal data, on a decided request or past retention,
and the record of every erasure."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ipfed.nodes.cli_support import DataDir, load, node_db, node_sessions, out

app = typer.Typer(
    help="Personal data: erasure on a decided request, retention, what was erased.",
    no_args_is_help=True,
)


@app.command("erase")
def erase(
    request_ref: Annotated[
        str, typer.Option("--request", help="the office's number of the decided request")
    ],
    decided_by: Annotated[str, typer.Option("--decided-by", help="who decided it")],
    seller: Annotated[str | None, typer.Option(help="the subject's name as a seller")] = None,
    uscc: Annotated[str | None, typer.Option(help="the subject's credit code")] = None,
    shop: Annotated[str | None, typer.Option(help="the subject's shop, platform:shop_id")] = None,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Erase a data subject's personal fields in every record now, as the office decided."""
    from ipfed.nodes.errors import InvalidInput
    from ipfed.nodes.privacy.schemas import ErasureRequestIn
    from ipfed.nodes.privacy.service import erase_subject

    settings = load(data_dir)
    shop_ref = None
    if shop is not None:
        platform, sep, shop_id = shop.partition(":")
        if not sep:
            raise InvalidInput(f"shop {shop!r} is not written platform:shop_id", code="bad_shop")
        shop_ref = {"platform": platform, "shop_id": shop_id}
    request = ErasureRequestIn.model_validate(
        {
            "request_ref": request_ref,
            "decided_by": decided_by,
            "seller": seller,
            "uscc": uscc,
            "shop": shop_ref,
        }
    )
    with node_db(settings) as db:
        erasure = erase_subject(
            db=db, request=request, recorded_by=f"{settings.org_name} (ipfed privacy erase)"
        )
        counts = dict(erasure.counts)
    out.print(f"request {escape(request_ref)} carried out: {json.dumps(counts)}")


@app.command("expire")
def expire(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Erase now what is past its retention period (a running node does it every hour)."""
    from ipfed.nodes.privacy.scheduled import retention_round

    settings = load(data_dir)
    counts = retention_round(settings, node_sessions(settings))
    out.print(f"past retention, erased: {json.dumps(counts)}")


@app.command("list")
def list_erasures(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Every erasure, oldest first: when, why, on whose decision, and the counts."""
    from ipfed.nodes.privacy.service import erasures

    with node_db(load(data_dir)) as db:
        rows = erasures(db=db, limit=limit)
    table = Table("when", "cause", "request", "decided by", "counts")
    for row in rows:
        table.add_row(
            f"{row.created_at:%Y-%m-%d %H:%M:%S}",
            row.cause,
            escape(row.request_ref or ""),
            escape(row.decided_by or ""),
            json.dumps(row.counts),
        )
    out.print(table)
