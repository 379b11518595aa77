"""Rights the tests mark: 回力 WARRIOR, a granted trademark valid for years yet."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from ipfed.nodes.rights.models import RightStatus, Trademark, nice_class_mask


def warrior(*, classes: Iterable[int] = (25,), holder: str = "上海回力鞋业有限公司") -> Trademark:
    return Trademark(
        number="4410392",
        name="回力 WARRIOR",
        holder=holder,
        status=RightStatus.GRANTED,
        grant_date=date(2008, 3, 7),
        expiry_date=datetime.now(UTC).date() + timedelta(days=800),
        nice_class_mask=nice_class_mask(list(classes)),
    )
