"""``ipfed exchange``: send messages to other nodes, and follow the inbox, the outbox, the
dead letters and the links."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ipfed.nodes.cli_support import DataDir, load, node_db, out

if TYPE_CHECKING:
    from ipfed.nodes.config import NodeSettings
    from ipfed.nodes.exchange.network import Network

app = typer.Typer(
    help="Messages to and from other nodes: inbox, outbox, dead letters, links.",
    no_args_is_help=True,
)


def exchange_network(settings: "NodeSettings") -> "Network":
    from ipfed.nodes.exchange.network import Network
    from ipfed.nodes.identity import node_identity

    return Network.of(settings, node_identity(settings))


@app.command("send")
def exchange_send(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Route, sign and queue a message: a JSON file {"type": ..., "body": ..., "receipt": ...}."""
    from pydantic import ValidationError

    from ipfed.nodes.errors import IpfedError
    from ipfed.nodes.exchange.schemas import MessageIn
    from ipfed.nodes.exchange.service import send

    settings = load(data_dir)
    try:
        message = MessageIn.model_validate_json(file.read_bytes())
    except ValidationError as exc:
        raise IpfedError(f"{file}: {exc.errors()[0]['msg']}", code="invalid_message") from None
    with node_db(settings) as db:
        envelopes = send(
            db=db,
            network=exchange_network(settings),
            body=message.typed_body(),
            receipt=message.receipt,
        )
    for envelope in envelopes:
        out.print(f"queued {envelope.id} {envelope.type} to {', '.join(envelope.recipients)}")


@app.command("inbox")
def exchange_inbox(
    data_dir: DataDir = Path("ipfed-data"),
    refused: Annotated[bool, typer.Option(help="only refused envelopes")] = False,
    limit: int = 50,
) -> None:
    """Envelopes received, in order, with the reason of each refusal."""
    from ipfed.nodes.exchange.models import InboxState
    from ipfed.nodes.exchange.views import inbox

    settings = load(data_dir)
    state = InboxState.REFUSED if refused else None
    table = Table("received", "from", "type", "subject", "state", "reason")
    with node_db(settings) as db:
        for row in inbox(db=db, organisation=None, state=state, limit=limit):
            reason = f"[{row.code}] {row.reason}" if row.code else ""
            table.add_row(
                f"{row.received_at:%Y-%m-%d %H:%M:%S}",
                row.sender or row.peer,
                row.type or "",
                row.subject or "",
                row.state,
                escape(reason),
            )
    out.print(table)


@app.command("outbox")
def exchange_outbox(
    data_dir: DataDir = Path("ipfed-data"),
    dead: Annotated[bool, typer.Option(help="only dead letters, with their reasons")] = False,
    limit: int = 50,
) -> None:
    """Envelopes sent and where each delivery stands."""
    from ipfed.nodes.exchange.views import dead_letters, outbox

    settings = load(data_dir)
    with node_db(settings) as db:
        if dead:
            table = Table("envelope", "type", "to node", "attempts", "reason")
            for letter in dead_letters(db=db, limit=limit):
                reason = escape(f"[{letter.code}] {letter.reason}")
                table.add_row(
                    letter.envelope_id, letter.type, letter.peer, str(letter.attempts), reason
                )
        else:
            table = Table("envelope", "type", "subject", "deliveries")
            for item in outbox(db=db, limit=limit):
                states = ", ".join(f"{d.peer}: {d.state}" for d in item.deliveries)
                table.add_row(item.id, item.type, item.subject, states)
    out.print(table)


@app.command("retry")
def exchange_retry(envelope_id: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """Queue a dead letter again, at the end of its links."""
    from ipfed.nodes.errors import IpfedError
    from ipfed.nodes.exchange.service import retry

    settings = load(data_dir)
    with node_db(settings) as db:
        changed = retry(db=db, envelope_id=envelope_id)
    if not changed:
        raise IpfedError(f"envelope {envelope_id} has no dead delivery", code="no_dead_letter")
    out.print(f"{envelope_id}: {changed} deliveries queued again")


@app.command("give-up")
def exchange_give_up(
    envelope_id: str,
    reason: Annotated[str, typer.Option(help="why, for whoever reads the dead letters")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Stop delivering an envelope: its pending deliveries become dead letters."""
    from ipfed.nodes.errors import IpfedError
    from ipfed.nodes.exchange.service import give_up

    settings = load(data_dir)
    with node_db(settings) as db:
        changed = give_up(db=db, envelope_id=envelope_id, reason=reason)
    if not changed:
        raise IpfedError(f"envelope {envelope_id} has no pending delivery", code="no_pending")
    out.print(f"{envelope_id}: {changed} deliveries given up")


@app.command("links")
def exchange_links(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Each link: deliveries pending, delivered and dead, failures and the last error."""
    from ipfed.nodes.exchange.views import links

    settings = load(data_dir)
    table = Table("peer", "key", "pending", "delivered", "dead", "failures", "last error")
    with node_db(settings) as db:
        for link in links(
            db=db, network=exchange_network(settings), endpoint=settings.exchange_endpoint
        ):
            table.add_row(
                link.peer,
                "known" if link.key_known else "[red]unknown[/red]",
                str(link.pending),
                str(link.delivered),
                str(link.dead),
                str(link.failures),
                escape(link.last_error or ""),
            )
    out.print(table)
