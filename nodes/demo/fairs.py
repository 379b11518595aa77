"""The demo's trade fair: an organizer registers a Shanghai fair where the holder of a
marked trademark shows its goods with the mark, and another exhibitor a look-alike name
without one; the look-alike is flagged."""

from datetime import timedelta

from sqlalchemy import select

from ipfed.detection.exhibits import elements
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.fairs.schemas import CheckReport, FairIn
from ipfed.nodes.fairs.service import check_report, fair_today, register_fair
from ipfed.nodes.marks.lookup import mark_url
from ipfed.nodes.marks.models import Mark
from ipfed.nodes.rights.models import Right, RightKind

ORGANIZER = "上海国际展览有限公司"
COPYCAT = ("义乌市副食批发商行", "92330782MA29C7TB03")


def register_demo_fair(settings: NodeSettings) -> tuple[CheckReport, str]:
    """The fair's check report, and an API key of its organizer."""
    sessions = make_session_factory(make_engine(settings.db_url))
    today = fair_today()
    with transaction(sessions) as db:
        mark = db.scalars(
            select(Mark).join(Mark.right).where(Right.kind == RightKind.TRADEMARK).order_by(Mark.id)
        ).first()
        if mark is None:
            raise LookupError("the demo issues trademark marks before the fair")
        right, nice_class = mark.right, mark.nice_classes[0]
        look_alike = "·".join(elements(right.name)[0])  # 大白兔 -> 大·白·兔
        request = FairIn.model_validate(
            {
                "name": "上海国际消费品博览会（演示）",
                "venue": "国家会展中心（上海）",
                "region_code": settings.region_code,
                "category": "消费品",
                "starts_on": today + timedelta(days=7),
                "ends_on": today + timedelta(days=9),
                "exhibitors": [
                    {
                        "name": right.holder,
                        "uscc": mark.holder_uscc,
                        "booth": "A-01",
                        "exhibits": [
                            {
                                "name": f"{right.name} 礼盒",
                                "nice_class": nice_class,
                                "mark": mark_url(settings=settings, token=mark.token),
                            }
                        ],
                    },
                    {
                        "name": COPYCAT[0],
                        "uscc": COPYCAT[1],
                        "booth": "B-17",
                        "exhibits": [{"name": f"{look_alike} 特价装", "nice_class": nice_class}],
                    },
                ],
            }
        )
        fair = register_fair(
            db=db, settings=settings, request=request, organizer=ORGANIZER, today=today
        )
        _, key = create_api_key(db=db, org=ORGANIZER, role=Role.FAIR)
        return check_report(db=db, fair=fair), key
