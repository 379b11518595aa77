"""Periods, deadlines and where a filing stands, under the national and Shanghai calendars."""

from datetime import date
from pathlib import Path

import pytest

from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import ConfigurationError, InvalidInput
from ipfed.nodes.filings.calendar import (
    DEFAULT_CALENDAR,
    Calendar,
    FilingKind,
    Obligation,
    Period,
    Standing,
    node_calendar,
)

PLAN, SEMI, ANNUAL, MONTHLY = FilingKind


def test_periods_parse_print_and_step() -> None:
    assert str(Period.parse("2024-03")) == "2024-03"
    assert Period.parse("2024-01").previous() == Period.parse("2023-12")
    assert Period.parse("2024-12").next() == Period.parse("2025-01")
    assert Period.parse("2024-H1").previous() == Period.parse("2023-H2")
    assert Period.parse("2024-H2").end == date(2025, 1, 1)
    assert Period.parse("2024").previous() == Period.parse("2023")
    start, end = Period.parse("2024-03").window()
    assert (start.isoformat(), end.isoformat()) == (
        "2024-03-01T00:00:00+08:00",
        "2024-04-01T00:00:00+08:00",
    )
    for bad in ("2024-13", "2024-H3", "24-03", "2024-3", "March"):
        with pytest.raises(InvalidInput) as caught:
            Period.parse(bad)
        assert caught.value.code == "bad_period"


def test_the_national_calendar_applies_to_every_other_province() -> None:
    due = {(o.kind, str(o.period)): o.due for o in DEFAULT_CALENDAR.obligations("440000", 2024)}
    assert due[(PLAN, "2024")] == date(2024, 3, 15)
    assert due[(ANNUAL, "2024")] == date(2024, 12, 1)
    assert due[(MONTHLY, "2024-03")] == date(2024, 4, 5)
    assert due[(MONTHLY, "2024-12")] == date(2025, 1, 5)  # into the next year
    assert (SEMI, "2024-H1") not in due
    assert len(due) == 2 + 12


def test_shanghai_replaces_the_national_deadlines_and_adds_a_semiannual_summary() -> None:
    due = {(o.kind, str(o.period)): o.due for o in DEFAULT_CALENDAR.obligations("310000", 2024)}
    assert due[(PLAN, "2024")] == date(2024, 4, 7)
    assert due[(SEMI, "2024-H1")] == date(2024, 6, 15)
    assert due[(ANNUAL, "2024")] == date(2024, 11, 15)
    assert due[(MONTHLY, "2024-06")] == date(2024, 7, 5)  # inherited from the default
    assert (SEMI, "2024-H2") not in due
    assert DEFAULT_CALENDAR.due_date("310000", SEMI, Period.parse("2024-H2")) is None
    assert DEFAULT_CALENDAR.due_date("110000", SEMI, Period.parse("2024-H1")) is None


@pytest.mark.parametrize(
    ("filed_on", "today", "expected"),
    [
        (None, date(2024, 2, 1), Standing.UPCOMING),
        (None, date(2024, 3, 1), Standing.DUE_SOON),  # 14 days before
        (None, date(2024, 3, 15), Standing.DUE_SOON),  # on the day
        (None, date(2024, 3, 16), Standing.OVERDUE),
        (date(2024, 3, 15), date(2024, 5, 1), Standing.FILED),
        (date(2024, 3, 16), date(2024, 5, 1), Standing.FILED_LATE),
    ],
)
def test_standing(filed_on: date | None, today: date, expected: Standing) -> None:
    plan = Obligation("440000", PLAN, Period.parse("2024"), date(2024, 3, 15))
    assert plan.standing(filed_on, today, due_soon_days=14) is expected


def test_the_same_day_stands_differently_under_each_calendar() -> None:
    today = date(2024, 3, 20)
    national = next(o for o in DEFAULT_CALENDAR.obligations("440000", 2024) if o.kind is PLAN)
    plan = next(o for o in DEFAULT_CALENDAR.obligations("310000", 2024) if o.kind is PLAN)
    assert national.standing(None, today, 14) is Standing.OVERDUE
    assert plan.standing(None, today, 14) is Standing.UPCOMING
    assert plan.standing(None, date(2024, 3, 24), 14) is Standing.DUE_SOON


def test_a_node_reads_its_calendar_file(settings: NodeSettings) -> None:
    assert node_calendar(settings) is DEFAULT_CALENDAR
    (settings.data_dir / "filing-calendar.toml").write_text(
        "due_soon_days = 3\n"
        '[[default]]\nkind = "monthly_report"\nday = 10\n'
        '[[regions.330000]]\nkind = "annual_summary"\ndue = "12-20"\n',
        encoding="utf-8",
    )
    calendar = node_calendar(settings)
    assert calendar.due_soon_days == 3
    assert calendar.due_date("110000", MONTHLY, Period.parse("2024-02")) == date(2024, 3, 10)
    assert calendar.due_date("330000", ANNUAL, Period.parse("2024")) == date(2024, 12, 20)
    assert calendar.due_date("110000", ANNUAL, Period.parse("2024")) is None


@pytest.mark.parametrize(
    "text",
    [
        '[[default]]\nkind = "monthly_report"\ndue = "03-15"\n',  # monthly needs a day
        '[[default]]\nkind = "annual_summary"\ndue = "02-30"\n',  # no such day
        '[[default]]\nkind = "annual_summary"\ndue = "12-01"\n'
        '[[default]]\nkind = "annual_summary"\ndue = "11-01"\n',  # twice
        '[[regions.999999]]\nkind = "annual_summary"\ndue = "12-01"\ndefault = []\n',
        "not toml [",
    ],
)
def test_a_bad_calendar_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        Calendar.load(path)
    assert caught.value.code == "bad_calendar"
