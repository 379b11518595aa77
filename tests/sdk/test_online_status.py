"""Online status comes only from the node the issuing office's certificate names: a QR
code naming another host is never contacted, and an older list is refused."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.trust import TrustBundle, key_id
from ipfed.registry.credential import Claims, RightType, issue_token
from ipfed.registry.status_list import StatusListDocument, StatusPurpose, sign_status_list
from ipfed.sdk import (
    MarkSuspended,
    StatusListRollback,
    StatusUnavailable,
    UrllibFetcher,
    Verifier,
)

SH = Organisation("上海市知识产权局", Role.REGIONAL, "310000")
INDEX = 70_001


class StatusNode:
    """An HTTP server publishing one office's status lists and recording every request."""

    def __init__(self) -> None:
        self.lists: dict[str, bytes] = {}
        self.requests: list[str] = []
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                node.requests.append(self.path)
                body = node.lists.get(self.path.rsplit("/", 1)[-1])
                self.send_response(200 if body else 404)
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, *documents: StatusListDocument) -> None:
        for document in documents:
            self.lists[document.status_purpose] = document.model_dump_json(by_alias=True).encode()


@pytest.fixture
def node() -> Iterator[StatusNode]:
    server = StatusNode()
    yield server
    server.server.shutdown()


@pytest.fixture
def attacker() -> Iterator[StatusNode]:
    server = StatusNode()
    yield server
    server.server.shutdown()


class Office:
    def __init__(self, node_url: str | None) -> None:
        self.authority = CertificateAuthority.create()
        self.key = generate_key()
        self.certificate = self.authority.issue(SH, self.key.public_key(), node_url=node_url)
        self.key_id = key_id(self.certificate)
        self.bundle = TrustBundle(self.authority.certificate, [self.certificate])

    def token(self) -> str:
        today = datetime.now(UTC).date()
        claims = Claims(
            mark_id="01JD8X4ZQ5E7B6M3N2P1R0S9T8",
            right_type=RightType.TRADEMARK,
            right_number="4410392",
            holder="91310115MA1FL3QX0F",
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=700),
            status_index=INDEX,
            nice_classes=frozenset({25}),
        )
        return issue_token(claims, self.key, self.key_id)

    def lists(self, issued: datetime, suspended: list[int]) -> list[StatusListDocument]:
        return [
            sign_status_list(
                purpose=purpose,
                indexes=suspended if purpose is StatusPurpose.SUSPENSION else [],
                size=131_072,
                issuer=self.key_id,
                key=self.key,
                valid_from=issued,
                valid_until=issued + timedelta(days=1),
            )
            for purpose in StatusPurpose
        ]


def test_a_qr_naming_another_host_cannot_serve_an_old_list(
    node: StatusNode, attacker: StatusNode
) -> None:
    """The attack: a genuine token behind the attacker's host, which serves the office's
    own list from before the mark was suspended. The SDK asks the office's node only."""
    office = Office(node.url)
    now = datetime.now(UTC)
    attacker.publish(*office.lists(now - timedelta(minutes=4), suspended=[]))
    node.publish(*office.lists(now - timedelta(minutes=1), suspended=[INDEX]))
    with pytest.raises(MarkSuspended):
        Verifier(office.bundle).verify(f"{attacker.url}/v/{office.token()}", online=True)
    assert attacker.requests == []
    assert sorted(node.requests) == ["/status-lists/revocation", "/status-lists/suspension"]


def test_an_older_list_than_the_one_held_is_refused(node: StatusNode) -> None:
    office = Office(node.url)
    now = datetime.now(UTC)
    verifier = Verifier(office.bundle)
    for document in office.lists(now - timedelta(minutes=1), suspended=[INDEX]):
        verifier.load_status(document)
    node.publish(*office.lists(now - timedelta(minutes=4), suspended=[]))  # replayed
    with pytest.raises(StatusListRollback) as refused:
        verifier.verify(office.token(), online=True)
    assert refused.value.code == "status_list_rollback"
    with pytest.raises(MarkSuspended):  # the newer list is still the one used
        verifier.verify(office.token())
    for document in office.lists(now - timedelta(minutes=1), suspended=[INDEX]):
        verifier.load_status(document)  # the same list again changes nothing


def test_an_office_certificate_without_a_node_url_has_no_online_status(
    attacker: StatusNode,
) -> None:
    """Bundles issued before node URLs were signed into certificates still verify offline;
    online, the answer says why there is no status, and the QR's host is not asked."""
    office = Office(node_url=None)
    with pytest.raises(StatusUnavailable, match="names no node"):
        Verifier(office.bundle).verify(f"{attacker.url}/v/{office.token()}", online=True)
    assert attacker.requests == []


def test_a_node_serving_another_offices_list_is_refused(node: StatusNode) -> None:
    office, other = Office(node.url), Office(node.url)
    node.publish(*other.lists(datetime.now(UTC), suspended=[]))
    with pytest.raises(StatusUnavailable, match="another office"):
        Verifier(office.bundle).verify(office.token(), online=True)


def test_the_fetcher_is_the_callers_to_replace(node: StatusNode) -> None:
    office = Office(node.url)
    node.publish(*office.lists(datetime.now(UTC), suspended=[]))
    asked: list[str] = []

    class Recording(UrllibFetcher):
        def fetch(self, url: str, timeout: float) -> bytes:
            asked.append(url)
            return super().fetch(url, timeout)

    Verifier(office.bundle, fetcher=Recording()).verify(office.token(), online=True)
    assert asked == [f"{node.url}/status-lists/{purpose}" for purpose in StatusPurpose]
