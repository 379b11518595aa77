"""Erasure on a decided request: exactly the subject's personal fields go, in every
record, at once; the decision is kept without the data; a request carried out again,
or for a subject already erased, changes nothing; only the node's own office decides."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from fastapi.testclient import TestClient
from personal_data import YIWU, YIWU_NAME, World, build_world
from sample import SAMPLE, SAMPLE_KINDS
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ipfed.detection.text import party_key
from ipfed.ledger.identity import PrivateKey, Role
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.cli import app as ipfed_app
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory
from ipfed.nodes.detection import monitoring
from ipfed.nodes.detection.models import Decision, Evidence, Lead
from ipfed.nodes.detection.service import monitoring_entries, review_lead
from ipfed.nodes.errors import Conflict, InvalidInput
from ipfed.nodes.exchange import service as exchange
from ipfed.nodes.exchange.models import (
    DeliveryState,
    InboxEnvelope,
    OutboxDelivery,
    OutboxEnvelope,
)
from ipfed.nodes.exchange.views import inbox, inbox_item
from ipfed.nodes.fairs.models import Exhibitor
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.ledger.service import audit, sign_checkpoint
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.marks.models import CloneAlert, MarkEvent
from ipfed.nodes.participants.models import Participant, Shop
from ipfed.nodes.privacy.models import ERASED, Cause, Erasure
from ipfed.nodes.privacy.schemas import ErasureRequestIn
from ipfed.nodes.privacy.service import erase_subject


def request(ref: str, **subject: object) -> ErasureRequestIn:
    return ErasureRequestIn.model_validate({"request_ref": ref, "decided_by": "李处长", **subject})


def personal(db: Session) -> dict[str, object]:
    """Every personal field of the node, by record, as it stands."""
    db.expire_all()
    return {
        **{
            f"listing {r.external_id}": (r.seller, r.seller_shop_id, r.url, r.description)
            for r in db.scalars(select(Listing))
        },
        **{f"evidence {r.id}": r.snapshot for r in db.scalars(select(Evidence))},
        **{
            f"scan {r.id}": (r.place, r.latitude, r.longitude, r.seller_uscc)
            for r in db.scalars(select(MarkEvent))
        },
        **{
            f"participant {r.id}": (r.name, r.uscc, r.registered_address, len(r.shops))
            for r in db.scalars(select(Participant))
        },
        **{f"exhibitor {r.id}": (r.name, r.uscc, r.booth) for r in db.scalars(select(Exhibitor))},
        **{f"sent {r.id}": r.data for r in db.scalars(select(OutboxEnvelope))},
        **{f"received {r.id}": r.data for r in db.scalars(select(InboxEnvelope))},
    }


def test_a_decided_request_erases_exactly_the_subjects_data(
    db: Session, office: NodeSettings, world: World
) -> None:
    before = personal(db)
    erasure = erase_subject(db=db, request=request("沪知保〔2026〕7号", uscc=YIWU), recorded_by="t")
    assert erasure.counts == {
        "listings": 2,
        "evidence": 2,
        "scans": 1,
        "participants": 1,
        "exhibitors": 1,
        "envelopes": 2,
    }
    after = personal(db)
    changed = {key for key in before if before[key] != after[key]}
    yiwu = db.scalars(select(Participant).where(Participant.name == ERASED)).one()
    s001, s002 = world.listings["S001"], world.listings["S002"]
    yiwu_exhibitor = db.scalars(select(Exhibitor).where(Exhibitor.booth.is_(None))).one()
    assert after[f"exhibitor {yiwu_exhibitor.id}"] == (ERASED, ERASED, None)
    evidence = db.scalars(select(Evidence).where(Evidence.listing_id.in_([s001.id, s002.id])))
    assert changed == {
        "listing S001",
        "listing S002",
        *(f"evidence {e.id}" for e in evidence),
        f"scan {world.scans['yiwu'].id}",
        f"participant {yiwu.id}",
        f"exhibitor {yiwu_exhibitor.id}",
        f"sent {world.sent['S001']}",
        f"received {world.received['S001']}",
    }
    assert after["listing S001"] == (ERASED, None, None, None)
    assert after[f"participant {yiwu.id}"] == (ERASED, None, None, 0)
    assert db.scalars(select(Shop).where(Shop.shop_id == "fs2024")).all() == []
    assert after[f"scan {world.scans['yiwu'].id}"] == (None, None, None, None)
    # The lead push naming the subject is not sent after the decision, nor again.
    (delivery,) = db.scalars(
        select(OutboxDelivery).where(OutboxDelivery.envelope_id == world.sent["S001"])
    )
    assert (delivery.state, delivery.code) == (DeliveryState.DEAD, "erased")
    with pytest.raises(Conflict) as resent:
        exchange.retry(db=db, envelope_id=world.sent["S001"])
    assert resent.value.code == "envelope_erased"
    received = {r.id: inbox_item(r) for r in inbox(db=db, organisation=None)}
    assert received[world.received["S001"]].envelope is None
    assert received[world.received["S003"]].envelope is not None

    # The decision is kept: who, when, which request, what changed; never the subject.
    (record,) = db.scalars(select(Erasure)).all()
    assert (record.cause, record.request_ref, record.decided_by) == (
        Cause.REQUEST,
        "沪知保〔2026〕7号",
        "李处长",
    )
    assert record.created_at is not None
    kept = json.dumps([record.counts, record.request_ref, record.decided_by], ensure_ascii=False)
    assert YIWU not in kept and YIWU_NAME not in kept

    # The same request again is refused; another for the same subject changes nothing.
    with pytest.raises(Conflict) as again:
        erase_subject(db=db, request=request("沪知保〔2026〕7号", uscc=YIWU), recorded_by="t")
    assert again.value.code == "erasure_recorded"
    by_name = request(
        "沪知保〔2026〕8号", seller=YIWU_NAME, shop={"platform": "taobao", "shop_id": "fushi-pifa"}
    )
    assert erase_subject(db=db, request=by_name, recorded_by="t").counts == {
        "listings": 0,
        "evidence": 0,
        "scans": 0,
        "participants": 0,
        "exhibitors": 0,
        "envelopes": 0,
    }
    assert personal(db) == after
    assert audit(db=db, origin=office.origin, bundle=node_identity(office).bundle) is None


def test_erased_sellers_leave_the_risk_directory_and_the_alerts(
    db: Session, office: NodeSettings, world: World
) -> None:
    ledger = node_ledger(db=db, settings=office)
    for key in ("S001/1587423", "S002/8815527"):  # Yiwu's two leads: a repeat infringer
        review_lead(
            db=db,
            lead_id=world.leads[key].id,
            reviewer="王审核",
            decision=Decision.CONFIRM,
            reason="look-alike",
            ledger=ledger,
        )
    monitoring.refresh(db=db)

    def risky() -> set[str]:
        return {
            e.subject for e in monitoring_entries(db=db) if e.directory == "high_risk_enterprises"
        }

    before = risky()
    assert party_key(YIWU_NAME) in before
    erase_subject(db=db, request=request("R-4", uscc=YIWU), recorded_by="t")
    assert risky() == before - {party_key(YIWU_NAME)}
    monitoring.refresh(db=db)  # erased sellers are no enterprise, the others stay
    assert risky() == before - {party_key(YIWU_NAME)}
    (alert,) = db.scalars(select(CloneAlert)).all()
    assert YIWU not in alert.reason and ERASED in alert.reason


def test_a_shop_alone_names_its_subject(db: Session, world: World) -> None:
    """The shop leads to the participant, whose name finds its other listings."""
    shop = {"platform": "jd", "shop_id": "huilishoes"}
    erasure = erase_subject(db=db, request=request("R-1", shop=shop), recorded_by="t")
    assert erasure.counts["listings"] == 1 and erasure.counts["participants"] == 1
    db.expire_all()
    assert db.get_one(Listing, world.listings["S003"].id).seller == ERASED
    assert db.get_one(Listing, world.listings["S004"].id).seller != ERASED


def test_a_request_without_a_subject_is_refused(db: Session, world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        erase_subject(db=db, request=request("R-2"), recorded_by="t")
    assert refused.value.code == "subject_required"
    assert db.scalars(select(Erasure)).all() == []


@pytest.fixture
def client(
    engine: Engine, sessions: sessionmaker[Session], office: NodeSettings, world: World
) -> Iterator[TestClient]:
    app = create_app(office, engine)
    app.state.sessions = sessions
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_the_api_erases_for_the_nodes_own_office_only(
    client: TestClient, db: Session, office: NodeSettings
) -> None:
    keys = {
        name: create_api_key(db=db, org=org, role=role)[1]
        for name, org, role in (
            ("own", office.org_name, Role.REGIONAL),
            ("foreign office", "浙江省知识产权局", Role.REGIONAL),
            ("national", "国家知识产权局", Role.NATIONAL),
            ("platform", "淘宝", Role.PLATFORM),
        )
    }
    db.commit()

    def post(key: str, body: object) -> tuple[int, dict[str, object]]:
        answer = client.post("/privacy/erasures", json=body, headers={"X-API-Key": key})
        return answer.status_code, answer.json()

    body = {"request_ref": "沪知保〔2026〕9号", "decided_by": "李处长", "uscc": YIWU}
    for name in ("foreign office", "national", "platform"):
        status, answer = post(keys[name], body)
        assert (status, answer["error"]) == (403, "not_this_office"), name
        listed = client.get("/privacy/erasures", headers={"X-API-Key": keys[name]})
        assert listed.status_code == 403, name
    assert client.post("/privacy/erasures", json=body).status_code == 401

    status, answer = post(keys["own"], {**body, "uscc": "92330782MA29C7TB04"})  # check digit
    assert status == 422 and answer["error"] == "invalid_request"
    status, answer = post(keys["own"], {"request_ref": "R-3", "decided_by": "李处长"})
    assert (status, answer["error"]) == (422, "subject_required")
    status, answer = post(keys["own"], {**body, "request_ref": ""})
    assert status == 422 and answer["error"] == "invalid_request"

    status, answer = post(keys["own"], body)
    assert status == 201, answer
    assert answer["counts"] == {
        "listings": 2,
        "evidence": 2,
        "scans": 1,
        "participants": 1,
        "exhibitors": 1,
        "envelopes": 2,
    }
    assert answer["recorded_by"].startswith(office.org_name)
    status, answer = post(keys["own"], body)
    assert (status, answer["error"]) == (409, "erasure_recorded")

    listed = client.get("/privacy/erasures", headers={"X-API-Key": keys["own"]})
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert (item["request_ref"], item["cause"]) == ("沪知保〔2026〕9号", "request")
    assert listed.json()["next"] is None


def test_the_cli_erases_and_the_ledger_and_its_receipts_still_verify(
    tmp_path: Path, federation: tuple[TrustBundle, PrivateKey, x509.Certificate]
) -> None:
    runner = CliRunner()

    def ipfed(*args: str | Path) -> tuple[int, str]:
        result = runner.invoke(ipfed_app, [str(a) for a in args])
        return result.exit_code, result.output

    data_dir = tmp_path / "sh"
    code, output = ipfed(
        "node", "init", "-d", data_dir, "--node-id", "sh", "--role", "regional",
        "--region", "310000", "--org-name", "上海市知识产权局",
    )  # fmt: skip
    assert code == 0, output
    bundle, key, certificate = federation
    settings = NodeSettings.load(data_dir)
    settings.identity_dir.mkdir(exist_ok=True)
    write_private_key(settings.identity_dir / "org.key", key)
    write_certificate(settings.identity_dir / "org.pem", certificate)
    (settings.identity_dir / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    (tmp_path / "bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    for kind in SAMPLE_KINDS:
        assert ipfed("import", kind, SAMPLE / f"{kind}.csv", "-d", data_dir)[0] == 0
    sessions = make_session_factory(make_engine(settings.db_url))
    with sessions() as db:
        world = build_world(db, settings)
        sign_checkpoint(db=db, origin=settings.origin, key=key, certificate=certificate)
        db.commit()
    receipts = []
    for position in (world.confirmed.ledger_position, world.scans["yiwu"].ledger_position):
        receipts.append(tmp_path / f"{position}.json")
        code, output = ipfed(
            "ledger", "prove", str(position), "--out", receipts[-1], "-d", data_dir
        )
        assert code == 0, output

    code, output = ipfed(
        "privacy", "erase", "--request", "R-9", "--decided-by", "李处长",
        "--shop", "taobao:fushi-pifa", "-d", data_dir,
    )  # fmt: skip
    assert code == 0 and '"listings": 2' in output and '"participants": 1' in output, output
    with sessions() as db:  # the confirmed lead's listing, past its period
        db.execute(update(Lead).values(created_at=datetime.now(UTC) - timedelta(days=1200)))
        db.execute(update(Lead).values(decided_at=datetime.now(UTC) - timedelta(days=1100)))
        db.commit()
    code, output = ipfed("privacy", "expire", "-d", data_dir)
    assert code == 0 and '"listings": 2' in output, output  # S003 and S005
    with sessions() as db:
        assert db.scalars(select(Listing).where(Listing.seller != ERASED)).all() == [
            db.get_one(Listing, world.listings["S004"].id)
        ]
    code, output = ipfed("ledger", "verify", "-d", data_dir)
    assert code == 0 and "verifies" in output, output
    for receipt in receipts:
        code, output = ipfed(
            "ledger", "check-receipt", receipt, "--bundle", tmp_path / "bundle.json"
        )
        assert code == 0, output
    code, output = ipfed(
        "evidence", "export", world.confirmed.id, "--out", tmp_path / "e.json", "-d", data_dir
    )
    assert code == 2 and "[evidence_erased]" in output, output

    code, output = ipfed(
        "privacy", "erase", "--request", "R-10", "--decided-by", "李", "-d", data_dir
    )
    assert code == 2 and "[subject_required]" in output, output
    code, output = ipfed(
        "privacy",
        "erase",
        "--request",
        "R-11",
        "--decided-by",
        "李",
        "--shop",
        "fushi",
        "-d",
        data_dir,
    )
    assert code == 2 and "[bad_shop]" in output, output
    code, output = ipfed("privacy", "expire", "-d", data_dir)
    assert code == 0 and "erased: {}" in output, output
    code, output = ipfed("privacy", "list", "-d", data_dir)
    assert code == 0 and "R-9" in output and "retention" in output, output
    assert YIWU_NAME not in output and YIWU not in output
