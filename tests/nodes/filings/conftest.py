"""A federation of a national office and two provincial offices, each node with its
own identity on disk, and the way a regional node reaches the national one in
tests: the national node's receive service, called directly on its own database."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import CertificateAuthority, Organisation, PrivateKey, Role, generate_key
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction, utcnow
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.filings.document import SignedFiling, SignedReceipt
from ipfed.nodes.filings.receiving import receive_filing
from ipfed.nodes.filings.transport import FilingTransport

OFFICES = {
    "national": Organisation("国家知识产权局", Role.NATIONAL, "100000"),
    "sh": Organisation("上海市知识产权局", Role.REGIONAL, "310000"),
    "zj": Organisation("浙江省知识产权局", Role.REGIONAL, "330000"),
}


Keys = dict[str, tuple[PrivateKey, x509.Certificate]]


@dataclass(frozen=True)
class Federation:
    bundle: TrustBundle
    keys: Keys

    def settings(self, node_id: str, data_dir: Path) -> NodeSettings:
        """The node's settings, its key, certificate and the trust bundle written to disk."""
        office = OFFICES[node_id]
        settings = NodeSettings(
            node_id=node_id,
            role="national" if office.role is Role.NATIONAL else "regional",
            region_code=office.region_code,
            org_name=office.name,
            data_dir=data_dir,
            ledger_sync_seconds=0,
            marks_follow_seconds=0,
            filings_round_seconds=0,
            jobs_poll_seconds=0,  # the tests run the jobs they need
        )
        key, certificate = self.keys[node_id]
        settings.identity_dir.mkdir(parents=True)
        write_private_key(settings.identity_dir / "org.key", key)
        write_certificate(settings.identity_dir / "org.pem", certificate)
        (settings.identity_dir / "trust-bundle.json").write_text(
            self.bundle.to_json(), encoding="utf-8"
        )
        return settings


@pytest.fixture(scope="session")
def federation_of_offices() -> Federation:
    authority = CertificateAuthority.create()
    keys = {}
    for node_id, office in OFFICES.items():
        key = generate_key()
        keys[node_id] = (key, authority.issue(office, key.public_key()))
    return Federation(TrustBundle(authority.certificate, [c for _, c in keys.values()]), keys)


@pytest.fixture(scope="session")
def offices(federation_of_offices: Federation) -> Keys:
    """Each office's key and certificate, by node id (national, sh, zj)."""
    return federation_of_offices.keys


@pytest.fixture
def shanghai(federation_of_offices: Federation, tmp_path: Path) -> NodeSettings:
    return federation_of_offices.settings("sh", tmp_path / "sh")


@pytest.fixture
def national(federation_of_offices: Federation, tmp_path: Path) -> NodeSettings:
    return federation_of_offices.settings("national", tmp_path / "national")


@pytest.fixture
def national_engine(national: NodeSettings) -> Iterator[Engine]:
    """The national node's own database (SQLite in its data directory)."""
    engine = make_engine(national.db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


class DirectTransport:
    """Delivers to the national node by calling its receive service on its database,
    as the HTTP route does (the exchange will carry filings between processes)."""

    def __init__(self, settings: NodeSettings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions

    def send(self, db: Session, filing: SignedFiling) -> SignedReceipt:
        received = SignedFiling.from_bytes(filing.to_bytes())  # what travels is bytes
        with transaction(self.sessions) as db:
            return receive_filing(db=db, settings=self.settings, filing=received, now=utcnow())


@pytest.fixture
def national_sessions(national_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(national_engine)


@pytest.fixture
def to_national(
    national: NodeSettings, national_sessions: sessionmaker[Session]
) -> FilingTransport:
    return DirectTransport(national, national_sessions)
