"""A real Shanghai node process with something to show: the demo's sample register
imported, marks issued (one in force with unit codes, one suspended, one revoked),
one unit code sold by two sellers (a clone alert), the sample listings screened (leads
in the office's work queue), and an API key for the office.
People of each organisation sign in to its console (``PEOPLE``, password ``PASSWORD``).
Beside it runs the national node, which has received filings and leads from Shanghai
and Zhejiang and witnessed their logs; its office's people sign in there.
The browser tests and ``scripts/screenshots`` look at their pages."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from national import Region, file, peer, present_split_view, send_lead, witness_checkpoint
from playwright.sync_api import Page
from processes import free_port, make_node, start, stop
from sample import import_sample
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.detection.screening import Screener
from ipfed.exchange.messages import LeadKind
from ipfed.ledger.identity import Organisation, Role
from ipfed.ledger.keystore import AuthorityDirectory
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings, Peer
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction, utcnow
from ipfed.nodes.demo.marks import demo_uscc
from ipfed.nodes.detection.models import Decision
from ipfed.nodes.detection.push import push_confirmed
from ipfed.nodes.detection.service import load_register, review_lead, review_queue, screen_listing
from ipfed.nodes.exchange.delivery import due, record_acks
from ipfed.nodes.exchange.handlers import Handlers
from ipfed.nodes.exchange.inbox import receive
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.fairs.models import Fair
from ipfed.nodes.fairs.schemas import FairIn
from ipfed.nodes.fairs.service import fair_today, register_fair
from ipfed.nodes.filings.calendar import FilingKind, Granularity, Period, china_today
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.ledger.service import sign_checkpoint, store_cosigned
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.marks import scans
from ipfed.nodes.marks.issuing import issue_mark, issue_units
from ipfed.nodes.marks.models import BizStep, Mark
from ipfed.nodes.marks.schemas import MarkIn, ScanIn
from ipfed.nodes.marks.status import change_status
from ipfed.nodes.rights.models import Right
from ipfed.nodes.witness import service as witness
from ipfed.registry.lifecycle import MarkStatus

OFFICE = "上海市知识产权局"
PASSWORD = "correct horse battery"  # every showcase person's
# People who sign in to the console: username -> (name, organisation, role).
ORGANIZER = "上海鞋服博览会有限公司"
INSPECTORS = "上海市市场监督管理局执法总队"
HOLDER = "上海回力鞋业有限公司"  # holds 回力 WARRIOR (4410392) in the sample register
CENTRE = "中国（上海）知识产权保护中心"
NATIONAL = "国家知识产权局"  # at the national node
SHANGHAI = Organisation(OFFICE, Role.REGIONAL, "310000")
ZHEJIANG = Organisation("浙江省知识产权局", Role.REGIONAL, "330000")
PLATFORM = "某电商平台"
OVERSEAS_CENTRE = "中国（上海）海外知识产权纠纷应对指导中心"
PEOPLE = {
    "wang.fang": ("王芳", OFFICE, Role.REGIONAL),
    "li.na": ("李娜", ORGANIZER, Role.FAIR),
    "zhao.lei": ("赵磊", INSPECTORS, Role.ENFORCEMENT),
    "zhou.min": ("周敏", HOLDER, Role.RIGHTS_HOLDER),
    "wu.gang": ("吴刚", CENTRE, Role.ASSISTANCE_CENTRE),
    "sun.li": ("孙丽", NATIONAL, Role.NATIONAL),
    "chen.jing": ("陈静", PLATFORM, Role.PLATFORM),
    "zheng.hui": ("郑慧", OVERSEAS_CENTRE, Role.OVERSEAS_CENTRE),
}
# The federation's organisations this node serves: each has its certificate in the
# trust bundle, so the exchange routes to it (the national office's is its node's).
ORGANISATIONS = (
    Organisation(INSPECTORS, Role.ENFORCEMENT, "310000"),
    Organisation(HOLDER, Role.RIGHTS_HOLDER, "310000"),
    Organisation(CENTRE, Role.ASSISTANCE_CENTRE, "310000"),
)
SELLERS = (demo_uscc("某鞋店", "310000"), demo_uscc("另一鞋店", "310000"))


@dataclass(frozen=True)
class Showcase:
    settings: NodeSettings
    office_key: str  # the office's API key
    valid: str  # a mark's token: in force
    unit: str  # a unit code of the valid mark, not seen before
    cloned: str  # a unit code sold by two sellers
    suspended: str
    revoked: str
    open_fair: str  # a fair open today: the valid mark's holder shows it at booth A-01
    routed_lead: str  # a lead the office confirmed, pushed to the inspectors' organisation
    national: NodeSettings  # the national node, where the national office's people sign in

    @property
    def url(self) -> str:
        return self.settings.base_url

    def url_of(self, username: str) -> str:
        """The node where one of ``PEOPLE`` signs in."""
        return self.national.base_url if PEOPLE[username][1] == NATIONAL else self.url

    def page(self, token: str) -> str:
        return f"{self.url}/v/{token}"

    def sign_in(self, page: Page, username: str) -> None:
        """Sign one of ``PEOPLE`` in through the console's form, as a person would."""
        url = self.url_of(username)
        page.goto(url + "/console/sign-in")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(url + "/console")


