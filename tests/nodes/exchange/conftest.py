"""Real node processes for the exchange's multi-process tests: a federation CA,
offices with their identities, peers on free loopback ports, and helpers to
start, kill -9 and restart them. Each test runs with the nodes' databases on
SQLite and on PostgreSQL (a scratch database per node), so row locking under
concurrent delivery is exercised on both."""

import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

import pytest
from cryptography import x509
from postgres import scratch_database
from processes import free_port, make_node, start, stop, wait_for
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import Organisation, PrivateKey, Role
from ipfed.ledger.keystore import AuthorityDirectory
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.exchange.models import PeerLink
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.identity import node_identity

OFFICES = {
    "national": ("国家知识产权局", NodeRole.NATIONAL, "100000"),
    "sh": ("上海市知识产权局", NodeRole.REGIONAL, "310000"),
    "zj": ("浙江省知识产权局", NodeRole.REGIONAL, "330000"),
}
AUTHORITIES = (
    ("上海市市场监督管理局", Role.ENFORCEMENT, "310000"),
    ("浙江省市场监督管理局", Role.ENFORCEMENT, "330000"),
    ("国家海外知识产权纠纷应对指导中心", Role.OVERSEAS_CENTRE, "100000"),
)


@dataclass
class NodeProcess:
    settings: NodeSettings
    process: subprocess.Popen[bytes] | None = None

    @property
    def node_id(self) -> str:
        return self.settings.node_id

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(make_engine(self.settings.db_url))

    def network(self) -> Network:
        return Network.of(self.settings, node_identity(self.settings))

    def start(self) -> None:
        self.process = start(self.settings)

    def kill(self) -> None:
        """kill -9: no chance to finish a batch, a transaction or anything else."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
        self.process = None

    def knows_keys_of(self, *peers: str) -> bool:
        with transaction(self.sessions) as db:
            known = db.scalars(select(PeerLink.peer).where(PeerLink.link_key.is_not(None))).all()
        return set(peers) <= set(known)


@dataclass
class LocalFederation:
    nodes: dict[str, NodeProcess]
    keys: dict[str, tuple[PrivateKey, x509.Certificate]]
    bundle: TrustBundle
    api_keys: dict[tuple[str, str], str] = field(default_factory=dict)  # (node, org) -> key
    wait_for = staticmethod(wait_for)

    def start(self) -> None:
        for node in self.nodes.values():
            node.start()
        for node in self.nodes.values():
            peers = [p.node_id for p in node.settings.peers]
            wait_for(
                partial(node.knows_keys_of, *peers), f"{node.node_id} to learn its peers' keys"
            )


def make_federation(
    tmp_path: Path,
    node_ids: tuple[str, ...],
    *,
    endpoints: dict[tuple[str, str], str] | None = None,
    api_keys: tuple[tuple[str, str, Role], ...] = (),
    database_urls: dict[str, str] | None = None,
) -> LocalFederation:
    """Offices ``node_ids`` as nodes that peer with each other. ``endpoints`` overrides
    the exchange endpoint one node uses for another (e.g. through a link that is cut)."""
    authority = AuthorityDirectory.create(tmp_path / "ca")
    ports = {n: (free_port(), free_port()) for n in node_ids}
    keys: dict[str, tuple[PrivateKey, x509.Certificate]] = {}
    for name, acting, region in AUTHORITIES:
        keys[name] = authority.issue(Organisation(name, acting, region))
    nodes = {}
    for node_id in node_ids:
        org, role, region = OFFICES[node_id]
        peers = [
            Peer(
                node_id=other,
                role=OFFICES[other][1],
                region_code=OFFICES[other][2],
                api_url=f"http://127.0.0.1:{ports[other][0]}",
                exchange_endpoint=(endpoints or {}).get(
                    (node_id, other), f"tcp://127.0.0.1:{ports[other][1]}"
                ),
            )
            for other in node_ids
            if other != node_id
        ]
        settings = NodeSettings(
            node_id=node_id,
            role=role,
            region_code=region,
            org_name=org,
            data_dir=tmp_path / node_id,
            database_url=(database_urls or {}).get(node_id),
            http_port=ports[node_id][0],
            exchange_endpoint=f"tcp://127.0.0.1:{ports[node_id][1]}",
            ledger_sync_seconds=0,
            exchange_timeout_seconds=2,
            exchange_retry_max_seconds=2,
            peers=peers,
        )
        keys[org] = make_node(settings, authority)
        nodes[node_id] = NodeProcess(settings)
    bundle = authority.bundle()
    for node in nodes.values():
        (node.settings.identity_dir / "trust-bundle.json").write_text(bundle.to_json())
    federation = LocalFederation(nodes, keys, bundle)
    for node_id, org, key_role in api_keys:
        with transaction(nodes[node_id].sessions) as db:
            _, secret = create_api_key(db=db, org=org, role=key_role)
        federation.api_keys[node_id, org] = secret
    return federation


@pytest.fixture(params=["sqlite", "postgresql"])
def federation_of(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., LocalFederation]]:
    made: list[LocalFederation] = []
    with ExitStack() as databases:

        def make(*node_ids: str, **options: object) -> LocalFederation:
            if request.param == "postgresql":
                options["database_urls"] = {
                    node_id: databases.enter_context(scratch_database(node_id))
                    for node_id in node_ids
                }
            made.append(make_federation(tmp_path, node_ids, **options))  # type: ignore[arg-type]
            return made[-1]

        try:
            yield make
        finally:
            for federation in made:
                for node in federation.nodes.values():
                    node.stop()
