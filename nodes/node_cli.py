"""``ipfed node``: create a node and serve its HTTP API."""

from pathlib import Path
from typing import Annotated

import typer

from ipfed.nodes.cli_support import DataDir, load, out
from ipfed.nodes.config import NodeRole

app = typer.Typer(help="Create and run a node.", no_args_is_help=True)


@app.command("init")
def node_init(
    data_dir: DataDir = Path("ipfed-data"),
    node_id: Annotated[str, typer.Option(help="short id, e.g. sh or national")] = "national",
    role: Annotated[NodeRole, typer.Option()] = NodeRole.NATIONAL,
    region: Annotated[str, typer.Option(help="GB/T 2260 code; 100000 is national")] = "100000",
    org_name: Annotated[str, typer.Option(help="the office that runs the node")] = "",
    http_port: Annotated[int, typer.Option()] = 8000,
    exchange_endpoint: Annotated[str, typer.Option()] = "tcp://127.0.0.1:7100",
    database_url: Annotated[
        str | None, typer.Option(envvar="IPFED_DATABASE_URL", help="default: SQLite in data-dir")
    ] = None,
) -> None:
    """Write node.toml, create the database and print the office's first API key."""
    from ipfed.ledger.identity import Role
    from ipfed.nodes.auth.service import create_api_key
    from ipfed.nodes.config import CONFIG_FILE, NodeSettings
    from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
    from ipfed.nodes.database.migrate import upgrade
    from ipfed.nodes.errors import ConfigurationError
    from ipfed.nodes.secrets import keep_folder_private, owner_only

    if (data_dir / CONFIG_FILE).exists():
        raise ConfigurationError(f"{data_dir} already holds a node", code="node_exists")
    settings = NodeSettings(
        node_id=node_id,
        role=role,
        region_code=region,
        org_name=org_name or node_id,
        data_dir=data_dir,
        http_port=http_port,
        exchange_endpoint=exchange_endpoint,
        database_url=database_url,
    )
    with owner_only():  # the node's folder, database and settings
        data_dir.mkdir(parents=True, exist_ok=True)
        keep_folder_private(data_dir)
        engine = make_engine(settings.db_url)
        upgrade(engine)
        with transaction(make_session_factory(engine)) as db:
            _, secret = create_api_key(db=db, org=settings.org_name, role=Role(role.value))
        settings.save()
    out.print(f"node [bold]{node_id}[/bold] ({role}, {region}) initialised in {data_dir}")
    out.print(f"API key for {settings.org_name}: [bold]{secret}[/bold] (shown once)")


@app.command("run")
def node_run(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Serve the node's HTTP API."""
    import uvicorn

    from ipfed.nodes.app import create_app
    from ipfed.nodes.database.core import make_engine
    from ipfed.nodes.database.migrate import current_revision, head_revision
    from ipfed.nodes.errors import ConfigurationError
    from ipfed.nodes.identity import node_identity
    from ipfed.nodes.secrets import keep_folder_private

    settings = load(data_dir)
    keep_folder_private(data_dir)
    if (settings.identity_dir / "org.key").exists():
        node_identity(settings)  # a key that cannot be opened stops the node here, with its code
    engine = make_engine(settings.db_url)
    if current_revision(engine) != head_revision():
        raise ConfigurationError(
            "the database schema is not current: run `ipfed db upgrade`", code="schema_outdated"
        )
    uvicorn.run(
        create_app(settings, engine),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
    )
