"""Find a mark, and the addresses it is known by: the verification URL its QR code
holds and the URI its EPCIS events name."""

from sqlalchemy.orm import Session

from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import get_or_404
from ipfed.nodes.marks.models import Mark
from ipfed.sdk.verify import VERIFY_PATH


def mark_url(*, settings: NodeSettings, token: str) -> str:
    return settings.public_base_url + VERIFY_PATH + token


def mark_uri(*, settings: NodeSettings, mark_id: str) -> str:
    return f"{settings.public_base_url}/marks/{mark_id}"


def get_mark(*, db: Session, mark_id: str) -> Mark:
    return get_or_404(db, Mark, mark_id, message=f"no mark {mark_id}")
