"""What each region files upward and by when: filing kinds, their periods, and a
configurable calendar of deadlines per jurisdiction.

The default calendar is the national plan's (implementation plan by 15 March,
work summary by 1 December, a monthly progress report); a region's own entries
replace the default deadline of the same kind and add new kinds (Shanghai: plan
by 7 April, semi-annual summary by 15 June, annual summary by 15 November).
A node reads ``DATA_DIR/filing-calendar.toml`` when it exists.
"""

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import ConfigurationError, InvalidInput
from ipfed.registry.identifiers import RegionCode

# Periods are the offices' own: calendar months and years in China Standard Time.
CHINA = timezone(timedelta(hours=8), "CST")
CALENDAR_FILE = "filing-calendar.toml"


class FilingKind(StrEnum):
    IMPLEMENTATION_PLAN = "implementation_plan"
    SEMIANNUAL_SUMMARY = "semiannual_summary"
    ANNUAL_SUMMARY = "annual_summary"
    MONTHLY_REPORT = "monthly_report"


class Granularity(StrEnum):
    YEAR = "year"
    HALF = "half"
    MONTH = "month"


GRANULARITY = {
    FilingKind.IMPLEMENTATION_PLAN: Granularity.YEAR,
    FilingKind.SEMIANNUAL_SUMMARY: Granularity.HALF,
    FilingKind.ANNUAL_SUMMARY: Granularity.YEAR,
    FilingKind.MONTHLY_REPORT: Granularity.MONTH,
}
KIND_NAMES = {
    FilingKind.IMPLEMENTATION_PLAN: "实施方案",
    FilingKind.SEMIANNUAL_SUMMARY: "半年工作总结",
    FilingKind.ANNUAL_SUMMARY: "年度工作总结",
    FilingKind.MONTHLY_REPORT: "月度工作进展",
}

