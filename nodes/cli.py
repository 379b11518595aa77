"""The ``ipfed`` command."""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from ipfed.exchange.errors import ExchangeError
from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.errors import InvalidProof, LedgerError, MalformedData
from ipfed.ledger.identity import Algorithm, Organisation
from ipfed.ledger.keystore import AuthorityDirectory, write_certificate, write_private_key
from ipfed.ledger.proofs import parse_proof
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key, list_api_keys, revoke_api_key
from ipfed.nodes.config import CONFIG_FILE, NodeRole, NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import current_revision, head_revision, upgrade
from ipfed.nodes.errors import ConfigurationError, InvalidInput, IpfedError
from ipfed.nodes.imports.kinds import KINDS, import_kind
from ipfed.nodes.imports.schemas import ImportReport
from ipfed.nodes.imports.service import import_file
from ipfed.nodes.ledger.service import audit, node_log, prove
from ipfed.nodes.secrets import keep_folder_private, key_passphrase, owner_only
from ipfed.registry.identifiers import InvalidIdentifier, parse_region_code

if TYPE_CHECKING:
    from ipfed.nodes.exchange.network import Network
    from ipfed.nodes.fairs.schemas import CheckReport

# Commands import the heavier domains (fairs' screening engine, filings' pandas)
# when they run, so that every other command starts quickly.

