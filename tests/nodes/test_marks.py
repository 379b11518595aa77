"""Marks in a node: issuance, unit codes, status following the right, the ledger record,
EPCIS exports, QR images and clone detection, on SQLite and PostgreSQL."""

import functools
import io
import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from hashlib import sha256
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cairosvg
import jsonschema
import pytest
import zxingcpp
from PIL import Image
from rights import warrior
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import Conflict, InvalidInput
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.models import LogEntry
from ipfed.nodes.ledger.service import audit
from ipfed.nodes.licences.models import Licence, LicenceKind
from ipfed.nodes.marks.events import lifecycle_event, mark_events
from ipfed.nodes.marks.follow import follow_once, refresh_peer_status
from ipfed.nodes.marks.issuing import issue_mark, issue_units
from ipfed.nodes.marks.lookup import mark_url
from ipfed.nodes.marks.models import CloneAlertKind, Mark, MarkEvent
from ipfed.nodes.marks.scans import Reporter, record_scan
from ipfed.nodes.marks.schemas import MarkIn, ScanIn
from ipfed.nodes.marks.status import change_status, follow_rights, status_list
from ipfed.nodes.rights.models import Patent, RightStatus, Trademark
from ipfed.registry.epcis import epcis_document, object_event
from ipfed.registry.identifiers import PatentKind
from ipfed.registry.lifecycle import MarkStatus
from ipfed.registry.qr import qr_png, qr_svg
from ipfed.registry.status_list import StatusPurpose
from ipfed.sdk import MarkRevoked, MarkSuspended, UnlicensedSeller, Verifier

TODAY = datetime.now(UTC).date()
HOLDER = "91310115MA1FL3QX0F"
HOLDER_NAME = "上海回力鞋业有限公司"
LICENSEE = "91330106MA27Y8K10G"
SCHEMA = Path(__file__).resolve().parents[3] / "shared/conformance/epcis/EPCIS-JSON-Schema.json"


@pytest.fixture
def trademark(db: Session) -> Trademark:
    right = warrior(classes=[25, 28])
    db.add(right)
    db.flush()
    return right


@pytest.fixture
def licence(db: Session, trademark: Trademark) -> Licence:
    licence = Licence(
        right_id=trademark.id,
        kind=LicenceKind.LICENCE,
        licensee="杭州西湖茗茶贸易有限公司",
        licensee_uscc=LICENSEE,
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=100),
    )
    db.add(licence)
    db.flush()
    return licence


def issue(db: Session, office: NodeSettings, right_id: str, **fields: object) -> Mark:
    request = MarkIn.model_validate({"right_id": right_id, "holder_uscc": HOLDER, **fields})
    return issue_mark(db=db, settings=office, request=request, today=TODAY)


def change(db: Session, office: NodeSettings, mark: Mark, status: MarkStatus, reason: str) -> None:
    """The issuing office changes a mark's status."""
    change_status(db=db, settings=office, mark=mark, status=status, reason=reason, by="office")


def platform(db: Session, office: NodeSettings) -> Verifier:
    """A platform's verifier holding the node's current status lists."""
    verifier = Verifier(node_identity(office).bundle)
    refresh(verifier, db, office)
    return verifier


def refresh(verifier: Verifier, db: Session, office: NodeSettings) -> None:
    for purpose in StatusPurpose:
        now = datetime.now(UTC)
        verifier.load_status(status_list(db=db, settings=office, purpose=purpose, now=now))


def test_an_issued_mark_verifies_and_is_on_the_ledger(
    db: Session, office: NodeSettings, trademark: Trademark, federation: tuple
) -> None:
    mark = issue(db, office, trademark.id, nice_classes=[25])
    verified = platform(db, office).verify(
        mark_url(settings=office, token=mark.token), product_class=25, seller=HOLDER
    )
    assert verified.claims.right_number == "4410392"
    assert verified.claims.nice_classes == {25}
    assert verified.issuer.name == office.org_name
    entries = [json.loads(e) for e in db.scalars(select(LogEntry.data).order_by(LogEntry.position))]
    assert [e["type"] for e in entries] == ["mark.issued", "mark.event"]
    assert entries[0]["payload"] == {"mark_id": mark.id}
    assert audit(db=db, origin=office.origin, bundle=federation[0]) is None


