"""The screener kept between requests: rebuilt when a right or a licence is added, and
kept by each app for itself."""

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.detection.register import ScreenedListing
from ipfed.nodes.app import create_app
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.detection.current import current_screener, keep_screener
from ipfed.nodes.imports.kinds import import_kind
from ipfed.nodes.licences.schemas import LicenceIn
from ipfed.nodes.rights.schemas import TrademarkIn

LISTING = ScreenedListing("L1", "金龍魚 食用油 5L", "某粮油店", 29)


def flagged(db: Session) -> list[str]:
    return [finding.right_id for finding in current_screener(db=db).screen(LISTING)]


def test_the_screener_is_kept_until_the_register_changes(
    sessions: sessionmaker[Session], sample_data: None
) -> None:
    keep_screener(sessions)
    with sessions() as db:
        kept = current_screener(db=db)
        assert current_screener(db=db) is kept
        assert flagged(db) == []

        mark = TrademarkIn(number="9000001", name="金龙鱼", nice_classes=[29], holder="益海嘉里")
        assert not import_kind("trademarks").add(db, [mark])
        assert current_screener(db=db) is not kept
        assert flagged(db) == ["9000001"]  # traditional forms of the new mark

        rebuilt = current_screener(db=db)
        licence = LicenceIn(right="9000001", licensee="某粮油店")
        assert not import_kind("licences").add(db, [licence])
        assert current_screener(db=db) is not rebuilt
        assert flagged(db) == []  # the seller may now use it


def test_a_session_outside_an_app_screens_with_a_screener_of_its_own(db: Session) -> None:
    assert current_screener(db=db) is not current_screener(db=db)


def test_two_apps_in_one_process_keep_their_own_screener(
    engine: Engine, settings: NodeSettings
) -> None:
    first, second = create_app(settings, engine), create_app(settings, engine)
    with first.state.sessions() as db:
        kept = current_screener(db=db)
    with second.state.sessions() as db:
        assert current_screener(db=db) is not kept
    with first.state.sessions() as db:
        assert current_screener(db=db) is kept  # the second app's screener replaced nothing
