"""``ipfed marks``: issue marks and unit codes, print QR codes, change a mark's status,
and verify a mark as a platform does."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from ipfed.nodes.cli_support import DataDir, err, load, node_db, node_sessions, out

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(help="Electronic IP marks: issue, print, verify.", no_args_is_help=True)


def _find_right(db: "Session", right: str) -> str:
    """A right's id, from its id or its official number."""
    from sqlalchemy import select

    from ipfed.nodes.errors import InvalidInput
    from ipfed.nodes.rights.models import Right

    ids = db.scalars(select(Right.id).where((Right.id == right) | (Right.number == right))).all()
    if len(ids) != 1:
        reason = "no right" if not ids else "several rights (give the id)"
        raise InvalidInput(f"{reason} with id or number {right}", code="unknown_right")
    return ids[0]


@app.command("issue")
def marks_issue(
    right: Annotated[str, typer.Argument(help="the right's number or id")],
    holder_uscc: Annotated[str, typer.Option(help="the holder's unified social credit code")],
    licence_id: Annotated[str | None, typer.Option(help="scope the mark to a licence")] = None,
    classes: Annotated[str | None, typer.Option(help="Nice classes, e.g. 25,28")] = None,
    qr: Annotated[Path | None, typer.Option(help="write the QR code (.png or .svg)")] = None,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Issue a mark for a right in the profile database, as this node's office."""
    from ipfed.nodes.database.core import utcnow
    from ipfed.nodes.marks.issuing import issue_mark
    from ipfed.nodes.marks.lookup import mark_url
    from ipfed.nodes.marks.schemas import MarkIn

    settings = load(data_dir)
    with node_db(settings) as db:
        request = MarkIn.model_validate(
            {
                "right_id": _find_right(db, right),
                "holder_uscc": holder_uscc,
                "licence_id": licence_id,
                "nice_classes": classes.split(",") if classes else None,
            }
        )
        mark = issue_mark(db=db, settings=settings, request=request, today=utcnow().date())
        url = mark_url(settings=settings, token=mark.token)
    out.print(
        f"mark [bold]{mark.id}[/bold] for {mark.right.number}, valid until {mark.valid_until}"
    )
    out.print(url)
    if qr is not None:
        _write_qr(url, qr)


def _write_qr(url: str, path: Path) -> None:
    from ipfed.registry.qr import qr_png, qr_svg

    path.write_bytes(qr_svg(url) if path.suffix.lower() == ".svg" else qr_png(url))
    out.print(f"QR code written to {path}")


@app.command("qr")
def marks_qr(
    mark_id: str,
    out_file: Annotated[Path, typer.Option("--out")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Write a mark's QR code as PNG or SVG (by the file's extension)."""
    from ipfed.nodes.marks.lookup import get_mark, mark_url

    settings = load(data_dir)
    with node_db(settings) as db:
        url = mark_url(settings=settings, token=get_mark(db=db, mark_id=mark_id).token)
    _write_qr(url, out_file)


@app.command("status")
def marks_status(
    mark_id: str,
    status: Annotated[str, typer.Argument(help="active, suspended, revoked or expired")],
    reason: Annotated[str, typer.Option()],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Suspend, reinstate, revoke or expire a mark (recorded on the ledger)."""
    from ipfed.nodes.marks.lookup import get_mark
    from ipfed.nodes.marks.schemas import StatusChange
    from ipfed.nodes.marks.status import change_status

    settings = load(data_dir)
    change = StatusChange.model_validate({"status": status, "reason": reason})
    with node_db(settings) as db:
        mark = change_status(
            db=db,
            settings=settings,
            mark=get_mark(db=db, mark_id=mark_id),
            status=change.status,
            reason=change.reason,
            by=settings.org_name,
        )
    out.print(f"mark {mark.id} is now [bold]{mark.status}[/bold]")


@app.command("units")
def marks_units(
    mark_id: str,
    batch: Annotated[str, typer.Option(help="the production batch number")],
    quantity: Annotated[int, typer.Option(min=1, max=100_000)],
    out_file: Annotated[Path, typer.Option("--out", help="CSV of serial,url")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Unit codes for a production batch, one URL per unit for the label printer."""
    import csv

    from rich.progress import Progress

    from ipfed.nodes.marks.issuing import issue_units
    from ipfed.nodes.marks.lookup import get_mark, mark_url

    settings = load(data_dir)
    with node_db(settings) as db, Progress(console=err, transient=True) as progress:
        progress.add_task(f"signing {quantity} unit codes", total=None)
        mark = get_mark(db=db, mark_id=mark_id)
        _, units = issue_units(
            db=db,
            settings=settings,
            mark=mark,
            batch_number=batch,
            quantity=quantity,
            by=settings.org_name,
        )
        with out_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["serial", "url"])
            writer.writerows((u.serial, mark_url(settings=settings, token=u.token)) for u in units)
    out.print(f"{len(units)} unit codes of batch {batch} written to {out_file}")


@app.command("follow")
def marks_follow(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Bring every mark in line with its right and licence now (a running node does it itself)."""
    from ipfed.nodes.marks.follow import follow_once

    settings = load(data_dir)
    out.print(f"{follow_once(settings, node_sessions(settings))} marks changed")


@app.command("verify")
def marks_verify(
    scanned: Annotated[str, typer.Argument(help="a token or the URL a QR code holds")],
    bundle: Annotated[Path, typer.Option(help="the federation's trust-bundle.json")],
    cache: Annotated[Path, typer.Option(help="where status lists are kept")] = Path("ipfed-status"),
    online: Annotated[bool, typer.Option(help="refresh the issuer's status lists first")] = False,
    product_class: Annotated[str | None, typer.Option("--class")] = None,
    seller: Annotated[str | None, typer.Option(help="the seller's credit code")] = None,
) -> None:
    """Verify a mark as a platform does: offline from cached status lists, or online."""
    from ipfed.ledger.errors import LedgerError
    from ipfed.ledger.trust import TrustBundle
    from ipfed.registry.errors import VerificationError
    from ipfed.sdk import Verifier

    try:
        verifier = Verifier(TrustBundle.from_json(bundle.read_bytes()), cache_dir=cache)
        goods = int(product_class) if product_class and product_class.isdigit() else product_class
        mark = verifier.verify(scanned, product_class=goods, seller=seller, online=online)
    except (OSError, LedgerError) as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    except VerificationError as exc:
        out.print(f"[red]not valid[/red] {escape(f'[{exc.code}]')} {escape(exc.message)}")
        raise typer.Exit(1) from None
    claims = mark.claims
    out.print(
        f"[green]valid[/green] mark {claims.mark_id} of {claims.right_type.name.lower()} "
        f"{claims.right_number}, issued by {mark.issuer.name}, until {claims.valid_until}"
    )