def test_issuance_is_refused_with_a_reason(
    db: Session, office: NodeSettings, trademark: Trademark
) -> None:
    with pytest.raises(InvalidInput) as raised:
        issue(db, office, trademark.id, nice_classes=[9])
    assert raised.value.code == "out_of_scope"
    with pytest.raises(InvalidInput) as raised:
        issue(db, office, trademark.id, valid_until=str(TODAY + timedelta(days=900)))
    assert raised.value.code == "beyond_right"
    trademark.status = RightStatus.PENDING
    with pytest.raises(Conflict) as raised:
        issue(db, office, trademark.id)
    assert raised.value.code == "right_not_in_force"
    assert db.scalar(select(Mark.id)) is None


def test_a_licensee_mark_covers_the_licensee_only(
    db: Session, office: NodeSettings, licence: Licence
) -> None:
    mark = issue(db, office, licence.right_id, licence_id=licence.id)
    assert mark.valid_until == licence.ends_on  # never outlives the licence
    verifier = platform(db, office)
    verifier.verify(mark.token, seller=LICENSEE)
    with pytest.raises(UnlicensedSeller):
        verifier.verify(mark.token, seller=HOLDER)


def test_status_follows_the_right_and_the_sdk_sees_it_after_a_refresh(
    db: Session, office: NodeSettings, trademark: Trademark, licence: Licence
) -> None:
    own = issue(db, office, trademark.id)
    licensed = issue(db, office, trademark.id, licence_id=licence.id)
    verifier = platform(db, office)
    assert follow_rights(db=db, settings=office, today=TODAY) == []
    # The licence ends: only the licensee's mark goes.
    assert follow_rights(db=db, settings=office, today=licence.ends_on + timedelta(days=1)) == [
        licensed
    ]
    assert licensed.status is MarkStatus.EXPIRED and "licence" in (licensed.status_reason or "")
    # The right lapses (unpaid fee): its marks follow with nobody touching them.
    trademark.status = RightStatus.EXPIRED
    assert follow_rights(db=db, settings=office, today=TODAY) == [own]
    assert own.status is MarkStatus.EXPIRED
    verifier.verify(own.token)  # the cached lists still say active ...
    refresh(verifier, db, office)
    with pytest.raises(MarkRevoked):  # ... until the platform refreshes
        verifier.verify(own.token)
    statuses = [
        json.loads(e)["payload"].get("status")
        for e in db.scalars(select(LogEntry.data).order_by(LogEntry.position))
    ]
    assert statuses.count("expired") == 2


def test_an_invalidated_right_revokes_its_marks(
    db: Session, office: NodeSettings, trademark: Trademark
) -> None:
    mark = issue(db, office, trademark.id)
    trademark.status = RightStatus.INVALID
    follow_rights(db=db, settings=office, today=TODAY)
    assert mark.status is MarkStatus.REVOKED


def test_suspension_and_reinstatement(
    db: Session, office: NodeSettings, trademark: Trademark
) -> None:
    mark = issue(db, office, trademark.id)
    change(db, office, mark, MarkStatus.SUSPENDED, "under investigation")
    with pytest.raises(MarkSuspended):
        platform(db, office).verify(mark.token)
    change(db, office, mark, MarkStatus.ACTIVE, "cleared")
    platform(db, office).verify(mark.token)
    change(db, office, mark, MarkStatus.REVOKED, "counterfeit use")
    with pytest.raises(Conflict) as raised:
        change(db, office, mark, MarkStatus.ACTIVE, "no")
    assert raised.value.code == "bad_transition"


def test_unit_codes_are_random_and_verify_alone(
    db: Session, office: NodeSettings, trademark: Trademark
) -> None:
    mark = issue(db, office, trademark.id)
    batch, units = issue_units(
        db=db, settings=office, mark=mark, batch_number="B-2026-11", quantity=200, by=HOLDER_NAME
    )
    serials = [u.serial for u in units]
    assert len(set(serials)) == 200 and batch.quantity == 200
    assert serials != sorted(serials)  # issuing order does not show
    prefixes = {s[:4] for s in serials}
    assert len(prefixes) > 150  # no shared counter prefix
    verifier = platform(db, office)
    for unit in units[:20]:
        claims = verifier.verify(unit.token).claims
        assert claims.unit_serial == unit.serial and claims.mark_id == mark.id


