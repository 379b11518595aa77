"""Fixtures shared by the whole suite.

Every database test runs twice: on SQLite (a file, WAL mode) and on the
PostgreSQL server at IPFED_TEST_POSTGRES_URL (the throwaway server that
``scripts/with-postgres`` starts, or a test database of your own). Each test
works inside a transaction that is rolled back, so tests never see each
other's rows.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

import pytest
from cryptography import x509
from postgres import NotATestDatabase, postgres_url
from sample import import_sample
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import (
    CertificateAuthority,
    Organisation,
    PrivateKey,
    Role,
    generate_key,
)
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.transactions import Transaction, TxType, new_transaction
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine
from ipfed.nodes.database.migrate import upgrade


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'node.db'}"
    else:
        try:
            url = postgres_url()
        except NotATestDatabase as refused:
            pytest.fail(str(refused), pytrace=False)
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits become savepoints of the test's rolled-back transaction."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def sample_data(db: Session) -> None:
    """The demo's built-in sample, every kind of record, imported."""
    import_sample(db)


@pytest.fixture(scope="session")
def federation() -> tuple[TrustBundle, PrivateKey, x509.Certificate]:
    """A federation root and the Shanghai office's key and certificate."""
    authority = CertificateAuthority.create()
    key = generate_key()
    office = Organisation("上海市知识产权局", Role.REGIONAL, "310000")
    certificate = authority.issue(office, key.public_key())
    return TrustBundle(authority.certificate, [certificate]), key, certificate


Evidence = Callable[[str, int], list[Transaction]]


@pytest.fixture
def evidence(federation: tuple[TrustBundle, PrivateKey, x509.Certificate]) -> Evidence:
    """``evidence(tag, count)``: that many evidence.captured transactions, signed by Shanghai."""
    _, key, certificate = federation

    def make(tag: str, count: int) -> list[Transaction]:
        now = datetime.now(UTC)
        return [
            new_transaction(
                TxType.EVIDENCE_CAPTURED,
                {"sha256": sha256(f"{tag}/{i}".encode()).hexdigest()},
                key,
                certificate,
                now,
            )
            for i in range(count)
        ]

    return make


@pytest.fixture
def settings(tmp_path: Path) -> NodeSettings:
    return NodeSettings(
        node_id="sh",
        role="regional",
        region_code="310000",
        org_name="上海市知识产权局",
        data_dir=tmp_path,
        public_url="https://310000.ipfed.cn",
        # In-process apps share the test's connection, which the runner's worker threads
        # must not use: tests run the jobs they need themselves.
        jobs_poll_seconds=0,
    )


@pytest.fixture
def office(
    settings: NodeSettings, federation: tuple[TrustBundle, PrivateKey, x509.Certificate]
) -> NodeSettings:
    """The Shanghai node's settings, with its key, certificate and trust bundle on disk."""
    bundle, key, certificate = federation
    settings.identity_dir.mkdir()
    write_private_key(settings.identity_dir / "org.key", key)
    write_certificate(settings.identity_dir / "org.pem", certificate)
    (settings.identity_dir / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    return settings


@dataclass
class Federation:
    """A federation root with offices, authorities and a rights holder, and their keys."""

    authority: CertificateAuthority
    organisations: dict[str, Organisation]
    keys: dict[str, tuple[PrivateKey, x509.Certificate]]
    revoked: set[int]

    def bundle(self) -> TrustBundle:
        certificates = [certificate for _, certificate in self.keys.values()]
        crl = self.authority.revocation_list({s: datetime.now(UTC) for s in self.revoked})
        return TrustBundle(self.authority.certificate, certificates, crl)

    def add(self, name: str, role: Role, region: str) -> Organisation:
        organisation = Organisation(name, role, region)
        key = generate_key()
        self.organisations[name] = organisation
        self.keys[name] = key, self.authority.issue(organisation, key.public_key())
        return organisation


# Organisations of the exchange tests: (name, role, region code).
ORGANISATIONS = (
    ("国家知识产权局", Role.NATIONAL, "100000"),
    ("上海市知识产权局", Role.REGIONAL, "310000"),
    ("浙江省知识产权局", Role.REGIONAL, "330000"),
    ("上海市市场监督管理局", Role.ENFORCEMENT, "310000"),
    ("徐汇区市场监督管理局", Role.ENFORCEMENT, "310104"),
    ("浙江省市场监督管理局", Role.ENFORCEMENT, "330000"),
    ("中国（上海）知识产权保护中心", Role.ASSISTANCE_CENTRE, "310000"),
    ("国家海外知识产权纠纷应对指导中心", Role.OVERSEAS_CENTRE, "100000"),
    ("国家海外知识产权纠纷应对指导中心上海分中心", Role.OVERSEAS_CENTRE, "310000"),
    ("上海回力鞋业有限公司", Role.RIGHTS_HOLDER, "310000"),
    ("中国国际进口博览局", Role.FAIR, "310000"),
)


@pytest.fixture(scope="session")
def offices() -> Federation:
    """The exchange's federation: three offices and the organisations that act on leads."""
    federation = Federation(CertificateAuthority.create(), {}, {}, set())
    for name, role, region in ORGANISATIONS:
        federation.add(name, role, region)
    return federation