def _right(db: Session, number: str) -> Right:
    return db.scalars(select(Right).where(Right.number == number)).one()


def fill(settings: NodeSettings) -> dict[str, str]:
    """The register, the marks and the scans; the tokens and the office's key."""
    sessions = make_session_factory(make_engine(settings.db_url))
    today = utcnow().date()
    with transaction(sessions) as db:
        import_sample(db)

        def mark_for(number: str) -> Mark:
            right = _right(db, number)
            request = MarkIn(right_id=right.id, holder_uscc=demo_uscc(right.holder, "310000"))
            return issue_mark(db=db, settings=settings, request=request, today=today)

        valid = mark_for("4410392")  # 回力 WARRIOR, class 25
        suspended = mark_for("1587423")  # 大白兔
        revoked = mark_for("3021568")  # 老凤祥
        _, units = issue_units(
            db=db, settings=settings, mark=valid, batch_number="B-2026-12", quantity=2, by=OFFICE
        )
        for mark, status in ((suspended, MarkStatus.SUSPENDED), (revoked, MarkStatus.REVOKED)):
            change_status(
                db=db, settings=settings, mark=mark, status=status, reason="核查中", by=OFFICE
            )
        for seller in SELLERS:  # one unit sold by two sellers: a clone alert
            scans.record_scan(
                db=db,
                settings=settings,
                scan=ScanIn(
                    token=units[1].token, biz_step=BizStep.RETAIL_SELLING, seller_uscc=seller
                ),
                by=scans.Reporter(PLATFORM, Role.PLATFORM, None),
            )
        _, office_key = create_api_key(db=db, org=OFFICE, role=Role.REGIONAL)
        for username, (name, org, role) in PEOPLE.items():
            if org != NATIONAL:
                add_account(
                    db=db, username=username, name=name, org=org, role=role, password=PASSWORD
                )
        screen_sample(db, settings)
        routed = route_a_lead(db, settings)
        fair = open_fair(db, settings, valid)
        return {
            "open_fair": fair.id,
            "routed_lead": routed,
            "office_key": office_key,
            "valid": valid.token,
            "unit": units[0].token,
            "cloned": units[1].token,
            "suspended": suspended.token,
            "revoked": revoked.token,
        }


def screen_sample(db: Session, settings: NodeSettings) -> None:
    """The sample listings screened: leads waiting in the office's work queue."""
    screener = Screener(load_register(db=db), today=utcnow().date())
    ledger = node_ledger(db=db, settings=settings)
    for listing in db.scalars(select(Listing).order_by(Listing.external_id)):
        screen_listing(db=db, screener=screener, listing=listing, ledger=ledger)


def route_a_lead(db: Session, settings: NodeSettings) -> str:
    """The office confirms the last trademark lead of its queue (the first ones stay
    for the reviewers of the browser tests) and pushes it as the node's push round does;
    the envelope for the enforcement authority is taken into the inbox as its delivery
    over the node's link to itself would be. The national office's record of the push
    stays in the outbox."""
    ledger = node_ledger(db=db, settings=settings)
    *_, lead = (lead for lead in review_queue(db=db) if lead.kind is LeadKind.TRADEMARK)
    review_lead(
        db=db,
        lead_id=lead.id,
        reviewer=OFFICE,
        decision=Decision.CONFIRM,
        reason="与注册商标近似，卖家非被许可人",
        ledger=ledger,
    )
    network = Network.of(settings, node_identity(settings))
    pushed = push_confirmed(db=db, network=network, ledger=ledger, home_region=settings.region_code)
    assert pushed == [lead.id], pushed
    here = settings.node_id
    deliveries = due(db=db, peer=here, limit=100).deliveries
    acks = receive(db=db, network=network, handlers=Handlers(), peer=here, deliveries=deliveries)
    record_acks(db=db, peer=here, acks=acks)
    return lead.id


def open_fair(db: Session, settings: NodeSettings, valid: Mark) -> Fair:
    """A fair registered yesterday, open today, where the holder of the valid mark
    shows shoes with it at booth A-01."""
    right = db.get(Right, valid.right_id)
    assert right is not None
    today = fair_today()
    request = FairIn.model_validate(
        {
            "name": "上海国际鞋服博览会",
            "venue": "上海新国际博览中心",
            "region_code": "310000",
            "category": "鞋服",
            "starts_on": today,
            "ends_on": today + timedelta(days=2),
            "exhibitors": [
                {
                    "name": right.holder,
                    "uscc": demo_uscc(right.holder, "310000"),
                    "booth": "A-01",
                    "exhibits": [{"name": "回力帆布鞋", "nice_class": 25, "mark": valid.token}],
                }
            ],
        }
    )
    yesterday = today - timedelta(days=1)
    return register_fair(
        db=db, settings=settings, request=request, organizer=ORGANIZER, today=yesterday
    )


