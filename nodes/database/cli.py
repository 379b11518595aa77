"""``ipfed db``: the node's database schema."""

from pathlib import Path

import typer

from ipfed.nodes.cli_support import DataDir, load, out

app = typer.Typer(help="The node's database.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Apply every pending migration."""
    from ipfed.nodes.database.core import make_engine
    from ipfed.nodes.database.migrate import current_revision, upgrade

    settings = load(data_dir)
    engine = make_engine(settings.db_url)
    before = current_revision(engine)
    upgrade(engine)
    out.print(f"schema {before or 'empty'} -> {current_revision(engine)}")
