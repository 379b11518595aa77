"""``ipfed users``: the people who sign in to this node's console."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ipfed.ledger.identity import Role
from ipfed.nodes.cli_support import DataDir, load, node_db, out

app = typer.Typer(help="People's accounts for the node's web console.", no_args_is_help=True)


@app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="lower-case letters, digits, '.', '_', '-'")],
    name: Annotated[str, typer.Option(help="the person's name, shown in the node")],
    role: Annotated[Role, typer.Option()],
    org: Annotated[
        str | None, typer.Option(help="the person's organisation (default: this node's office)")
    ] = None,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Add a person; their first password is printed once."""
    from ipfed.nodes.accounts.service import add_account

    settings = load(data_dir)
    with node_db(settings) as db:
        account, password = add_account(
            db=db, username=username, name=name, org=org or settings.org_name, role=role
        )
    out.print(
        f"{account.username} ({account.name}, {account.role}, {account.org}): "
        f"password [bold]{password}[/bold] (shown once)"
    )
    out.print(f"console: {settings.public_base_url}/console")


@app.command("list")
def users_list(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Every account, its state and its second factor."""
    from ipfed.nodes.accounts.service import is_locked, list_accounts
    from ipfed.nodes.database.core import utcnow

    settings = load(data_dir)
    now = utcnow()
    table = Table("username", "name", "org", "role", "state", "totp", "last sign-in")
    with node_db(settings) as db:
        for account in list_accounts(db=db):
            state = (
                "disabled"
                if account.disabled_at
                else "locked"
                if is_locked(account, now)
                else "active"
            )
            last = f"{account.last_sign_in_at:%Y-%m-%d %H:%M}" if account.last_sign_in_at else ""
            totp = "on" if account.totp_secret else "off"
            table.add_row(
                account.username, account.name, account.org, account.role, state, totp, last
            )
    out.print(table)


@app.command("disable")
def users_disable(username: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """Disable an account; its sessions end at once."""
    from ipfed.nodes.accounts.service import disable_account, get_account
    from ipfed.nodes.database.core import utcnow

    settings = load(data_dir)
    with node_db(settings) as db:
        disable_account(db=db, account=get_account(db=db, username=username), now=utcnow())
    out.print(f"disabled {username}; their sessions have ended")


@app.command("reset")
def users_reset(
    username: str,
    clear_totp: Annotated[
        bool, typer.Option("--clear-totp", help="also remove the second factor (a lost phone)")
    ] = False,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """A new password (printed once), the lock lifted and every session ended."""
    from ipfed.nodes.accounts.service import get_account, reset_account
    from ipfed.nodes.database.core import utcnow

    settings = load(data_dir)
    with node_db(settings) as db:
        account = get_account(db=db, username=username)
        password = reset_account(db=db, account=account, now=utcnow(), clear_totp=clear_totp)[1]
    out.print(f"{username}: new password [bold]{password}[/bold] (shown once)")