app = typer.Typer(
    help="ipfed: federated IP-protection node.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
node_app = typer.Typer(help="Create and run a node.", no_args_is_help=True)
db_app = typer.Typer(help="The node's database.", no_args_is_help=True)
key_app = typer.Typer(
    help="API keys of the organisations that use this node.", no_args_is_help=True
)
app.add_typer(node_app, name="node")
app.add_typer(db_app, name="db")
ledger_app = typer.Typer(help="The tamper-evident log and its proofs.", no_args_is_help=True)
ca_app = typer.Typer(help="The federation's certificate authority.", no_args_is_help=True)
app.add_typer(ca_app, name="ca")
app.add_typer(key_app, name="apikey")
app.add_typer(ledger_app, name="ledger")
exchange_app = typer.Typer(
    help="Messages to and from other nodes: inbox, outbox, dead letters, links.",
    no_args_is_help=True,
)
app.add_typer(exchange_app, name="exchange")
fairs_app = typer.Typer(
    help="Trade fairs: exhibitors and their marked exhibits, checked.", no_args_is_help=True
)
app.add_typer(fairs_app, name="fairs")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

DataDir = Annotated[
    Path,
    typer.Option("--data-dir", "-d", envvar="IPFED_DATA_DIR", help="the node's directory"),
]


def reports_errors(command: F) -> F:
    """Print ipfed and validation errors as one clear line instead of a traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (IpfedError, LedgerError, ExchangeError) as exc:
            err.print(f"[red]error[/red] {escape(f'[{exc.code}]')} {escape(exc.message)}")
            raise typer.Exit(2) from None
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                where = ".".join(str(p) for p in error["loc"])
                message = escape(f"[invalid_input] {where}: {error['msg']}")
                err.print(f"[red]error[/red] {message}")
            raise typer.Exit(2) from None

    return run  # type: ignore[return-value]


def node_sessions(settings: NodeSettings) -> sessionmaker[Session]:
    return make_session_factory(make_engine(settings.db_url))


@contextmanager
def node_db(settings: NodeSettings) -> Iterator[Session]:
    """A transaction on the node's database, committed when the command succeeds."""
    with transaction(node_sessions(settings)) as db:
        yield db


def load(data_dir: Path) -> NodeSettings:
    if not (data_dir / CONFIG_FILE).exists():
        raise ConfigurationError(
            f"no {CONFIG_FILE} in {data_dir}: run `ipfed node init` first", code="no_node"
        )
    return NodeSettings.load(data_dir)


@node_app.command("init")
@reports_errors
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


@node_app.command("run")
@reports_errors
def node_run(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Serve the node's HTTP API."""
    import uvicorn

    from ipfed.nodes.app import create_app
    from ipfed.nodes.identity import node_identity

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


@db_app.command("upgrade")
@reports_errors
def db_upgrade(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Apply every pending migration."""
    settings = load(data_dir)
    engine = make_engine(settings.db_url)
    before = current_revision(engine)
    upgrade(engine)
    out.print(f"schema {before or 'empty'} -> {current_revision(engine)}")


@app.command("import")
@reports_errors
def import_command(
    kind: Annotated[str, typer.Argument(help=f"one of: {', '.join(KINDS)}")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    data_dir: DataDir = Path("ipfed-data"),
    fmt: Annotated[str | None, typer.Option("--format", help="csv or jsonl")] = None,
    encoding: Annotated[str, typer.Option(help="e.g. gb18030")] = "utf-8-sig",
    partial: Annotated[
        bool, typer.Option(help="store the valid rows even when others are rejected")
    ] = False,
) -> None:
    """Import a CSV or JSONL file: every row is validated; by default all or nothing."""
    import_as = import_kind(kind)
    settings = load(data_dir)
    sessions = node_sessions(settings)
    with (
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as progress,
        transaction(sessions) as db,
    ):
        task = progress.add_task(f"importing {import_as.name}", total=file.stat().st_size)
        report = import_file(
            db=db,
            kind=import_as,
            path=file,
            fmt=fmt,
            encoding=encoding,
            accept_partial=partial,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    show_report(report)
    if not report.committed:
        raise typer.Exit(1)


def show_report(report: ImportReport) -> None:
    if report.rejections:
        table = Table("line", "field", "code", "reason", title="rejected rows")
        for r in report.rejections:
            table.add_row(str(r.line), r.field or "", r.code, r.reason)
        err.print(table)
        if report.rows_rejected > len(report.rejections):
            err.print(f"… and {report.rows_rejected - len(report.rejections)} more")
    if report.ignored_columns:
        err.print(f"ignored columns: {', '.join(report.ignored_columns)}")
    if report.committed:
        out.print(
            f"imported {report.rows_imported:,} of {report.rows_read:,} {report.kind} rows "
            f"in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)"
        )
    else:
        err.print(
            f"[red]nothing imported[/red]: {report.rows_rejected:,} of {report.rows_read:,} "
            "rows rejected (fix them, or pass --partial to store the valid rows)"
        )


@key_app.command("create")
@reports_errors
def key_create(
    org: Annotated[str, typer.Option(help="the organisation the key belongs to")],
    role: Annotated[Role, typer.Option()],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    settings = load(data_dir)
    with node_db(settings) as db:
        _, secret = create_api_key(db=db, org=org, role=role)
    out.print(f"API key for {org} ({role}): [bold]{secret}[/bold] (shown once)")


@key_app.command("list")
@reports_errors
def key_list(data_dir: DataDir = Path("ipfed-data")) -> None:
    settings = load(data_dir)
    with node_db(settings) as db:
        table = Table("prefix", "org", "role", "created", "revoked")
        for key in list_api_keys(db=db):
            revoked = f"{key.revoked_at:%Y-%m-%d}" if key.revoked_at else ""
            table.add_row(key.prefix, key.org, key.role, f"{key.created_at:%Y-%m-%d}", revoked)
    out.print(table)


@key_app.command("revoke")
@reports_errors
def key_revoke(prefix: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    settings = load(data_dir)
    with node_db(settings) as db:
        key = revoke_api_key(db=db, prefix=prefix)
        out.print(f"revoked {key.prefix}… of {key.org}")


def authority(data_dir: Path) -> AuthorityDirectory:
    return AuthorityDirectory(data_dir / "ca", key_passphrase())


@ca_app.command("init")
@reports_errors
def ca_init(
    data_dir: DataDir = Path("ipfed-data"),
    algorithm: Annotated[str, typer.Option(help="ecdsa-p256 or ed25519")] = "ecdsa-p256",
) -> None:
    """Create the federation root CA (held by the national node)."""
    with owner_only():
        ca = AuthorityDirectory.create(data_dir / "ca", _algorithm(algorithm), key_passphrase())
    out.print(f"federation root CA created in {ca.path}")


@ca_app.command("issue")
@reports_errors
def ca_issue(
    org: Annotated[str, typer.Option(help="the organisation's name")],
    role: Annotated[Role, typer.Option()],
    region: Annotated[str, typer.Option(help="GB/T 2260 region code")],
    out_dir: Annotated[Path, typer.Option("--out", help="where its key and certificate go")],
    data_dir: DataDir = Path("ipfed-data"),
    algorithm: Annotated[str, typer.Option(help="ecdsa-p256 or ed25519")] = "ecdsa-p256",
) -> None:
    """Issue a key pair and certificate that carry the organisation's role and region."""
    try:
        region = parse_region_code(region)
    except InvalidIdentifier as exc:
        raise ConfigurationError(str(exc), code=exc.code) from None
    key, certificate = authority(data_dir).issue(
        Organisation(org, Role(role), region), _algorithm(algorithm)
    )
    with owner_only():
        out_dir.mkdir(parents=True, exist_ok=True)
        write_private_key(out_dir / "org.key", key, key_passphrase())
        write_certificate(out_dir / "org.pem", certificate)
    out.print(f"issued {certificate.serial_number:x} to {org} ({role}, {region}) in {out_dir}")


@ca_app.command("revoke")
@reports_errors
def ca_revoke(serial: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """Revoke a certificate by its serial number (hex)."""
    try:
        number = int(serial, 16)
    except ValueError:
        raise ConfigurationError(
            f"{serial!r} is not a hex serial number", code="bad_serial"
        ) from None
    authority(data_dir).revoke(number)
    out.print(f"revoked {number:x}; publish a new trust bundle")


@ca_app.command("bundle")
@reports_errors
def ca_bundle(
    out_file: Annotated[Path, typer.Option("--out", help="the trust-bundle file to write")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Write the trust bundle platforms load: root, certificates and revocations."""
    bundle = authority(data_dir).bundle()
    out_file.write_text(bundle.to_json(), encoding="utf-8")
    out.print(f"trust bundle with {len(bundle.by_key_id)} certificates written to {out_file}")


def _algorithm(name: str) -> Algorithm:
    if name not in ("ecdsa-p256", "ed25519"):
        raise ConfigurationError(f"unknown key algorithm {name!r}", code="bad_algorithm")
    return name  # type: ignore[return-value]


@ledger_app.command("verify")
@reports_errors
def ledger_verify(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Audit the whole log: every hash, signature, contract rule and checkpoint."""
    settings = load(data_dir)
    bundle_file = settings.identity_dir / "trust-bundle.json"
    try:
        bundle = TrustBundle.from_json(bundle_file.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigurationError(
            f"no trust bundle at {bundle_file}", code="no_trust_bundle"
        ) from None
    with node_db(settings) as db:
        size = node_log(db, settings.origin).size
        problem = audit(db=db, origin=settings.origin, bundle=bundle)
    if problem is not None:
        detail = escape(f"[{problem.code}] {problem.message}")
        err.print(f"[red]{escape(problem.where)}[/red] {detail}")
        raise typer.Exit(1)
    out.print(f"the log of {settings.origin} verifies: {size:,} entries")


@ledger_app.command("witness")
@reports_errors
def ledger_witness(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Sign a checkpoint and have every peer with an API key cosign it."""
    from ipfed.nodes.ledger.witnessing import request_witness

    settings = load(data_dir)
    sessions = node_sessions(settings)
    note = request_witness(sessions=sessions, settings=settings)
    size = Checkpoint.parse(note.text).size
    out.print(f"checkpoint {size} of {settings.origin}: {len(note.signatures)} signatures")


@ledger_app.command("gossip")
@reports_errors
def ledger_gossip(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Check each peer's latest checkpoint against what it showed before (1: split view)."""
    from ipfed.nodes.identity import node_identity
    from ipfed.nodes.witness.gossip import gossip

    settings = load(data_dir)
    sessions = node_sessions(settings)
    reports = gossip(sessions=sessions, peers=settings.peers, bundle=node_identity(settings).bundle)
    table = Table("peer", "log", "size", "outcome")
    for r in reports:
        table.add_row(r.node_id, r.origin or "", "" if r.size is None else str(r.size), r.outcome)
    out.print(table)
    if any(r.outcome == "split_view" for r in reports):
        raise typer.Exit(1)


@ledger_app.command("prove")
@reports_errors
def ledger_prove(
    position: int,
    out_file: Annotated[Path, typer.Option("--out", help="the receipt file to write")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Write a receipt for an entry that verifies offline with the trust bundle."""
    settings = load(data_dir)
    with node_db(settings) as db:
        receipt = prove(db=db, origin=settings.origin, position=position)
    out_file.write_text(receipt.model_dump_json(indent=2), encoding="utf-8")
    out.print(f"receipt for entry {position} written to {out_file}")


@ledger_app.command("check-receipt")
def ledger_check_receipt(
    file: Path,
    bundle_file: Annotated[Path, typer.Option("--bundle", help="the federation's trust bundle")],
    witnessed: Annotated[
        bool, typer.Option(help="require the national node's cosignature")
    ] = False,
) -> None:
    """Exit 0 if the receipt verifies offline, 1 if not, 2 if unreadable."""
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


@ledger_app.command("check-proof")
def ledger_check_proof(
    file: Annotated[Path, typer.Argument(help="a proof in the RFC 9162 test-vector layout")],
) -> None:
    """Exit 0 if the inclusion or consistency proof verifies, 1 if not, 2 if unreadable."""
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


@fairs_app.command("register")
@reports_errors
def fairs_register(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="one exhibit a row: exhibitor, uscc, booth, exhibit, description, "
            "nice_class or locarno_class, mark (CSV, JSON Lines or a JSON array)",
        ),
    ],
    name: Annotated[str, typer.Option(help="the fair's name")],
    venue: Annotated[str, typer.Option()],
    region: Annotated[str, typer.Option(help="GB/T 2260 code of the venue")],
    category: Annotated[str, typer.Option(help="e.g. 食品; organizers share records by it")],
    starts: Annotated[str, typer.Option(help="first day, YYYY-MM-DD")],
    ends: Annotated[str, typer.Option(help="last day, YYYY-MM-DD")],
    organizer: Annotated[str, typer.Option(help="the organizing company")],
    data_dir: DataDir = Path("ipfed-data"),
    encoding: Annotated[str, typer.Option(help="e.g. gb18030")] = "utf-8-sig",
) -> None:
    """Register a fair before it opens, and check every exhibit (all or nothing)."""
    from ipfed.nodes.fairs import service as fairs
    from ipfed.nodes.fairs.files import read_exhibitors
    from ipfed.nodes.fairs.schemas import FairIn

    settings = load(data_dir)
    exhibitors, rejections = read_exhibitors(file, encoding)
    if rejections:
        table = Table("line", "field", "code", "reason", title="rejected rows")
        for r in rejections:
            table.add_row(str(r.line), r.field or "", r.code, r.reason)
        err.print(table)
        err.print("[red]nothing registered[/red]: fix the rows above")
        raise typer.Exit(1)
    try:
        request = FairIn(
            name=name,
            venue=venue,
            region_code=region,
            category=category,
            starts_on=starts,  # parsed by pydantic
            ends_on=ends,
            exhibitors=exhibitors,
        )
    except ValidationError as exc:
        raise InvalidInput(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None
    total = sum(len(e.exhibits) for e in exhibitors)
    with (
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as progress,
        node_db(settings) as db,
    ):
        task = progress.add_task("checking exhibits", total=total)
        fair = fairs.register_fair(
            db,
            settings,
            request,
            organizer,
            fairs.fair_today(),
            on_progress=lambda done: progress.update(task, completed=done),
        )
        report = fairs.check_report(db, fair)
    show_check(report, flagged_only=True)


@fairs_app.command("report")
@reports_errors
def fairs_report(
    fair_id: str,
    data_dir: DataDir = Path("ipfed-data"),
    chart: Annotated[Path | None, typer.Option(help="also draw it, into this PNG or SVG")] = None,
) -> None:
    """A fair's check report: every exhibit, cleared or flagged, and why."""
    from ipfed.nodes.fairs import service as fairs

    settings = load(data_dir)
    with node_db(settings) as db:
        report = fairs.check_report(db, fairs.get_fair(db, fair_id))
    show_check(report, flagged_only=False)
    if chart is not None:
        from ipfed.nodes.fairs.charts import check_chart

        check_chart(report, chart)
        out.print(f"chart written to {chart}")


def show_check(report: "CheckReport", *, flagged_only: bool) -> None:
    fair = report.fair
    table = Table("exhibitor", "booth", "exhibit", "class", "check", "flags")
    for exhibitor in report.exhibitors:
        for exhibit in exhibitor.exhibits:
            if flagged_only and not exhibit.flags:
                continue
            flags = "\n".join(f"{f.code}: {f.reason}" for f in exhibit.flags)
            table.add_row(
                escape(exhibitor.name),
                escape(exhibitor.booth or ""),
                escape(exhibit.name),
                str(exhibit.nice_class or exhibit.locarno_class),
                exhibit.check.value,
                escape(flags),
            )
    if table.row_count:
        out.print(table)
    out.print(
        f"fair {fair.id} {escape(fair.name)} ({fair.starts_on} to {fair.ends_on}): "
        f"{report.exhibits} exhibits, {report.cleared} cleared, "
        f"[{'red' if report.flagged else 'green'}]{report.flagged} flagged[/]"
    )


@fairs_app.command("track")
@reports_errors
def fairs_track(fair_id: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """After a fair: its flagged exhibits found among online listings."""
    from ipfed.nodes.fairs import service as fairs
    from ipfed.nodes.fairs import tracking as fair_tracking

    settings = load(data_dir)
    with node_db(settings) as db:
        report = fair_tracking.track_online(db, fairs.get_fair(db, fair_id), fairs.fair_today())
    table = Table("exhibit", "exhibitor", "listing", "seller", "why", "url")
    for tracked in report.exhibits:
        for match in tracked.matches:
            table.add_row(
                escape(tracked.lead.exhibit.name),
                escape(tracked.lead.exhibitor.name),
                escape(match.title),
                escape(match.seller),
                ", ".join(match.reasons),
                escape(match.url or ""),
            )
    if table.row_count:
        out.print(table)
    found = sum(bool(t.matches) for t in report.exhibits)
    out.print(
        f"{found} of {len(report.exhibits)} flagged exhibits found online "
        f"among {report.listings_searched:,} listings"
    )


marks_app = typer.Typer(help="Electronic IP marks: issue, print, verify.", no_args_is_help=True)
app.add_typer(marks_app, name="marks")


def _find_right(db: Session, right: str) -> str:
    """A right's id, from its id or its official number."""
    from sqlalchemy import select

    from ipfed.nodes.rights.models import Right

    ids = db.scalars(select(Right.id).where((Right.id == right) | (Right.number == right))).all()
    if len(ids) != 1:
        reason = "no right" if not ids else "several rights (give the id)"
        raise InvalidInput(f"{reason} with id or number {right}", code="unknown_right")
    return ids[0]


@marks_app.command("issue")
@reports_errors
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
    from ipfed.nodes.marks.schemas import MarkIn
    from ipfed.nodes.marks.service import issue_mark, mark_url

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
        mark = issue_mark(db, settings, request, utcnow().date())
        url = mark_url(settings, mark.token)
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


@marks_app.command("qr")
@reports_errors
def marks_qr(
    mark_id: str,
    out_file: Annotated[Path, typer.Option("--out")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Write a mark's QR code as PNG or SVG (by the file's extension)."""
    from ipfed.nodes.marks.service import get_mark, mark_url

    settings = load(data_dir)
    with node_db(settings) as db:
        url = mark_url(settings, get_mark(db, mark_id).token)
    _write_qr(url, out_file)


@marks_app.command("status")
@reports_errors
def marks_status(
    mark_id: str,
    status: Annotated[str, typer.Argument(help="active, suspended, revoked or expired")],
    reason: Annotated[str, typer.Option()],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Suspend, reinstate, revoke or expire a mark (recorded on the ledger)."""
    from ipfed.nodes.marks.schemas import StatusChange
    from ipfed.nodes.marks.service import change_status, get_mark

    settings = load(data_dir)
    change = StatusChange.model_validate({"status": status, "reason": reason})
    with node_db(settings) as db:
        mark = change_status(
            db, settings, get_mark(db, mark_id), change.status, change.reason, settings.org_name
        )
    out.print(f"mark {mark.id} is now [bold]{mark.status}[/bold]")


@marks_app.command("units")
@reports_errors
def marks_units(
    mark_id: str,
    batch: Annotated[str, typer.Option(help="the production batch number")],
    quantity: Annotated[int, typer.Option(min=1, max=100_000)],
    out_file: Annotated[Path, typer.Option("--out", help="CSV of serial,url")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Unit codes for a production batch, one URL per unit for the label printer."""
    import csv

    from ipfed.nodes.marks.service import get_mark, issue_units, mark_url

    settings = load(data_dir)
    with node_db(settings) as db, Progress(console=err, transient=True) as progress:
        progress.add_task(f"signing {quantity} unit codes", total=None)
        mark = get_mark(db, mark_id)
        _, units = issue_units(db, settings, mark, batch, quantity, settings.org_name)
        with out_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["serial", "url"])
            writer.writerows((u.serial, mark_url(settings, u.token)) for u in units)
    out.print(f"{len(units)} unit codes of batch {batch} written to {out_file}")


@marks_app.command("follow")
@reports_errors
def marks_follow(data_dir: DataDir = Path("ipfed-data")) -> None:
    """Bring every mark in line with its right and licence now (a running node does it itself)."""
    from ipfed.nodes.marks.follow import follow_once

    settings = load(data_dir)
    out.print(f"{follow_once(settings, node_sessions(settings))} marks changed")


@marks_app.command("verify")
def marks_verify(
    scanned: Annotated[str, typer.Argument(help="a token or the URL a QR code holds")],
    bundle: Annotated[Path, typer.Option(help="the federation's trust-bundle.json")],
    cache: Annotated[Path, typer.Option(help="where status lists are kept")] = Path("ipfed-status"),
    online: Annotated[bool, typer.Option(help="refresh the issuer's status lists first")] = False,
    product_class: Annotated[str | None, typer.Option("--class")] = None,
    seller: Annotated[str | None, typer.Option(help="the seller's credit code")] = None,
) -> None:
    """Verify a mark as a platform does: offline from cached status lists, or online."""
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


def exchange_network(settings: NodeSettings) -> "Network":
    from ipfed.nodes.exchange.network import Network
    from ipfed.nodes.identity import node_identity

    return Network.of(settings, node_identity(settings))


@exchange_app.command("send")
@reports_errors
def exchange_send(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Route, sign and queue a message: a JSON file {"type": ..., "body": ..., "receipt": ...}."""
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


@exchange_app.command("inbox")
@reports_errors
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


@exchange_app.command("outbox")
@reports_errors
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


@exchange_app.command("retry")
@reports_errors
def exchange_retry(envelope_id: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """Queue a dead letter again, at the end of its links."""
    from ipfed.nodes.exchange.service import retry

    settings = load(data_dir)
    with node_db(settings) as db:
        changed = retry(db=db, envelope_id=envelope_id)
    if not changed:
        raise IpfedError(f"envelope {envelope_id} has no dead delivery", code="no_dead_letter")
    out.print(f"{envelope_id}: {changed} deliveries queued again")


@exchange_app.command("give-up")
@reports_errors
def exchange_give_up(
    envelope_id: str,
    reason: Annotated[str, typer.Option(help="why, for whoever reads the dead letters")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Stop delivering an envelope: its pending deliveries become dead letters."""
    from ipfed.nodes.exchange.service import give_up

    settings = load(data_dir)
    with node_db(settings) as db:
        changed = give_up(db=db, envelope_id=envelope_id, reason=reason)
    if not changed:
        raise IpfedError(f"envelope {envelope_id} has no pending delivery", code="no_pending")
    out.print(f"{envelope_id}: {changed} deliveries given up")


@exchange_app.command("links")
@reports_errors
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


@app.command("demo")
@reports_errors
def demo(
    data_dir: Annotated[Path, typer.Option("--data-dir", "-d")] = Path("ipfed-demo"),
    base_port: Annotated[
        int, typer.Option(help="HTTP ports base to base+2; exchange ports base+100 to base+102")
    ] = 8700,
    datasets: Annotated[
        Path | None, typer.Option(help="development data (default: ../shared/datasets if present)")
    ] = None,
) -> None:
    """Start a national node and two regional nodes on loopback; Ctrl-C stops them."""
    from ipfed.nodes.demo.federation import run_demo

    run_demo(data_dir=data_dir, base_port=base_port, datasets=datasets, console=out)


from ipfed.nodes.filings.cli import add_filings_commands  # noqa: E402

add_filings_commands(app)


def main() -> None:
    with owner_only():  # every file and folder a node or command creates is its owner's
        app()


# Detection commands live with their domain; they use the helpers above.
from ipfed.nodes.detection.cli import add_detection_commands  # noqa: E402

add_detection_commands(app)