def scan(token: str, **fields: object) -> ScanIn:
    return ScanIn.model_validate({"token": token, "biz_step": "retail_selling", **fields})


TAOBAO = Reporter("淘宝", Role.PLATFORM, "ipfed_taobao")
JD = Reporter("京东", Role.PLATFORM, "ipfed_jd")
PINDUODUO = Reporter("拼多多", Role.PLATFORM, "ipfed_pdd")


def test_clones_are_caught(db: Session, office: NodeSettings, trademark: Trademark) -> None:
    mark = issue(db, office, trademark.id)
    _, (unit, other) = issue_units(
        db=db, settings=office, mark=mark, batch_number="B1", quantity=2, by=HOLDER_NAME
    )
    shanghai = {"latitude": 31.23, "longitude": 121.47, "region_code": "310000"}
    urumqi = {"latitude": 43.83, "longitude": 87.62, "region_code": "650100"}
    first = record_scan(db=db, settings=office, scan=scan(unit.token, **shanghai), by=TAOBAO)
    assert first.valid and first.alerts == []
    # Across Shanghai: plausible at any speed.
    near = record_scan(
        db=db, settings=office, scan=scan(unit.token, latitude=31.3, longitude=121.5), by=TAOBAO
    )
    assert near.alerts == []
    # 3,000 km in no time, seen by another platform: the code was copied.
    far = record_scan(db=db, settings=office, scan=scan(unit.token, **urumqi), by=JD)
    (travel,) = far.alerts
    assert travel.kind == CloneAlertKind.IMPOSSIBLE_TRAVEL
    assert (travel.organisations, travel.single_party) == (2, False)
    assert (travel.first.org, travel.second.org) == ("淘宝", "京东")
    assert travel.first.trust == travel.second.trust == "party"
    # The other unit offered by two different shops, as two platforms saw it.
    record_scan(db=db, settings=office, scan=scan(other.token, seller_uscc=HOLDER), by=TAOBAO)
    twice = record_scan(
        db=db, settings=office, scan=scan(other.token, seller_uscc=LICENSEE), by=PINDUODUO
    )
    assert [(a.kind, a.single_party) for a in twice.alerts] == [
        (CloneAlertKind.MULTIPLE_SELLERS, False)
    ]


def test_one_platform_alone_cannot_forge_a_trusted_clone_alert(
    db: Session, office: NodeSettings, trademark: Trademark
) -> None:
    """The attack: one platform key sends two made-up scans of a genuine unit, choosing
    their times, places and sellers, to have it taken for a copy."""
    mark = issue(db, office, trademark.id)
    _, (unit,) = issue_units(
        db=db, settings=office, mark=mark, batch_number="B1", quantity=1, by=HOLDER_NAME
    )
    claimed = datetime.now(UTC) - timedelta(minutes=5)
    made_up = [
        {"seen_at": claimed, "latitude": 31.23, "longitude": 121.47, "seller_uscc": HOLDER},
        {"seen_at": claimed, "latitude": 43.83, "longitude": 87.62, "seller_uscc": LICENSEE},
    ]
    record_scan(db=db, settings=office, scan=scan(unit.token, **made_up[0]), by=TAOBAO)
    forged = record_scan(db=db, settings=office, scan=scan(unit.token, **made_up[1]), by=TAOBAO)
    kinds = {a.kind: a for a in forged.alerts}
    assert set(kinds) == {CloneAlertKind.IMPOSSIBLE_TRAVEL, CloneAlertKind.MULTIPLE_SELLERS}
    for alert in kinds.values():
        assert (alert.organisations, alert.single_party) == (1, True)
        # Timed by arrival; the time the platform chose is kept as its claim.
        assert alert.first.reported_at == alert.second.reported_at == claimed
        assert alert.second.received_at > claimed + timedelta(minutes=4)
    # Another organisation's genuine sighting far away: the alert it raises rests on two.
    official = Reporter("上海市市场监督管理局", Role.ENFORCEMENT, "ipfed_samr")
    shanghai = scan(unit.token, biz_step="inspecting", latitude=31.2, longitude=121.5)
    checked = record_scan(db=db, settings=office, scan=shanghai, by=official)
    (travel,) = checked.alerts
    assert (travel.organisations, travel.single_party) == (2, False)
    assert (travel.first.org, travel.first.trust) == ("淘宝", "party")
    assert (travel.second.org, travel.second.trust) == ("上海市市场监督管理局", "official")


