"""``ipfed demo``: three nodes as separate processes, each with its own SQLite database."""

import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx
from rich.console import Console

from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.demo.exchange import confirm_lead, enrol, follow_lead
from ipfed.nodes.demo.fairs import register_demo_fair
from ipfed.nodes.demo.filings import file_and_consolidate
from ipfed.nodes.demo.ledger import anchor_listings, federate, witness_all
from ipfed.nodes.demo.marks import issue_demo_marks, platform_verifies
from ipfed.nodes.errors import ConfigurationError
from ipfed.nodes.imports.kinds import import_kind
from ipfed.nodes.imports.service import import_file

SAMPLE = Path(__file__).parent / "sample"
MARKER = ".ipfed-demo"  # only a directory holding this is ever wiped
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class DemoNode:
    node_id: str
    role: NodeRole
    region_code: str
    org_name: str


NODES = (
    DemoNode("national", NodeRole.NATIONAL, "100000", "国家知识产权局"),
    DemoNode("sh", NodeRole.REGIONAL, "310000", "上海市知识产权局"),
    DemoNode("zj", NodeRole.REGIONAL, "330000", "浙江省知识产权局"),
)


def data_files(node: DemoNode, datasets: Path | None) -> list[tuple[str, Path]]:
    """What each node loads: the register everywhere, listings where they were observed."""
    files = [
        ("trademarks", SAMPLE / "trademarks.csv"),
        ("patents", SAMPLE / "patents.csv"),
        ("geographical-indications", SAMPLE / "geographical-indications.csv"),
    ]
    if datasets:
        files += [
            ("trademarks", datasets / "trademark-dev" / "marks.csv"),
            ("patents", datasets / "patent-marking-dev" / "patents.csv"),
            ("licences", datasets / "trademark-dev" / "licenses.csv"),
            ("licences", datasets / "patent-marking-dev" / "licenses.csv"),
        ]
    files += [
        ("licences", SAMPLE / "licences.csv"),
        ("adjudications", SAMPLE / "adjudications.csv"),
        ("key-products", SAMPLE / "key-products.csv"),
        ("participants", SAMPLE / "participants.csv"),
    ]
    if node.node_id == "zj":
        files.append(("listings", SAMPLE / "listings.csv"))
        if datasets:
            files.append(("listings", datasets / "trademark-dev" / "listings.csv"))
    if node.node_id == "sh" and datasets:
        files.append(("listings", datasets / "patent-marking-dev" / "listings.csv"))
    return files


def settings_for(node: DemoNode, index: int, data_dir: Path, base_port: int) -> NodeSettings:
    def exchange(i: int) -> str:
        return f"tcp://127.0.0.1:{base_port + 100 + i}"

    peers = [
        Peer(
            node_id=other.node_id,
            role=other.role,
            region_code=other.region_code,
            api_url=f"http://127.0.0.1:{base_port + i}",
            exchange_endpoint=exchange(i),
        )
        for i, other in enumerate(NODES)
        if other != node  # every node exchanges with every other
    ]
    return NodeSettings(
        node_id=node.node_id,
        role=node.role,
        region_code=node.region_code,
        org_name=node.org_name,
        data_dir=data_dir / node.node_id,
        http_port=base_port + index,
        exchange_endpoint=exchange(index),
        peers=peers,
        leads_push_seconds=1,  # confirmed leads leave at once
    )


def prepare(settings: NodeSettings, files: list[tuple[str, Path]], console: Console) -> str:
    """Create the node's database, load its data and return a fresh API key for the office."""
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.db_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    for kind, path in files:
        with transaction(sessions) as db:
            report = import_file(db=db, kind=import_kind(kind), path=path)
        if not report.committed:
            first = report.rejections[0]
            raise ConfigurationError(
                f"{path}: line {first.line}: {first.reason}", code="demo_data_rejected"
            )
        console.print(
            f"  {settings.node_id}: {report.rows_imported:>3} {kind:<25} from {path.name}"
        )
    with transaction(sessions) as db:
        _, secret = create_api_key(db=db, org=settings.org_name, role=Role(settings.role.value))
    engine.dispose()
    settings.save()
    return secret


def demo_person(settings: NodeSettings) -> tuple[str, str]:
    """An account of the office's reviewer on the node: its username and password."""
    engine = make_engine(settings.db_url)
    with transaction(make_session_factory(engine)) as db:
        account, password = add_account(
            db=db,
            username=f"{settings.node_id}.reviewer",
            name=f"{settings.org_name}审核员",
            org=settings.org_name,
            role=Role(settings.role.value),
        )
    engine.dispose()
    return account.username, password


