"""The screener kept between requests: rebuilt when a right or a licence is added."""

from sqlalchemy.orm import Session

from ipfed.detection.register import ScreenedListing
from ipfed.nodes.detection.current import current_screener
from ipfed.nodes.imports.kinds import import_kind
from ipfed.nodes.licences.schemas import LicenceIn
from ipfed.nodes.rights.schemas import TrademarkIn

LISTING = ScreenedListing("L1", "金龍魚 食用油 5L", "某粮油店", 29)


def flagged(db: Session) -> list[str]:
    return [finding.right_id for finding in current_screener(db).screen(LISTING)]


def test_the_screener_is_kept_until_the_register_changes(db: Session, sample_data: None) -> None:
    kept = current_screener(db)
    assert current_screener(db) is kept
    assert flagged(db) == []

    mark = TrademarkIn(number="9000001", name="金龙鱼", nice_classes=[29], holder="益海嘉里")
    assert not import_kind("trademarks").add(db, [mark])
    assert current_screener(db) is not kept
    assert flagged(db) == ["9000001"]  # traditional forms of the new mark

    rebuilt = current_screener(db)
    licence = LicenceIn(right="9000001", licensee="某粮油店")
    assert not import_kind("licences").add(db, [licence])
    assert current_screener(db) is not rebuilt
    assert flagged(db) == []  # the seller may now use it