def fill_national(settings: NodeSettings, shanghai: NodeSettings, zhejiang: Region) -> None:
    """What the regions sent the national node: filings (Shanghai's monthly report,
    Zhejiang's plan, late), leads of both, Shanghai's real log witnessed (and the
    national log witnessed by Shanghai), and a split view of Zhejiang's log."""
    own = node_identity(shanghai)
    region = Region("sh", SHANGHAI, own.key, own.certificate)
    now = utcnow()
    last_month = Period.of(Granularity.MONTH, china_today(now)).previous()
    national = make_session_factory(make_engine(settings.db_url))
    with transaction(national) as db:
        for username, (name, org, role) in PEOPLE.items():
            if org == NATIONAL:
                add_account(
                    db=db, username=username, name=name, org=org, role=role, password=PASSWORD
                )
        monthly, plan = FilingKind.MONTHLY_REPORT, FilingKind.IMPLEMENTATION_PLAN
        file(db, settings, region, kind=monthly, period=str(last_month), leads=3, signed_at=now)
        file(db, settings, zhejiang, kind=plan, period=str(now.year), leads=2, signed_at=now)
        leads = (
            (region, LeadKind.TRADEMARK, "回力帆布鞋 高仿 男女同款"),
            (region, LeadKind.TRADEMARK, "大白兔奶糖 散装 1kg"),
            (region, LeadKind.DESIGN, "外观近似的保温杯"),
            (zhejiang, LeadKind.TRADEMARK, "义乌 仿冒运动鞋 批发"),
            (zhejiang, LeadKind.PATENT_MARKING, "标注“专利产品”的充电器"),
        )
        for sender, kind, title in leads:
            send_lead(db, settings, sender, kind=kind, title=title, now=now)
        witness_checkpoint(db, settings, zhejiang, 7)
        present_split_view(db, settings, zhejiang, 7)
    # Shanghai's log and the national log, each witnessed by the other.
    regional = make_session_factory(make_engine(shanghai.db_url))
    for log, witness_node in ((shanghai, settings), (settings, shanghai)):
        signer, cosigner = node_identity(log), node_identity(witness_node)
        logs = regional if log is shanghai else national
        witnesses = national if log is shanghai else regional
        with transaction(logs) as db:
            note = sign_checkpoint(
                db=db, origin=log.origin, key=signer.key, certificate=signer.certificate
            )
        with transaction(witnesses) as db:
            cosigned = witness.add_checkpoint(
                db=db,
                note=note,
                old_size=0,
                proof=[],
                bundle=cosigner.bundle,
                key=cosigner.key,
                certificate=cosigner.certificate,
            )
        with transaction(logs) as db:
            store_cosigned(db=db, note=cosigned)


@contextmanager
def showcase(folder: Path) -> Iterator[Showcase]:
    """The node, started; stopped when the block ends."""
    authority = AuthorityDirectory.create(folder / "ca")
    national_port = free_port()
    settings = NodeSettings(
        node_id="sh",
        role="regional",
        region_code="310000",
        org_name=OFFICE,
        data_dir=folder / "sh",
        http_port=free_port(),
        ledger_sync_seconds=0,
        marks_follow_seconds=0,
        filings_round_seconds=0,
        exchange_endpoint=f"tcp://127.0.0.1:{free_port()}",
        # The national node runs no exchange here: what is sent to it waits in the outbox.
        peers=[
            Peer(
                node_id="national",
                role="national",
                region_code="100000",
                api_url=f"http://127.0.0.1:{national_port}",
                exchange_endpoint=f"tcp://127.0.0.1:{free_port()}",
            )
        ],
    )
    make_node(settings, authority)
    for organisation in ORGANISATIONS:
        authority.issue(organisation)
    zhejiang_key, zhejiang_certificate = authority.issue(ZHEJIANG)
    zhejiang = Region("zj", ZHEJIANG, zhejiang_key, zhejiang_certificate)
    national = NodeSettings(
        node_id="national",
        role="national",
        region_code="100000",
        org_name=NATIONAL,
        data_dir=folder / "national",
        http_port=national_port,
        ledger_sync_seconds=0,
        marks_follow_seconds=0,
        filings_round_seconds=0,
        peers=[peer("sh", SHANGHAI), zhejiang.peer()],
    )
    make_node(national, authority)
    for node in (settings, national):
        (node.identity_dir / "trust-bundle.json").write_text(
            authority.bundle().to_json(), encoding="utf-8"
        )
    shown = Showcase(settings=settings, national=national, **fill(settings))
    fill_national(national, settings, zhejiang)
    processes = [start(settings), start(national)]
    try:
        yield shown
    finally:
        for process in processes:
            stop(process)