def test_a_scan_is_timed_by_its_arrival(
    db: Session, office: NodeSettings, trademark: Trademark
) -> None:
    mark = issue(db, office, trademark.id)
    _, (unit,) = issue_units(
        db=db, settings=office, mark=mark, batch_number="B1", quantity=1, by=HOLDER_NAME
    )
    before = datetime.now(UTC)
    claimed = datetime(2026, 1, 1, 20, 0, tzinfo=timezone(timedelta(hours=8)))
    result = record_scan(db=db, settings=office, scan=scan(unit.token, seen_at=claimed), by=JD)
    event = db.get(MarkEvent, result.event_id)
    assert event is not None and event.event_time >= before and event.reported_at == claimed
    assert (event.org, event.key_prefix, event.trust) == ("京东", "ipfed_jd", "party")
    # Both are on the ledger: the event read back hashes as it was anchored.
    db.expire(event)
    exported = lifecycle_event(settings=office, event=event)
    assert exported.detail == {"trust": "party", "reportedTime": "2026-01-01T12:00:00Z"}
    anchored = [json.loads(e)["payload"] for e in db.scalars(select(LogEntry.data))]
    digest = sha256(canonical_bytes(object_event(exported))).hexdigest()
    assert {"mark_id": mark.id, "event_id": event.id, "sha256": digest} in anchored


def test_a_scan_of_a_revoked_mark_is_recorded_and_refused(
    db: Session, office: NodeSettings, trademark: Trademark
) -> None:
    mark = issue(db, office, trademark.id)
    change(db, office, mark, MarkStatus.REVOKED, "counterfeit use")
    result = record_scan(db=db, settings=office, scan=scan(mark.token), by=TAOBAO)
    assert not result.valid and result.error == "revoked" and result.event_id is not None
    tampered = mark.token[:-3] + ("AAA" if mark.token[-3:] != "AAA" else "BBB")
    result = record_scan(db=db, settings=office, scan=scan(tampered), by=TAOBAO)
    assert result.error == "bad_signature" and result.event_id is None


def test_epcis_export_validates_against_the_gs1_schema(
    db: Session, office: NodeSettings, trademark: Trademark, licence: Licence
) -> None:
    mark = issue(db, office, trademark.id, licence_id=licence.id)
    _, (unit,) = issue_units(
        db=db, settings=office, mark=mark, batch_number="B1", quantity=1, by=licence.licensee
    )
    record_scan(
        db=db,
        settings=office,
        scan=scan(
            unit.token, latitude=31.2, longitude=121.4, region_code="310000", place="国家会展中心"
        ),
        by=Reporter("某展会", Role.FAIR),
    )
    change(db, office, mark, MarkStatus.SUSPENDED, "under investigation")
    change(db, office, mark, MarkStatus.REVOKED, "counterfeits found")
    stored = mark_events(db=db, mark_id=mark.id)
    events = [lifecycle_event(settings=office, event=e) for e in stored]
    document = epcis_document(events, datetime.now(UTC))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    steps = [e["bizStep"] for e in document["epcisBody"]["eventList"]]
    assert steps[0] == "commissioning" and steps[-1] == "decommissioning"
    assert "retail_selling" in steps and len(steps) == 6
    broken = json.loads(json.dumps(document))
    broken["epcisBody"]["eventList"][0]["action"] = "CREATE"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


@pytest.mark.parametrize("render", ["png", "svg"])
def test_qr_images_decode_to_a_token_that_verifies(
    db: Session, office: NodeSettings, trademark: Trademark, render: str
) -> None:
    mark = issue(db, office, trademark.id)
    url = mark_url(settings=office, token=mark.token)
    image = qr_png(url) if render == "png" else cairosvg.svg2png(bytestring=qr_svg(url))
    # QR only: among a QR code's modules a 1D decoder now and then finds a Codabar.
    scanned = Image.open(io.BytesIO(image))
    (barcode,) = zxingcpp.read_barcodes(scanned, formats=zxingcpp.BarcodeFormat.QRCode)
    text = barcode.text
    assert text == url and url.startswith("https://310000.ipfed.cn/v/")
    assert platform(db, office).verify(text).claims.mark_id == mark.id


