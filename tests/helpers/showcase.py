"""A real Shanghai node process with something to show: the demo's sample register
imported, marks issued (one in force with unit codes, one suspended, one revoked),
one unit code sold by two sellers (a clone alert), the sample listings screened (leads
in the office's work queue), and an API key for the office.
People of each organisation sign in to its console (``PEOPLE``, password ``PASSWORD``).
The browser tests and ``scripts/screenshots`` look at its pages."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page
from processes import free_port, make_node, start, stop
from sample import import_sample
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.detection.screening import Screener
from ipfed.ledger.identity import Role
from ipfed.ledger.keystore import AuthorityDirectory
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction, utcnow
from ipfed.nodes.demo.marks import demo_uscc
from ipfed.nodes.detection.service import load_register, screen_listing
from ipfed.nodes.fairs.models import Fair
from ipfed.nodes.fairs.schemas import FairIn
from ipfed.nodes.fairs.service import fair_today, register_fair
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.marks import scans
from ipfed.nodes.marks.issuing import issue_mark, issue_units
from ipfed.nodes.marks.models import BizStep, Mark
from ipfed.nodes.marks.schemas import MarkIn, ScanIn
from ipfed.nodes.marks.status import change_status
from ipfed.nodes.rights.models import Right
from ipfed.registry.lifecycle import MarkStatus

OFFICE = "上海市知识产权局"
PASSWORD = "correct horse battery"  # every showcase person's
# People who sign in to the console: username -> (name, organisation, role).
ORGANIZER = "上海鞋服博览会有限公司"
INSPECTORS = "上海市市场监督管理局执法总队"
PLATFORM = "某电商平台"
PEOPLE = {
    "wang.fang": ("王芳", OFFICE, Role.REGIONAL),
    "li.na": ("李娜", ORGANIZER, Role.FAIR),
    "zhao.lei": ("赵磊", INSPECTORS, Role.ENFORCEMENT),
    "chen.jing": ("陈静", PLATFORM, Role.PLATFORM),
}
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

    @property
    def url(self) -> str:
        return self.settings.base_url

    def page(self, token: str) -> str:
        return f"{self.url}/v/{token}"

    def sign_in(self, page: Page, username: str) -> None:
        """Sign one of ``PEOPLE`` in through the console's form, as a person would."""
        page.goto(self.url + "/console/sign-in")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(self.url + "/console")


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
            add_account(db=db, username=username, name=name, org=org, role=role, password=PASSWORD)
        screen_sample(db, settings)
        fair = open_fair(db, settings, valid)
        return {
            "open_fair": fair.id,
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


@contextmanager
def showcase(folder: Path) -> Iterator[Showcase]:
    """The node, started; stopped when the block ends."""
    authority = AuthorityDirectory.create(folder / "ca")
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
    )
    make_node(settings, authority)
    (settings.identity_dir / "trust-bundle.json").write_text(
        authority.bundle().to_json(), encoding="utf-8"
    )
    shown = Showcase(settings=settings, **fill(settings))
    process = start(settings)
    try:
        yield shown
    finally:
        stop(process)
