"""``ipfed ledger``: audit the node's log, have it witnessed, and check receipts and proofs
offline."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ipfed.nodes.cli_support import DataDir, err, load, node_db, node_sessions, out

app = typer.Typer(help="The tamper-evident log and its proofs.", no_args_is_help=True)


@app.command("verify")
def ledger_verify(
    data_dir: DataDir = Path("ipfed-data"),
    seen: Annotated[
        list[Path] | None,
        typer.Option(
            "--seen",
            help="a receipt or signed checkpoint of this log shown elsewhere (repeatable)",
        ),
    ] = None,
) -> None:
    """Audit the whole log: every hash, signature, contract rule and checkpoint.

    Checkpoints this node sent in receipts, and those given with ``--seen`` (from a
    witness, say), must still be stored: a deleted or rolled-back one is reported.
    """
    from ipfed.ledger.errors import LedgerError
    from ipfed.ledger.trust import TrustBundle
    from ipfed.nodes.errors import ConfigurationError
    from ipfed.nodes.ledger.service import audit, node_log
    from ipfed.nodes.ledger.shown import read_checkpoint, shown_checkpoints

    settings = load(data_dir)
    bundle_file = settings.identity_dir / "trust-bundle.json"
    try:
        bundle = TrustBundle.from_json(bundle_file.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigurationError(
            f"no trust bundle at {bundle_file}", code="no_trust_bundle"
        ) from None
    try:
        given = [read_checkpoint(path.read_bytes()) for path in seen or []]
    except (OSError, LedgerError) as exc:
        err.print(f"[red]unreadable[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    with node_db(settings) as db:
        size = node_log(db=db, origin=settings.origin).size
        shown = [*shown_checkpoints(db=db, origin=settings.origin), *given]
        problem = audit(db=db, origin=settings.origin, bundle=bundle, seen=shown)
    if problem is not None:
        detail = escape(f"[{problem.code}] {problem.message}")
        err.print(f"[red]{escape(problem.where)}[/red] {detail}")
        raise typer.Exit(1)
    out.print(f"the log of {settings.origin} verifies: {size:,} entries")


@app.command("witness")
def ledger_witness(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Sign a checkpoint and have every peer with an API key cosign it."""
    from ipfed.ledger.checkpoint import Checkpoint
    from ipfed.nodes.ledger.witnessing import request_witness

    settings = load(data_dir)
    sessions = node_sessions(settings)
    note = request_witness(sessions=sessions, settings=settings)
    size = Checkpoint.parse(note.text).size
    out.print(f"checkpoint {size} of {settings.origin}: {len(note.signatures)} signatures")


@app.command("gossip")
def ledger_gossip(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Check each peer's latest checkpoint against what it showed before (1: split view or
    rollback)."""
    from ipfed.nodes.identity import node_identity
    from ipfed.nodes.witness.gossip import gossip

    settings = load(data_dir)
    sessions = node_sessions(settings)
    reports = gossip(sessions=sessions, peers=settings.peers, bundle=node_identity(settings).bundle)
    table = Table("peer", "log", "size", "outcome")
    for r in reports:
        table.add_row(r.node_id, r.origin or "", "" if r.size is None else str(r.size), r.outcome)
    out.print(table)
    if any(r.outcome in ("split_view", "rolled_back") for r in reports):
        raise typer.Exit(1)


@app.command("prove")
def ledger_prove(
    position: int,
    out_file: Annotated[Path, typer.Option("--out", help="the receipt file to write")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Write a receipt for an entry that verifies offline with the trust bundle."""
    from ipfed.nodes.ledger.service import prove

    settings = load(data_dir)
    with node_db(settings) as db:
        receipt = prove(db=db, origin=settings.origin, position=position)
    out_file.write_text(receipt.model_dump_json(indent=2), encoding="utf-8")
    out.print(f"receipt for entry {position} written to {out_file}")


@app.command("check-receipt")
def ledger_check_receipt(
    file: Path,
    bundle_file: Annotated[Path, typer.Option("--bundle", help="the federation's trust bundle")],
    witnessed: Annotated[
        bool, typer.Option(help="require the national node's cosignature")
    ] = False,
) -> None:
    """Exit 0 if the receipt verifies offline, 1 if not, 2 if unreadable."""
    from ipfed.ledger.errors import LedgerError, MalformedData
    from ipfed.ledger.receipts import Receipt
    from ipfed.ledger.trust import TrustBundle

    try:
        receipt = Receipt.parse(file.read_bytes())
        bundle = TrustBundle.from_json(bundle_file.read_bytes())
    except (OSError, MalformedData) as exc:
        err.print(f"[red]unreadable[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    try:
        submitter = receipt.verify(bundle, witnessed=witnessed)
    except LedgerError as exc:
        out.print(f"[red]does not verify[/red] {escape(f'[{exc.code}]')} {escape(exc.message)}")
        raise typer.Exit(1) from None
    out.print(f"verifies: entry {receipt.position}, {receipt.transaction.type} by {submitter.name}")


@app.command("check-proof")
def ledger_check_proof(
    file: Annotated[Path, typer.Argument(help="a proof in the RFC 9162 test-vector layout")],
) -> None:
    """Exit 0 if the inclusion or consistency proof verifies, 1 if not, 2 if unreadable."""
    from ipfed.ledger.errors import InvalidProof, MalformedData
    from ipfed.ledger.proofs import parse_proof

    try:
        proof = parse_proof(file.read_bytes())
    except (OSError, MalformedData) as exc:
        err.print(f"[red]unreadable[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    try:
        proof.verify()
    except InvalidProof as exc:
        out.print(f"[red]does not verify[/red] {escape(f'[{exc.code}]')} {escape(exc.message)}")
        raise typer.Exit(1) from None
    out.print(f"verifies: {type(proof).__name__}")
