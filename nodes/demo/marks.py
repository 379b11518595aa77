"""The demo's registry flow: Shanghai issues marks with QR codes for the rights in its
register, and a platform verifies them through the SDK over the running node."""

from hashlib import sha256

import httpx
from rich.console import Console
from rich.markup import escape
from sqlalchemy import or_, select
from stdnum.cn import uscc

from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction, utcnow
from ipfed.nodes.identity import node_identity
from ipfed.nodes.marks.issuing import issue_mark
from ipfed.nodes.marks.lookup import mark_url
from ipfed.nodes.marks.schemas import MarkIn
from ipfed.nodes.rights.models import Right, RightKind, RightStatus
from ipfed.registry.errors import VerificationError
from ipfed.registry.qr import qr_png
from ipfed.sdk import Verifier

MARKS_PER_KIND = 2


def demo_uscc(holder: str, region_code: str) -> str:
    """A well-formed credit code for a holder the sample names without one (demo only)."""
    body = "91" + region_code + str(int(sha256(holder.encode()).hexdigest(), 16))[:9]
    return body + str(uscc.calc_check_digit(body))


def issue_demo_marks(settings: NodeSettings) -> list[str]:
    """Marks for in-force rights of each kind in the register, QR images beside them; their URLs."""
    folder = settings.data_dir / "marks"
    folder.mkdir(exist_ok=True)
    today = utcnow().date()
    sessions = make_session_factory(make_engine(settings.db_url))
    urls = []
    with transaction(sessions) as db:
        rights = [
            right
            for kind in RightKind
            for right in db.scalars(
                select(Right)
                .where(
                    Right.kind == kind,
                    Right.status == RightStatus.GRANTED,
                    or_(Right.expiry_date.is_(None), Right.expiry_date > today),
                )
                .order_by(Right.number)
                .limit(MARKS_PER_KIND)
            )
        ]
        for right in rights:
            request = MarkIn(right_id=right.id, holder_uscc=demo_uscc(right.holder, "310000"))
            mark = issue_mark(db=db, settings=settings, request=request, today=today)
            url = mark_url(settings=settings, token=mark.token)
            (folder / f"{right.number}.png").write_bytes(qr_png(url))
            urls.append(url)
    return urls


def platform_verifies(
    settings: NodeSettings, urls: list[str], api_key: str, console: Console
) -> None:
    """A platform checks every mark online; the office suspends one; the platform sees it."""
    platform = Verifier(node_identity(settings).bundle)
    for url in urls:
        mark = platform.verify(url, online=True)
        claims = mark.claims
        console.print(
            f"  platform verified mark {claims.mark_id} of {claims.right_type.name.lower()} "
            f"{claims.right_number} ({mark.issuer.name}), QR in {settings.data_dir / 'marks'}",
            highlight=False,
        )
    suspended = platform.verify(urls[0]).claims.mark_id
    httpx.post(
        f"{settings.base_url}/marks/{suspended}/status",
        json={"status": "suspended", "reason": "demo: under investigation"},
        headers={"X-API-Key": api_key},
    ).raise_for_status()
    try:
        platform.verify(urls[0], online=True)
    except VerificationError as exc:
        console.print(
            f"  after suspending {suspended}: platform answer {escape(f'[{exc.code}]')}",
            highlight=False,
        )
