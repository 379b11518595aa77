"""Exhibit names screened against the node's registered trademarks, through the
detection engine's exhibit screen and the node's kept screener."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.detection.exhibits import ExhibitScreen
from ipfed.nodes.detection.current import current_screener
from ipfed.nodes.rights.models import Trademark


@dataclass(frozen=True)
class Resemblance:
    """A registered trademark that a screened name looks like."""

    right_id: str
    number: str
    name: str
    holder: str
    nice_class: int
    text: str  # the part of the screened name that looks like the trademark
    score: float  # 0-100
    reasons: tuple[str, ...] = ()  # the trademark detector's, when it found the resemblance


# name, Nice class, seller's name, seller's credit code -> what the name imitates
Screen = Callable[[str, int, str, str], list[Resemblance]]


def trademark_screen(*, db: Session, on: date) -> Screen:
    """Screen names against the registered trademarks in force ``on`` that day. The
    node's current screener is taken once per screen, on first use."""
    exhibits: ExhibitScreen | None = None

    def screen(name: str, nice_class: int, seller: str, seller_uscc: str) -> list[Resemblance]:
        nonlocal exhibits
        if exhibits is None:
            exhibits = ExhibitScreen(current_screener(db=db).trademarks, on)
        found = exhibits.screen(name, nice_class, seller, seller_uscc)
        numbers = [r.mark.right_id for r in found]  # the node's register names marks by number
        query = select(Trademark.number, Trademark.id).where(Trademark.number.in_(numbers))
        ids = {number: right_id for number, right_id in db.execute(query)} if numbers else {}
        return [
            Resemblance(
                ids[r.mark.right_id],
                r.mark.right_id,
                r.mark.name,
                r.mark.holder,
                r.nice_class,
                r.text,
                r.score,
                r.reasons,
            )
            for r in found
        ]

    return screen
