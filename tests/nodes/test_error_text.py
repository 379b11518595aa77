"""Errors logged or stored by the node do not quote the values of a statement."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipfed.nodes.database.core import error_text
from ipfed.nodes.participants.models import Participant

NAME = "上海回力鞋业有限公司"
USCC = "91310115MA1FL3QX0F"


def test_a_database_error_does_not_quote_the_row(db: Session) -> None:
    db.add(Participant(name="某贸易公司", uscc=USCC))
    db.flush()
    with pytest.raises(IntegrityError) as caught, db.begin_nested():
        db.add(Participant(name=NAME, uscc=USCC, registered_address="上海市杨浦区"))
        db.flush()
    stored = error_text(caught.value)
    assert stored.startswith("database error (") and "participants" in stored
    for value in (NAME, USCC, "上海市杨浦区"):
        assert value not in stored
        # SQLAlchemy's own message leaves the parameters out as well (hide_parameters).
        assert f"'{value}'" not in str(caught.value).split("[SQL:")[-1]


def test_other_errors_keep_their_message() -> None:
    assert error_text(ValueError("no listings in scope")) == "no listings in scope"
