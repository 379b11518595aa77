"""``ipfed apikey``: the API keys of the organisations that use this node."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ipfed.ledger.identity import Role
from ipfed.nodes.cli_support import DataDir, load, node_db, out

app = typer.Typer(help="API keys of the organisations that use this node.", no_args_is_help=True)


@app.command("create")
def key_create(
    org: Annotated[str, typer.Option(help="the organisation the key belongs to")],
    role: Annotated[Role, typer.Option()],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    from ipfed.nodes.auth.service import create_api_key

    settings = load(data_dir)
    with node_db(settings) as db:
        _, secret = create_api_key(db=db, org=org, role=role)
    out.print(f"API key for {org} ({role}): [bold]{secret}[/bold] (shown once)")


@app.command("list")
def key_list(data_dir: DataDir = Path("ipfed-data")) -> None:
    from ipfed.nodes.auth.service import list_api_keys

    settings = load(data_dir)
    with node_db(settings) as db:
        table = Table("prefix", "org", "role", "created", "revoked")
        for key in list_api_keys(db=db):
            revoked = f"{key.revoked_at:%Y-%m-%d}" if key.revoked_at else ""
            table.add_row(key.prefix, key.org, key.role, f"{key.created_at:%Y-%m-%d}", revoked)
    out.print(table)


@app.command("revoke")
def key_revoke(prefix: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    from ipfed.nodes.auth.service import revoke_api_key

    settings = load(data_dir)
    with node_db(settings) as db:
        key = revoke_api_key(db=db, prefix=prefix)
        out.print(f"revoked {key.prefix}… of {key.org}")