def fresh_directory(data_dir: Path) -> None:
    if data_dir.exists():
        if not (data_dir / MARKER).exists() and any(data_dir.iterdir()):
            raise ConfigurationError(
                f"{data_dir} exists and is not a demo directory; choose another --data-dir",
                code="demo_dir_in_use",
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / MARKER).touch()


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigurationError(
                f"the node at {url} exited at start-up; see {log}", code="demo_node_failed"
            )
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise ConfigurationError(f"the node at {url} did not start; see {log}", code="demo_timeout")


def run_demo(*, data_dir: Path, base_port: int, datasets: Path | None, console: Console) -> None:
    if datasets is None and Path("../shared/datasets").is_dir():
        datasets = Path("../shared/datasets")
    console.print(f"development data: {datasets.resolve() if datasets else 'built-in sample only'}")
    fresh_directory(data_dir)
    nodes = [settings_for(node, i, data_dir, base_port) for i, node in enumerate(NODES)]
    keys = {
        s.node_id: prepare(s, data_files(n, datasets), console)
        for n, s in zip(NODES, nodes, strict=True)
    }
    people = {s.node_id: demo_person(s) for s in nodes}
    nodes = federate(nodes, data_dir / "ca")
    keys |= enrol(nodes, data_dir / "ca")
    for settings in nodes:
        if (anchored := anchor_listings(settings)) > 0:
            console.print(
                f"  {settings.node_id}: {anchored} listing snapshots anchored in its ledger"
            )
    shanghai = nodes[1]
    mark_urls = issue_demo_marks(shanghai)
    console.print(f"  sh: {len(mark_urls)} electronic IP marks issued, with QR codes")
    by_id = {settings.node_id: settings for settings in nodes}
    fair, organizer_key = register_demo_fair(shanghai)
    console.print(
        f"  sh: fair {fair.fair.id} registered by {fair.fair.organizer}: {fair.exhibits} "
        f"exhibits checked, {fair.flagged} flagged; the organizer's API key {organizer_key}",
        soft_wrap=True,
        highlight=False,
    )

    processes: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        for settings in nodes:
            log = settings.data_dir / "node.log"
            with log.open("wb") as log_file:
                processes.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "ipfed.nodes",
                            "node",
                            "run",
                            "-d",
                            str(settings.data_dir),
                        ],
                        stdout=log_file,
                        stderr=subprocess.STDOUT,
                    )
                )
        for settings, process in zip(nodes, processes, strict=True):
            wait_until_healthy(settings.base_url, process, settings.data_dir / "node.log")
        platform_verifies(shanghai, mark_urls, keys[shanghai.node_id], console)
        found = confirm_lead(by_id["zj"], keys["zj"], console)
        follow_lead(by_id, keys, found, console)
        witness_all(nodes, console)  # the checkpoints now hold the lead and its evidence
        file_and_consolidate(nodes, console)

        console.print("[bold]ipfed demo federation[/bold]")
        for settings in nodes:
            console.print(
                f"  {settings.node_id:<9} {settings.role:<9} {settings.region_code}  "
                f"{settings.base_url}  API key {keys[settings.node_id]}",
                soft_wrap=True,
                highlight=False,
            )
            username, password = people[settings.node_id]
            console.print(
                f"  {'':<9} console {settings.base_url}/console  "
                f"user {username}  password {password}",
                soft_wrap=True,
                highlight=False,
            )
        first = nodes[-1]
        console.print(
            f"try:  curl -G -H 'X-API-Key: {keys[first.node_id]}' "
            f"--data-urlencode q=可口 {first.base_url}/trademarks\n"
            f"      curl -H 'X-API-Key: {keys[first.node_id]}' {first.base_url}/ledger/checkpoint\n"
            f"docs: {first.base_url}/docs",
            soft_wrap=True,
            highlight=False,
        )
        console.print("running; press Ctrl-C to stop", highlight=False)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        failed = next(s for s, p in zip(nodes, processes, strict=True) if p.poll() is not None)
        raise ConfigurationError(
            f"node {failed.node_id} stopped; see {failed.data_dir / 'node.log'}",
            code="demo_node_failed",
        )
    except KeyboardInterrupt:
        console.print("stopping…")
    finally:
        stop()
    console.print("all nodes stopped")