_PERIOD = re.compile(r"^(\d{4})(?:-H([12])|-(0[1-9]|1[0-2]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A year (``2024``), a half year (``2024-H1``) or a month (``2024-03``)."""

    year: int
    half: int = 0
    month: int = 0

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _PERIOD.match(text.strip())
        if match is None or not 2000 <= int(match[1]) <= 2999:
            raise InvalidInput(
                f"{text!r} is not a period such as 2024, 2024-H1 or 2024-03", code="bad_period"
            )
        return cls(int(match[1]), int(match[2] or 0), int(match[3] or 0))

    @classmethod
    def of(cls, granularity: Granularity, day: date) -> "Period":
        """The period of ``granularity`` that contains ``day``."""
        if granularity is Granularity.MONTH:
            return cls(day.year, month=day.month)
        if granularity is Granularity.HALF:
            return cls(day.year, half=1 if day.month <= 6 else 2)
        return cls(day.year)

    @property
    def granularity(self) -> Granularity:
        if self.month:
            return Granularity.MONTH
        return Granularity.HALF if self.half else Granularity.YEAR

    def __str__(self) -> str:
        if self.month:
            return f"{self.year}-{self.month:02d}"
        return f"{self.year}-H{self.half}" if self.half else str(self.year)

    @property
    def first_day(self) -> date:
        if self.month:
            return date(self.year, self.month, 1)
        return date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> date:
        """The day after the period."""
        return self.next().first_day

    def next(self) -> "Period":
        if self.month:
            return Period(self.year + self.month // 12, month=self.month % 12 + 1)
        if self.half:
            return Period(self.year + self.half // 2, half=self.half % 2 + 1)
        return Period(self.year + 1)

    def previous(self) -> "Period":
        if self.month:
            return Period(self.year - (self.month == 1), month=(self.month - 2) % 12 + 1)
        if self.half:
            return Period(self.year - (self.half == 1), half=3 - self.half)
        return Period(self.year - 1)

    def window(self) -> tuple[datetime, datetime]:
        """The period as an interval of aware times, [start, end)."""
        return _midnight(self.first_day), _midnight(self.end)

    def label(self) -> str:
        if self.month:
            return f"{self.year}年{self.month}月"
        return (
            f"{self.year}年{'上' if self.half == 1 else '下'}半年"
            if self.half
            else f"{self.year}年"
        )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA)


def check_period(kind: FilingKind, period: Period) -> None:
    if period.granularity is not GRANULARITY[kind]:
        raise InvalidInput(
            f"a {kind} covers a {GRANULARITY[kind]}, not {period}", code="bad_period"
        )


class Deadline(BaseModel):
    """When one kind of filing is due: ``due`` (MM-DD) in the period's year for yearly
    and half-yearly kinds (a half-yearly deadline names its half), or ``day`` of the
    month after the period for monthly reports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FilingKind
    due: str | None = Field(default=None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
    day: int | None = Field(default=None, ge=1, le=28)

    @model_validator(mode="after")
    def _one_rule(self) -> Self:
        monthly = GRANULARITY[self.kind] is Granularity.MONTH
        if monthly != (self.day is not None) or monthly == (self.due is not None):
            raise ValueError("monthly reports have a day, other kinds a due date (MM-DD)")
        if self.due is not None:
            date(2024, *map(int, self.due.split("-")))  # a real day, leap years included
        return self

    def _due_in(self, year: int) -> date:
        assert self.due is not None
        month, day = map(int, self.due.split("-"))
        return date(year, month, min(day, 28) if (month, day) == (2, 29) else day)

    def periods(self, year: int) -> list[Period]:
        """The periods of ``year`` this deadline applies to."""
        granularity = GRANULARITY[self.kind]
        if granularity is Granularity.MONTH:
            return [Period(year, month=m) for m in range(1, 13)]
        return [Period.of(granularity, self._due_in(year))]

    def due_date(self, period: Period) -> date | None:
        """When ``period``'s filing is due (None: this deadline asks for none)."""
        if period.granularity is not GRANULARITY[self.kind]:
            return None
        if self.day is not None:
            return period.end.replace(day=self.day)
        due = self._due_in(period.year)
        return due if Period.of(period.granularity, due) == period else None


class Calendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    due_soon_days: int = Field(default=14, ge=0, le=90)
    default: list[Deadline]
    regions: dict[RegionCode, list[Deadline]] = {}

    @model_validator(mode="after")
    def _one_deadline_per_kind(self) -> Self:
        for where, deadlines in [("default", self.default), *self.regions.items()]:
            kinds = [d.kind for d in deadlines]
            if len(kinds) != len(set(kinds)):
                raise ValueError(f"{where}: one deadline per kind")
        return self

    def deadlines(self, region: str) -> dict[FilingKind, Deadline]:
        merged = {d.kind: d for d in self.default}
        merged.update({d.kind: d for d in self.regions.get(region, [])})
        return merged

    def due_date(self, region: str, kind: FilingKind, period: Period) -> date | None:
        deadline = self.deadlines(region).get(kind)
        return deadline.due_date(period) if deadline else None

    def obligations(self, region: str, year: int) -> list["Obligation"]:
        """Every filing ``region`` owes for periods of ``year``, by due date."""
        found = [
            Obligation(region, kind, period, due)
            for kind, deadline in self.deadlines(region).items()
            for period in deadline.periods(year)
            if (due := deadline.due_date(period)) is not None
        ]
        return sorted(found, key=lambda o: (o.due, o.kind))

    @classmethod
    def load(cls, path: Path) -> "Calendar":
        try:
            return cls.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
            raise ConfigurationError(
                f"{path}: not a filing calendar: {exc}", code="bad_calendar"
            ) from None


DEFAULT_CALENDAR = Calendar(
    default=[
        Deadline(kind=FilingKind.IMPLEMENTATION_PLAN, due="03-15"),
        Deadline(kind=FilingKind.ANNUAL_SUMMARY, due="12-01"),
        Deadline(kind=FilingKind.MONTHLY_REPORT, day=5),
    ],
    regions={
        "310000": [
            Deadline(kind=FilingKind.IMPLEMENTATION_PLAN, due="04-07"),
            Deadline(kind=FilingKind.SEMIANNUAL_SUMMARY, due="06-15"),
            Deadline(kind=FilingKind.ANNUAL_SUMMARY, due="11-15"),
        ]
    },
)


def node_calendar(settings: NodeSettings) -> Calendar:
    path = settings.data_dir / CALENDAR_FILE
    return Calendar.load(path) if path.exists() else DEFAULT_CALENDAR


class Standing(StrEnum):
    FILED = "filed"
    FILED_LATE = "filed_late"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    UPCOMING = "upcoming"


REMINDED = frozenset({Standing.OVERDUE, Standing.DUE_SOON})


@dataclass(frozen=True)
class Obligation:
    region: str
    kind: FilingKind
    period: Period
    due: date

    def standing(self, filed_on: date | None, today: date, due_soon_days: int) -> Standing:
        """Where the obligation stands on ``today``, given when it was first filed."""
        if filed_on is not None:
            return Standing.FILED if filed_on <= self.due else Standing.FILED_LATE
        if today > self.due:
            return Standing.OVERDUE
        if (self.due - today).days <= due_soon_days:
            return Standing.DUE_SOON
        return Standing.UPCOMING


def china_today(now: datetime) -> date:
    return now.astimezone(CHINA).date()