def test_design_marks_carry_the_locarno_class(db: Session, office: NodeSettings) -> None:
    design = Patent(
        number="2021302233445",
        name="奶糖包装盒",
        holder="上海冠生园食品有限公司",
        status=RightStatus.GRANTED,
        patent_kind=PatentKind.DESIGN,
        locarno_class="09-03",
        expiry_date=TODAY + timedelta(days=3000),
    )
    db.add(design)
    db.flush()
    mark = issue(db, office, design.id)
    assert (
        platform(db, office).verify(mark.token, product_class="09-01").claims.locarno_class
        == "09-03"
    )


def test_the_background_round_commits_what_it_follows(
    db: Session, sessions: sessionmaker[Session], office: NodeSettings, trademark: Trademark
) -> None:
    mark = issue(db, office, trademark.id)
    trademark.status = RightStatus.EXPIRED
    db.commit()
    assert follow_once(office, sessions) == 1
    assert follow_once(office, sessions) == 0  # nothing left to follow
    db.refresh(mark)
    assert mark.status is MarkStatus.EXPIRED


def federation_naming(tmp_path: Path, office: NodeSettings, shanghai_url: str) -> NodeSettings:
    """Zhejiang's node, in a federation whose certificate for Shanghai's key names
    ``shanghai_url`` as Shanghai's node."""
    authority = CertificateAuthority.create()
    shanghai = node_identity(office)
    organisation = Organisation(office.org_name, Role.REGIONAL, office.region_code)
    sh = authority.issue(organisation, shanghai.key.public_key(), node_url=shanghai_url)
    key = generate_key()
    zj = authority.issue(
        Organisation("浙江省知识产权局", Role.REGIONAL, "330000"), key.public_key()
    )
    zhejiang = office.model_copy(
        update={
            "node_id": "zj",
            "data_dir": tmp_path / "zj",
            "public_url": "https://330000.ipfed.cn",
        }
    )
    zhejiang.identity_dir.mkdir(parents=True)
    write_private_key(zhejiang.identity_dir / "org.key", key)
    write_certificate(zhejiang.identity_dir / "org.pem", zj)
    bundle = TrustBundle(authority.certificate, [sh, zj])
    (zhejiang.identity_dir / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    return zhejiang


def test_peers_status_lists_are_fetched_over_http(
    db: Session, office: NodeSettings, trademark: Trademark, tmp_path: Path
) -> None:
    """A peer's lists served over real HTTP (a static mirror of ``/status-lists/``) at the
    node URL its certificate names, fetched by the node's round into its cache; a verifier
    reading that cache sees the revocation."""
    mark = issue(db, office, trademark.id)
    change(db, office, mark, MarkStatus.REVOKED, "counterfeits")
    mirror = tmp_path / "mirror"
    (mirror / "status-lists").mkdir(parents=True)
    for purpose in StatusPurpose:
        document = status_list(db=db, settings=office, purpose=purpose, now=datetime.now(UTC))
        (mirror / "status-lists" / purpose).write_text(document.model_dump_json(by_alias=True))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(mirror))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        zhejiang = federation_naming(tmp_path, office, url)
        assert refresh_peer_status(zhejiang) == 1
        bundle = node_identity(zhejiang).bundle
        cached = Verifier(bundle, cache_dir=zhejiang.status_lists_dir)
        with pytest.raises(MarkRevoked):
            cached.verify(mark.token)
        down = federation_naming(tmp_path / "down", office, url + "/gone")
        assert refresh_peer_status(down) == 0  # logged, not raised
    finally:
        server.shutdown()


def test_a_scan_may_name_any_node_the_trust_bundle_names(
    db: Session, office: NodeSettings, trademark: Trademark, tmp_path: Path
) -> None:
    """At Zhejiang's node, a Shanghai mark behind Shanghai's certified URL is Shanghai's
    to check; behind any other host it is refused."""
    mark = issue(db, office, trademark.id)
    zhejiang = federation_naming(tmp_path, office, "https://310000.ipfed.cn")
    scan = ScanIn(token=mark_url(settings=office, token=mark.token), biz_step="retail_selling")
    assert record_scan(db=db, settings=zhejiang, scan=scan, by="p").error == "not_issuer"
    foreign = scan.model_copy(update={"token": "https://ipfed.example/v/" + mark.token})
    with pytest.raises(InvalidInput, match="not a node of the federation"):
        record_scan(db=db, settings=zhejiang, scan=foreign, by="p")
