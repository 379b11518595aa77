"""Trade fairs in a node: registration and the pre-exhibition check, patrol scans, leads,
post-exhibition tracking, who sees what, and bad input, on SQLite and PostgreSQL.

The sample data's register (大白兔 1587423 in class 30, 回力 WARRIOR 4410392 in class 25,
...), participants and listings are imported. A second office, Zhejiang, is in the
federation so that marks of another office can be shown at a Shanghai fair.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import uscc
from typer.testing import CliRunner

from ipfed.ledger.identity import CertificateAuthority, Organisation, PrivateKey, Role, generate_key
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle, key_id
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.cli import app as cli
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import new_id
from ipfed.nodes.errors import Conflict
from ipfed.nodes.fairs import service, tracking
from ipfed.nodes.fairs.models import Exhibit, ExhibitCheck, Exhibitor
from ipfed.nodes.fairs.schemas import ExhibitorIn, FairIn, PatrolOutcome, PatrolScanIn
from ipfed.nodes.fairs.screening import trademark_screen
from ipfed.nodes.imports.kinds import import_kind
from ipfed.nodes.listings.schemas import ListingIn
from ipfed.nodes.marks.events import mark_events
from ipfed.nodes.marks.issuing import issue_mark, issue_units
from ipfed.nodes.marks.lookup import mark_url
from ipfed.nodes.marks.models import BizStep, Mark, MarkEvent
from ipfed.nodes.marks.scans import Reporter, record_scan
from ipfed.nodes.marks.schemas import MarkIn, ScanIn
from ipfed.nodes.marks.status import change_status
from ipfed.nodes.rights.models import Trademark
from ipfed.registry.credential import Claims, RightType, issue_token
from ipfed.registry.lifecycle import MarkStatus
from ipfed.registry.status_list import StatusPurpose, capacity, sign_status_list
from ipfed.sdk import Verifier


def credit_code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


TODAY = service.fair_today()
GUANSHENGYUAN = ("上海冠生园食品有限公司", credit_code("91310000132200821"))  # holds 大白兔
YIWU = ("义乌市副食批发商行", "92330782MA29C7TB03")  # a participant: taobao shop fushi-pifa
HUANGPU = ("上海黄浦鞋业贸易有限公司", "91310104MA1G5R2N0T")
ZJ_TEA = ("杭州西湖茗茶贸易有限公司", "91330106MA27Y8K10G")
ORGANIZER = "上海食品博览会有限公司"


@dataclass
class Federation:
    authority: CertificateAuthority
    shanghai: tuple[PrivateKey, Any]
    zhejiang: tuple[PrivateKey, Any]

    @property
    def bundle(self) -> TrustBundle:
        return TrustBundle(self.authority.certificate, [self.shanghai[1], self.zhejiang[1]])


@pytest.fixture(scope="module")
def federation_of_two() -> Federation:
    authority = CertificateAuthority.create()
    offices = []
    for name, region in (("上海市知识产权局", "310000"), ("浙江省知识产权局", "330000")):
        key = generate_key()
        organisation = Organisation(name, Role.REGIONAL, region)
        offices.append((key, authority.issue(organisation, key.public_key())))
    return Federation(authority, offices[0], offices[1])


@pytest.fixture
def node(settings: NodeSettings, federation_of_two: Federation, sample_data: None) -> NodeSettings:
    """The Shanghai node, with the sample register, in a federation with Zhejiang."""
    key, certificate = federation_of_two.shanghai
    settings.identity_dir.mkdir()
    write_private_key(settings.identity_dir / "org.key", key)
    write_certificate(settings.identity_dir / "org.pem", certificate)
    bundle = federation_of_two.bundle.to_json()
    (settings.identity_dir / "trust-bundle.json").write_text(bundle, encoding="utf-8")
    return settings


def trademark(db: Session, number: str) -> Trademark:
    found = db.scalar(select(Trademark).where(Trademark.number == number))
    assert found is not None
    return found


def issue(db: Session, node: NodeSettings, number: str, holder: str = GUANSHENGYUAN[1]) -> Mark:
    request = MarkIn(right_id=trademark(db, number).id, holder_uscc=holder)
    return issue_mark(db=db, settings=node, request=request, today=datetime.now(UTC).date())


def exhibitor(who: tuple[str, str], booth: str, *exhibits: dict[str, Any]) -> dict[str, Any]:
    return {"name": who[0], "uscc": who[1], "booth": booth, "exhibits": list(exhibits)}


def fair_in(
    *exhibitors: dict[str, Any], starts: date, days: int = 3, category: str = "食品"
) -> FairIn:
    return FairIn.model_validate(
        {
            "name": "2026 上海国际食品博览会",
            "venue": "国家会展中心（上海）",
            "region_code": "310000",
            "category": category,
            "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(days=days - 1)).isoformat(),
            "exhibitors": list(exhibitors),
        }
    )


def register(db: Session, node: NodeSettings, *exhibitors: dict[str, Any], **fair: Any) -> Any:
    """Register a fair opening in ten days (or at ``starts``), as of the day before it opens
    when it opens earlier: the service is told the day, so past fairs can be set up."""
    starts = fair.pop("starts", TODAY + timedelta(days=10))
    request = fair_in(*exhibitors, starts=starts, **fair)
    return service.register_fair(
        db=db,
        settings=node,
        request=request,
        organizer=ORGANIZER,
        today=min(TODAY, starts - timedelta(days=1)),
    )


def exhibits_by_name(db: Session, fair_id: str) -> dict[str, Exhibit]:
    return {e.name: e for e in db.scalars(select(Exhibit).where(Exhibit.fair_id == fair_id))}


def codes(exhibit: Exhibit) -> list[str]:
    return [flag["code"] for flag in exhibit.flags]


# --- the pre-exhibition check ------------------------------------------------


def test_every_mark_is_verified_and_every_name_screened(db: Session, node: NodeSettings) -> None:
    genuine = issue(db, node, "1587423")
    revoked = issue(db, node, "1587423")
    change_status(
        db=db,
        settings=node,
        mark=revoked,
        status=MarkStatus.REVOKED,
        reason="counterfeit use",
        by="office",
    )
    tampered = genuine.token[:-4] + ("AAAA" if not genuine.token.endswith("AAAA") else "BBBB")
    fair = register(
        db,
        node,
        exhibitor(
            GUANSHENGYUAN,
            "A-01",
            {"name": "大白兔奶糖 经典原味", "nice_class": 30, "mark": genuine.token},
            {"name": "大白兔 牛奶糖 礼盒", "nice_class": 30},  # the holder needs no mark
            {"name": "大白兔 奶茶粉", "nice_class": 29, "mark": genuine.token},  # not class 29
        ),
        exhibitor(
            YIWU,
            "B-17",
            {"name": "大·白·兔 奶糖 500g", "nice_class": 30},  # a look-alike, no mark
            {
                "name": "大白兔奶糖",
                "nice_class": 30,
                "mark": mark_url(settings=node, token=genuine.token),
            },
            {"name": "大白兔 花生糖", "nice_class": 30, "mark": revoked.token},
            {"name": "大白兔 软糖", "nice_class": 30, "mark": tampered},
            {"name": "桂花糕", "nice_class": 30},
        ),
    )
    found = exhibits_by_name(db, fair.id)
    cleared = {n for n, e in found.items() if e.check is ExhibitCheck.CLEARED}
    assert cleared == {"大白兔奶糖 经典原味", "大白兔 牛奶糖 礼盒", "桂花糕"}
    assert found["大白兔奶糖 经典原味"].mark_id == genuine.id
    assert codes(found["大白兔 奶茶粉"]) == ["out_of_scope"]

    look_alike = found["大·白·兔 奶糖 500g"]
    assert codes(look_alike) == ["imitates_trademark"]
    assert look_alike.flags[0]["evidence"]["right_number"] == "1587423"
    assert look_alike.flags[0]["evidence"]["text"] == "大白兔"
    # The holder's genuine mark, shown by someone it was not issued to, excuses nothing.
    assert codes(found["大白兔奶糖"]) == ["unlicensed_seller", "imitates_trademark"]
    assert codes(found["大白兔 花生糖"]) == ["revoked", "imitates_trademark"]
    assert codes(found["大白兔 软糖"])[0] == "bad_signature"
    assert found["大白兔 软糖"].mark_id is None

    report = service.check_report(db=db, fair=fair)
    assert (report.exhibits, report.cleared, report.flagged) == (8, 3, 5)
    assert report.flags_by_code["imitates_trademark"] == 4
    assert [e.booth for e in report.exhibitors] == ["A-01", "B-17"]


def test_registering_a_marked_exhibit_is_an_inspecting_event(
    db: Session, node: NodeSettings
) -> None:
    mark = issue(db, node, "1587423")
    register(
        db,
        node,
        exhibitor(GUANSHENGYUAN, "A-01", {"name": "大白兔", "nice_class": 30, "mark": mark.token}),
    )
    events = mark_events(db=db, mark_id=mark.id)
    assert [e.biz_step for e in events] == [BizStep.COMMISSIONING, BizStep.INSPECTING]
    assert events[-1].org == ORGANIZER and events[-1].place == "国家会展中心（上海） A-01"
    assert events[-1].seller_uscc == GUANSHENGYUAN[1] and events[-1].region_code == "310000"


def test_screening_sees_through_case_spacing_punctuation_and_full_width(
    db: Session, node: NodeSettings
) -> None:
    screen = trademark_screen(db=db, on=TODAY)
    seller = ("某鞋业商行", credit_code("92310000MA1K0000"))

    def imitated(name: str, nice_class: int = 25) -> list[str]:
        return [r.number for r in screen(name, nice_class, *seller)]

    for name in (
        "回力 帆布鞋",
        "回 力 帆布鞋",
        "ＷＡＲＲＩＯＲ 经典款",  # full-width
        "warrior 经典款",
        "W.A.R-R_I O R sneakers",
        "Warrlor 篮球鞋",  # one letter changed
        "【回·力】运动鞋",
    ):
        assert imitated(name) == ["4410392"], name
    assert imitated("Warrlor 篮球鞋", nice_class=30) == []  # another class
    assert imitated("勇士 帆布鞋") == []
    assert imitated("大白菜 饺子", nice_class=30) == []  # 大白兔 with one character changed
    assert imitated("Ｌａｏ Ｆｅｎｇｘｉａｎｇ 金饰", nice_class=14) == ["3021568"]
    # Longer names are recognised with a character changed; short ones must be whole.
    db.add(
        Trademark(
            number="9000001",
            name="良品铺子",
            holder="良品铺子股份有限公司",
            status="granted",
            nice_class_mask=1 << 29,
        )
    )
    db.flush()
    screen = trademark_screen(db=db, on=TODAY)
    assert imitated("良品浦子 坚果礼盒", nice_class=29) == ["9000001"]
    assert imitated("大白兎奶糖", nice_class=30) == ["1587423"]  # 兎 for 兔: the detection engine
    # The holder exhibiting its own goods is no imitation.
    assert screen("回力 帆布鞋", 25, "上海回力鞋业有限公司", credit_code("91310000MA1K0001")) == []


def test_marks_of_other_offices_need_a_cached_status_list(
    db: Session, node: NodeSettings, federation_of_two: Federation
) -> None:
    zj_key, zj_certificate = federation_of_two.zhejiang
    zj_key_id = key_id(zj_certificate)
    claims = Claims(
        mark_id=new_id(),
        right_type=RightType.TRADEMARK,
        right_number="6729010",
        holder=ZJ_TEA[1],
        valid_from=TODAY - timedelta(days=30),
        valid_until=TODAY + timedelta(days=300),
        status_index=4242,
        nice_classes=frozenset({32}),
    )
    token = issue_token(claims, zj_key, zj_key_id)
    show = exhibitor(ZJ_TEA, "C-03", {"name": "西湖 龙井 茶饮", "nice_class": 32, "mark": token})

    def cache(revoked: list[int], valid_for: timedelta = timedelta(hours=1)) -> None:
        now = datetime.now(UTC)
        verifier = Verifier(federation_of_two.bundle, cache_dir=node.status_lists_dir)
        for purpose in StatusPurpose:
            document = sign_status_list(
                purpose=purpose,
                indexes=revoked if purpose is StatusPurpose.REVOCATION else [],
                size=capacity(1),
                issuer=zj_key_id,
                key=zj_key,
                valid_from=now - timedelta(minutes=1),  # the certificates are minutes old
                valid_until=now - timedelta(minutes=1) + valid_for,
            )
            verifier.load_status(document)

    def check() -> Exhibit:
        fair = register(db, node, show)
        (exhibit,) = exhibits_by_name(db, fair.id).values()
        assert exhibit.mark_id == claims.mark_id
        return exhibit

    assert codes(check()) == ["status_unavailable"]  # nothing cached: not passed silently
    cache(revoked=[], valid_for=timedelta(seconds=30))
    assert codes(check()) == ["stale_status_list"]
    cache(revoked=[], valid_for=timedelta(hours=1))
    assert check().check is ExhibitCheck.CLEARED
    cache(revoked=[4242], valid_for=timedelta(hours=1))
    assert codes(check()) == ["revoked"]
    # Nothing of another office's mark goes on this node's ledger.
    assert db.scalar(select(MarkEvent.id).where(MarkEvent.mark_id == claims.mark_id)) is None


def test_registration_is_refused_once_the_fair_started(db: Session, node: NodeSettings) -> None:
    request = fair_in(exhibitor(YIWU, "B-1", {"name": "桂花糕", "nice_class": 30}), starts=TODAY)
    with pytest.raises(Conflict) as raised:
        service.register_fair(
            db=db, settings=node, request=request, organizer=ORGANIZER, today=TODAY
        )
    assert raised.value.code == "fair_started"
    fair = register(db, node, exhibitor(YIWU, "B-1"), starts=TODAY)  # registered yesterday
    late = [ExhibitorIn.model_validate(exhibitor(HUANGPU, "B-2"))]
    with pytest.raises(Conflict) as raised:
        service.add_exhibitors(db=db, settings=node, fair=fair, exhibitors=late, today=TODAY)
    assert raised.value.code == "fair_started"

    upcoming = register(db, node, exhibitor(YIWU, "B-1"))
    again = [ExhibitorIn.model_validate(exhibitor(who, "B-9")) for who in (HUANGPU, YIWU)]
    with pytest.raises(Conflict) as raised:
        service.add_exhibitors(db=db, settings=node, fair=upcoming, exhibitors=again, today=TODAY)
    assert raised.value.code == "duplicate_exhibitor"
    db.flush()
    stored = db.scalars(select(Exhibitor.uscc).where(Exhibitor.fair_id == upcoming.id)).all()
    assert stored == [YIWU[1]]


# --- during the fair -----------------------------------------------------------


def scan_at_booth(token: str, **fields: Any) -> PatrolScanIn:
    return PatrolScanIn.model_validate({"token": token, **fields})


SHANGHAI = {"latitude": 31.19, "longitude": 121.30}
PATROL = Reporter("执法队", Role.ENFORCEMENT, "ipfed_patrol")


def test_patrol_scans_flag_what_fails(db: Session, node: NodeSettings) -> None:
    mark = issue(db, node, "1587423")
    _, (unit, copied) = issue_units(
        db=db, settings=node, mark=mark, batch_number="B-2026", quantity=2, by=GUANSHENGYUAN[0]
    )
    fair = register(
        db,
        node,
        exhibitor(
            GUANSHENGYUAN,
            "A-01",
            {"name": "大白兔奶糖", "nice_class": 30, "mark": mark.token},
            {"name": "大白兔 太妃糖", "nice_class": 30, "mark": mark.token},
        ),
        starts=TODAY,
    )
    found = exhibits_by_name(db, fair.id)
    candy, toffee = found["大白兔奶糖"], found["大白兔 太妃糖"]
    assert candy.check is toffee.check is ExhibitCheck.CLEARED

    def patrol(exhibit: Exhibit, token: str, **where: Any) -> PatrolOutcome:
        scan = scan_at_booth(token, **where)
        return service.patrol_scan(
            db=db, settings=node, fair=fair, exhibit=exhibit, scan=scan, by=PATROL
        )

    ok = patrol(candy, unit.token, **SHANGHAI)
    assert ok.valid and ok.new_flags == [] and candy.check is ExhibitCheck.CLEARED
    event = db.get(MarkEvent, ok.event_id)
    assert event is not None and event.biz_step is BizStep.INSPECTING and event.org == "执法队"

    # The other unit's code is being sold in Urumqi just now: this one is a copy.
    urumqi = {"latitude": 43.83, "longitude": 87.62, "region_code": "650100"}
    record_scan(
        db=db,
        settings=node,
        scan=ScanIn.model_validate({"token": copied.token, "biz_step": "retail_selling", **urumqi}),
        by=Reporter("拼多多", Role.PLATFORM, "ipfed_pdd"),
    )
    cloned = patrol(toffee, copied.token, **SHANGHAI)
    assert not cloned.valid and [f.code for f in cloned.new_flags] == ["clone_suspected"]
    assert cloned.new_flags[0].evidence["organisations"] == "2"
    assert toffee.check is ExhibitCheck.FLAGGED

    change_status(
        db=db,
        settings=node,
        mark=mark,
        status=MarkStatus.SUSPENDED,
        reason="under investigation",
        by="office",
    )
    failed = patrol(candy, mark.token)
    assert [f.code for f in failed.new_flags] == ["suspended"]
    assert candy.check is ExhibitCheck.FLAGGED and codes(candy) == ["suspended"]
    # A genuine unit code behind a host the federation does not name is not looked at.
    foreign = patrol(candy, "https://ipfed.example/v/" + unit.token)
    assert [f.code for f in foreign.new_flags] == ["foreign_verification_url"]


def test_patrols_only_while_the_fair_is_open(db: Session, node: NodeSettings) -> None:
    mark = issue(db, node, "1587423")
    show = exhibitor(GUANSHENGYUAN, "A-01", {"name": "大白兔", "nice_class": 30})
    for fair in (
        register(db, node, show),
        register(db, node, show, starts=TODAY - timedelta(days=9)),
    ):
        (exhibit,) = exhibits_by_name(db, fair.id).values()
        with pytest.raises(Conflict) as raised:
            service.patrol_scan(
                db=db,
                settings=node,
                fair=fair,
                exhibit=exhibit,
                scan=scan_at_booth(mark.token),
                by=PATROL,
            )
        assert raised.value.code == "fair_not_open"


# --- leads and tracking --------------------------------------------------------


def test_flagged_exhibits_are_leads_and_are_looked_for_online(
    db: Session, node: NodeSettings
) -> None:
    fair = register(
        db,
        node,
        exhibitor(YIWU, "B-17", {"name": "大·白·兔 奶糖", "nice_class": 30}),
        exhibitor(GUANSHENGYUAN, "A-01", {"name": "大白兔奶糖", "nice_class": 30}),
        starts=TODAY - timedelta(days=10),
    )
    with pytest.raises(Conflict) as raised:
        tracking.track_online(db=db, fair=fair, today=fair.ends_on)
    assert raised.value.code == "fair_not_over"

    (lead,) = service.flagged_exhibits(db=db, fair_id=fair.id)
    assert lead.exhibitor.name == YIWU[0] and lead.exhibitor.booth == "B-17"
    assert lead.fair.id == fair.id and lead.exhibit.flags[0].code == "imitates_trademark"

    import_kind("listings").add(
        db,
        [
            ListingIn(
                source="pinduoduo", external_id="P9", title="大白兎奶糖 礼盒装", seller="某商店"
            ),
            ListingIn(source="jd", external_id="J9", title="大白菜 新鲜 5斤", seller="某菜店"),
        ],
    )
    report = tracking.track_online(db=db, fair=fair, today=TODAY)
    assert report.listings_searched == 7  # the sample's five and the two above
    (tracked,) = report.exhibits
    matches = {m.title: m.reasons for m in tracked.matches}
    assert matches == {
        # The sample's listing S001, from the exhibitor's own taobao shop.
        "大白兎 奶糖 500g 经典原味": ["same_seller", "similar_title"],
        "大白兎奶糖 礼盒装": ["similar_title"],
    }
    # The exhibitor's scissors (S002, class 8) are another product.


# --- over HTTP: roles, visibility, bad input -----------------------------------


@pytest.fixture
def client(
    engine: Engine, sessions: sessionmaker[Session], node: NodeSettings
) -> Iterator[TestClient]:
    app = create_app(node, engine)
    app.state.sessions = sessions  # requests join the test's rolled-back transaction
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(db: Session, node: NodeSettings) -> dict[str, str]:
    who = {
        "food_a": ("上海食品博览会有限公司", Role.FAIR),
        "food_b": ("杭州食品展览有限公司", Role.FAIR),
        "shoes": ("晋江鞋博会组委会", Role.FAIR),
        "enforcement": ("上海市市场监督管理局执法总队", Role.ENFORCEMENT),
        "platform": ("某电商平台", Role.PLATFORM),
    }
    created = {
        name: create_api_key(db=db, org=org, role=role)[1] for name, (org, role) in who.items()
    }
    db.commit()
    return created


def call(client: TestClient, method: str, path: str, key: str, body: Any = None) -> tuple[int, Any]:
    response = client.request(method, path, headers={"X-API-Key": key}, json=body)
    return response.status_code, response.json()


def fair_body(
    category: str, *exhibitors: dict[str, Any], starts: date | None = None
) -> dict[str, Any]:
    request = fair_in(*exhibitors, starts=starts or TODAY + timedelta(days=10))
    body: dict[str, Any] = json.loads(request.model_dump_json())
    return body | {"category": category}


def test_organizers_see_their_own_fairs_only(client: TestClient, keys: dict[str, str]) -> None:
    copycat = exhibitor(YIWU, "B-17", {"name": "大·白·兔 奶糖", "nice_class": 30})
    honest = exhibitor(HUANGPU, "B-18", {"name": "桂花糕", "nice_class": 30})
    ids = {}
    for who, category in (("food_a", "食品"), ("food_b", " 食品 "), ("shoes", "鞋服")):
        status, report = call(
            client, "POST", "/fairs", keys[who], fair_body(category, copycat, honest)
        )
        assert status == 201, report
        assert (report["cleared"], report["flagged"]) == (1, 1)
        ids[who] = report["fair"]["id"]

    status, page = call(client, "GET", "/fairs", keys["food_a"])
    assert [f["id"] for f in page["items"]] == [ids["food_a"]]
    status, page = call(client, "GET", "/fairs", keys["enforcement"])
    assert {f["id"] for f in page["items"]} == set(ids.values())

    # Its own organizer reads its flagged exhibits, with names ...
    status, leads = call(client, "GET", f"/fairs/{ids['food_a']}/leads", keys["food_a"])
    assert status == 200
    assert [(x["exhibitor"]["name"], x["exhibit"]["name"]) for x in leads["items"]] == [
        (YIWU[0], "大·白·兔 奶糖")
    ]
    # ... another organizer, even of the same category (which anyone may claim by
    # registering a fair in it), reads none of it, nor may it change it.
    status, body = call(client, "GET", f"/fairs/{ids['food_a']}/leads", keys["food_b"])
    assert (status, body["error"]) == (403, "not_your_fair")
    status, records = call(client, "GET", "/fairs/infringements", keys["food_b"])
    assert {x["fair"]["id"] for x in records["items"]} == {ids["food_b"]}
    status, records = call(client, "GET", "/fairs/infringements?category=食品", keys["food_b"])
    assert {x["fair"]["id"] for x in records["items"]} == {ids["food_b"]}
    status, records = call(client, "GET", "/fairs/infringements?category=食品", keys["enforcement"])
    assert {x["fair"]["id"] for x in records["items"]} == {ids["food_a"], ids["food_b"]}
    status, body = call(client, "GET", f"/fairs/{ids['food_a']}", keys["food_b"])
    assert (status, body["error"]) == (403, "not_your_fair")
    more = {"exhibitors": [exhibitor(ZJ_TEA, "D-1")]}
    status, body = call(client, "POST", f"/fairs/{ids['food_a']}/exhibitors", keys["food_b"], more)
    assert (status, body["error"]) == (403, "not_your_fair")

    # An organizer of another category sees none of it.
    status, body = call(client, "GET", f"/fairs/{ids['food_a']}/leads", keys["shoes"])
    assert (status, body["error"]) == (403, "not_your_fair")
    status, records = call(client, "GET", "/fairs/infringements", keys["shoes"])
    assert {x["fair"]["id"] for x in records["items"]} == {ids["shoes"]}
    status, records = call(client, "GET", "/fairs/infringements?category=食品", keys["shoes"])
    assert (status, records["items"]) == (200, [])

    # A platform is no organizer; the owner and regulators read the whole report.
    assert call(client, "GET", f"/fairs/{ids['food_a']}", keys["platform"])[0] == 403
    assert call(client, "POST", "/fairs", keys["enforcement"], fair_body("食品"))[0] == 403
    for who in ("food_a", "enforcement"):
        status, report = call(client, "GET", f"/fairs/{ids['food_a']}", keys[who])
        assert status == 200 and report["exhibits"] == 2
    # Only its own organizer and regulators patrol a fair (this one has not opened yet).
    exhibit = report["exhibitors"][0]["exhibits"][0]["id"]
    scan_path = f"/fairs/{ids['food_a']}/exhibits/{exhibit}/scans"
    for who, status in (("food_b", 403), ("platform", 403), ("food_a", 409), ("enforcement", 409)):
        assert call(client, "POST", scan_path, keys[who], {"token": "x" * 40})[0] == status, who
    status, report = call(
        client, "POST", f"/fairs/{ids['food_a']}/exhibitors", keys["food_a"], more
    )
    assert status == 201 and len(report["exhibitors"]) == 3


def test_bad_input_gets_a_4xx_with_a_code(
    client: TestClient, keys: dict[str, str], db: Session
) -> None:
    key = keys["food_a"]
    good = fair_body("食品", exhibitor(YIWU, "B-1", {"name": "桂花糕", "nice_class": 30}))

    def post(change: Any) -> tuple[int, str]:
        body = json.loads(json.dumps(good))
        change(body)
        status, answer = call(client, "POST", "/fairs", key, body)
        return status, answer["error"]

    exhibit = lambda b: b["exhibitors"][0]["exhibits"][0]  # noqa: E731
    assert post(lambda b: b["exhibitors"][0].update(uscc="92330782MA29C7TB04")) == (
        422,
        "invalid_request",
    )
    assert post(lambda b: b.update(ends_on="2020-01-01")) == (422, "invalid_request")
    assert post(lambda b: b.update(region_code="339999")) == (422, "invalid_request")
    assert post(lambda b: b.update(category="㍿" * 30)) == (422, "invalid_request")  # 120 long
    assert post(lambda b: b.update(category=" \u3000 ")) == (422, "invalid_request")
    assert post(lambda b: exhibit(b).update(locarno_class="09-03")) == (422, "invalid_request")
    assert post(lambda b: exhibit(b).update(nice_class=46)) == (422, "invalid_request")
    assert post(lambda b: exhibit(b).update(name="桂花\x00糕")) == (422, "invalid_request")
    assert post(lambda b: b["exhibitors"].append(b["exhibitors"][0])) == (422, "invalid_request")
    assert post(lambda b: b.update(starts_on=TODAY.isoformat())) == (409, "fair_started")
    # A token that is no token is checked and flagged, not a failure of the request.
    status, report = call(client, "POST", "/fairs", key, good)
    fair_id = report["fair"]["id"]
    body = {
        "exhibitors": [
            exhibitor(HUANGPU, "B-2", {"name": "鞋", "nice_class": 25, "mark": "x" * 40})
        ]
    }
    status, report = call(client, "POST", f"/fairs/{fair_id}/exhibitors", key, body)
    assert status == 201 and report["flags_by_code"] == {"malformed_token": 1}

    missing = new_id()
    assert call(client, "GET", f"/fairs/{missing}", key) == (
        404,
        {"error": "fair_not_found", "detail": f"no fair {missing}"},
    )
    assert call(client, "GET", "/fairs/not-a-ulid", key)[1]["error"] == "invalid_request"
    scan = {"token": "x" * 40}
    status, body = call(client, "POST", f"/fairs/{fair_id}/exhibits/{missing}/scans", key, scan)
    assert (status, body["error"]) == (404, "exhibit_not_found")
    (exhibit_id,) = [
        e.id
        for e in db.scalars(select(Exhibit).where(Exhibit.fair_id == fair_id, Exhibit.name == "鞋"))
    ]
    status, body = call(client, "POST", f"/fairs/{fair_id}/exhibits/{exhibit_id}/scans", key, scan)
    assert (status, body["error"]) == (409, "fair_not_open")
    status, body = call(client, "GET", f"/fairs/{fair_id}/tracking", key)
    assert (status, body["error"]) == (409, "fair_not_over")
    assert db.scalar(select(Exhibitor.id).where(Exhibitor.uscc == "92330782MA29C7TB04")) is None


@given(
    name=st.text(max_size=400),
    venue=st.text(max_size=40),
    category=st.text(max_size=120),
    uscc=st.text(max_size=20),
    nice=st.one_of(st.integers(-5, 60), st.text(max_size=4)),
    mark=st.one_of(st.none(), st.text(min_size=15, max_size=80)),
)
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_body_gets_a_500(
    client: TestClient,
    keys: dict[str, str],
    name: str,
    venue: str,
    category: str,
    uscc: str,
    nice: int | str,
    mark: str | None,
) -> None:
    body = fair_body("食品")
    body.update(name=name, venue=venue, category=category)
    body["exhibitors"] = [
        {
            "name": name[:50] or "x",
            "uscc": uscc,
            "exhibits": [{"name": name[:300] or "x", "nice_class": nice, "mark": mark}],
        }
    ]
    status, answer = call(client, "POST", "/fairs", keys["food_a"], body)
    assert status in (201, 409, 422), answer
    if status != 201:
        assert answer["error"] and answer["detail"]


# --- the command line ------------------------------------------------------------

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[2] / "nodes" / "demo" / "sample"


def ipfed(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(cli, [str(a) for a in args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_the_command_line_registers_reports_and_tracks(tmp_path: Path) -> None:
    """A node with its own identity and the sample register, on its default SQLite file."""
    node_dir, ca_dir = tmp_path / "node", tmp_path / "ca"
    office = ("--org", "上海市知识产权局", "--role", "regional", "--region", "310000")
    for command in (
        ("node", "init", "-d", node_dir, "--node-id", "sh", *office[2:], "--org-name", office[1]),
        ("ca", "init", "-d", ca_dir),
        ("ca", "issue", "-d", ca_dir, *office, "--out", node_dir / "identity"),
        ("ca", "bundle", "-d", ca_dir, "--out", node_dir / "identity" / "trust-bundle.json"),
        ("import", "trademarks", SAMPLE / "trademarks.csv", "-d", node_dir),
    ):
        code, output = ipfed(*command)
        assert code == 0, output

    exhibits = tmp_path / "exhibits.csv"
    exhibits.write_text(
        "exhibitor,uscc,booth,exhibit,nice_class,mark\n"
        f"{YIWU[0]},{YIWU[1]},B-17,大·白·兔 奶糖,30,\n"
        f"{YIWU[0]},{YIWU[1]},B-17,桂花糕,30,\n"
        f"{GUANSHENGYUAN[0]},{GUANSHENGYUAN[1]},A-01,大白兔 牛奶糖,30,\n"
        f"{HUANGPU[0]},{HUANGPU[1]},C-02,帆布鞋,25,{'not-a-token' * 3}\n",
        encoding="utf-8",
    )
    fair = (
        "--name", "2026 上海国际食品博览会", "--venue", "国家会展中心（上海）",
        "--region", "310000", "--category", "食品", "--organizer", ORGANIZER,
        "--starts", str(TODAY + timedelta(days=10)), "--ends", str(TODAY + timedelta(days=12)),
    )  # fmt: skip
    code, output = ipfed("fairs", "register", exhibits, *fair, "-d", node_dir)
    assert code == 0, output
    assert "4 exhibits, 2 cleared, 2 flagged" in output
    assert "imitates_trademark" in output and "malformed_token" in output
    assert "桂花糕" not in output  # registering lists what was flagged
    fair_id = re.search(r"fair ([0-9A-Z]{26}) ", output)[1]  # type: ignore[index]

    chart = tmp_path / "check.png"
    code, output = ipfed("fairs", "report", fair_id, "-d", node_dir, "--chart", chart)
    assert code == 0 and "桂花糕" in output and "cleared" in output
    assert Image.open(chart).size == (1000, 400)
    code, output = ipfed("fairs", "track", fair_id, "-d", node_dir)
    assert code == 2 and "[fair_not_over]" in output

    as_json = tmp_path / "exhibits.json"
    rows = [
        {"exhibitor": YIWU[0], "uscc": "92330782MA29C7TB04", "exhibit": "糖", "nice_class": 30},
        {"exhibitor": YIWU[0], "uscc": YIWU[1], "exhibit": "糖", "nice_class": 30},
        {"exhibitor": "别名", "uscc": YIWU[1], "exhibit": "糖", "nice_class": 30},
        {
            "exhibitor": YIWU[0],
            "uscc": YIWU[1],
            "exhibit": "糖",
            "locarno_class": "09-03",
            "nice_class": 30,
        },
    ]
    as_json.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    code, output = ipfed("fairs", "register", as_json, *fair, "-d", node_dir)
    assert code == 1 and "nothing registered" in output
    for problem in ("invalid_uscc", "exhibitor_mismatch", "one_class"):
        assert problem in output, problem
    as_json.write_text(json.dumps(rows[1:2], ensure_ascii=False), encoding="utf-8")
    late = ("--starts", str(TODAY), "--ends", str(TODAY))
    code, output = ipfed("fairs", "register", as_json, *fair, *late, "-d", node_dir)
    assert code == 2 and "[fair_started]" in output
    code, output = ipfed("fairs", "register", as_json, *fair, "-d", node_dir)
    assert code == 0 and "1 exhibits, 1 cleared, 0 flagged" in output
