"""The ``cron(...)`` expressions of rotation schedules: grammar, checks and next firing (SPEC H5).

Six fields, ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``, as EventBridge writes
them, with Secrets Manager's limits: Minutes is 0, Year is ``*``, exactly one of the day fields
is ``?``, windows start at least four hours apart and the expression fires every year. Pure
logic, all in UTC; the schedule rules built on it are in :mod:`.schedule`.
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Final

from ..clock import to_utc
from ..errors import AwsError, invalid_parameter

__all__ = ["MIN_INTERVAL_HOURS", "YEAR_CYCLE", "CronExpression", "is_cron", "parse_cron", "rule_error"]

_UTC: Final = timezone.utc
_HOUR: Final = timedelta(hours=1)
_DAY: Final = timedelta(days=1)

#: SPEC H4/H5/H8: no rotation more often than every four hours.
MIN_INTERVAL_HOURS: Final = 4

_CRON: Final = re.compile(r"cron\((.*)\)", re.IGNORECASE | re.DOTALL)

_MONTH_NAMES: Final[Mapping[str, int]] = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
#: SPEC H5: 1 = SUN (the seed's ``2#1`` is "the first Monday").
_DAY_NAMES: Final[Mapping[str, int]] = {
    name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)
}
_NO_NAMES: Final[Mapping[str, int]] = {}

_CRON_HELP: Final = (
    "Use cron(Minutes Hours Day-of-month Month Day-of-week Year) with Minutes 0, Year *, and "
    "? in exactly one of Day-of-month and Day-of-week, for example cron(0 4/12 * * ? *)"
)


def rule_error(what: str, expression: str, problem: str, help_text: str) -> AwsError:
    """InvalidParameterException naming the rule, what is wrong and how to write it (SPEC H5)."""
    return invalid_parameter(f"Invalid {what} '{expression}': {problem}. {help_text}.")


# ---------------------------------------------------------------------------------------------
# cron()
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    """Grammar of one numeric cron field (SPEC H5 table)."""

    label: str
    low: int
    high: int
    names: Mapping[str, int]
    allowed: str


_HOURS: Final = _Field("Hours", 0, 23, _NO_NAMES, "0-23 with , - * and / (for example 4/12 or /8)")
_DOM: Final = _Field(
    "Day-of-month",
    1,
    31,
    _NO_NAMES,
    "1-31, L (last day) or DAYL (for example SUNL, the last Sunday) with , - * ? and /",
)
_MONTHS: Final = _Field("Month", 1, 12, _MONTH_NAMES, "1-12 or JAN-DEC with , - * and /")
_DOW: Final = _Field(
    "Day-of-week",
    1,
    7,
    _DAY_NAMES,
    "1-7 or SUN-SAT (1 = SUN) with # (for example TUE#3), , - * ? / and L",
)

_LAST_WEEKDAY: Final = re.compile(r"([0-9]+|[A-Za-z]+)L", re.IGNORECASE)


class _CronSyntax(Exception):
    """Internal: one problem in a cron expression, turned into an AwsError by :func:`parse_cron`."""


def _value(token: str, spec: _Field) -> int:
    """One number or name of ``spec``'s field, range-checked."""
    if token.isdigit():
        number = int(token)
    elif token.upper() in spec.names:
        number = spec.names[token.upper()]
    else:
        kind = "value" if not token.isalpha() or not spec.names else "name"
        raise _CronSyntax(f"{spec.label} {kind} '{token}' is not valid; use {spec.allowed}")
    if not spec.low <= number <= spec.high:
        raise _CronSyntax(f"{spec.label} value '{token}' is out of range; use {spec.allowed}")
    return number


def _range(text: str, spec: _Field) -> tuple[int, int]:
    first_text, _, last_text = text.partition("-")
    first, last = _value(first_text, spec), _value(last_text, spec)
    if first > last:
        raise _CronSyntax(
            f"{spec.label} range '{text}' runs backwards; write it low-high or list the values with commas"
        )
    return first, last


def _plain_item(item: str, spec: _Field) -> frozenset[int]:
    """``*``, ``N``, ``A-B``, ``A/S``, ``/S``, ``*/S`` or ``A-B/S`` as a set of values."""
    if "/" in item:
        base, _, step_text = item.partition("/")
        if not step_text.isdigit() or int(step_text) < 1:
            raise _CronSyntax(
                f"{spec.label} increment '{item}' needs a positive whole number after /; use {spec.allowed}"
            )
        step = int(step_text)
        # SPEC H5: "/8" with no start counts from the field's first value ("every eight hours
        # starting at midnight").
        if base in ("", "*"):
            first, last = spec.low, spec.high
        elif "-" in base:
            first, last = _range(base, spec)
        else:
            first, last = _value(base, spec), spec.high
        return frozenset(range(first, last + 1, step))
    if item == "*":
        return frozenset(range(spec.low, spec.high + 1))
    if "-" in item:
        first, last = _range(item, spec)
        return frozenset(range(first, last + 1))
    return frozenset({_value(item, spec)})


def _items(text: str, spec: _Field) -> list[str]:
    items = text.split(",")
    if any(not item for item in items):
        raise _CronSyntax(f"{spec.label} field '{text}' has an empty list item; use {spec.allowed}")
    return items


def _weekday_of(token: str, spec: _Field, item: str) -> int:
    """The weekday in ``DAYL`` or ``DAY#n`` (1-7 or SUN-SAT, whichever field it is in)."""
    upper = token.upper()
    if token.isdigit() and 1 <= int(token) <= 7:
        return int(token)
    if upper in _DAY_NAMES:
        return _DAY_NAMES[upper]
    raise _CronSyntax(
        f"{spec.label} '{item}' does not start with a weekday; DAYL and DAY#n take 1-7 or "
        "SUN-SAT (1 = SUN), for example SUNL or TUE#3"
    )


@dataclass(frozen=True, slots=True)
class CronExpression:
    """A parsed Secrets Manager ``cron()`` expression (SPEC H5).

    Day matching is the union of the sets below; the field that holds ``?`` contributes nothing.
    Weekdays are numbered 1 = SUN ... 7 = SAT.
    """

    #: Hours of the day at which windows start, ascending. Increments restart each day (SPEC H5).
    hours: tuple[int, ...]
    months: frozenset[int]
    #: Plain days of the month (Day-of-month field).
    days_of_month: frozenset[int]
    #: ``L`` in Day-of-month: the last day of the month.
    last_day_of_month: bool
    #: ``DAYL`` (either day field): the last such weekday of the month.
    last_weekdays: frozenset[int]
    #: Plain weekdays (Day-of-week field; ``L`` alone there is 7 = SAT, the last day of the week).
    days_of_week: frozenset[int]
    #: ``DAY#n``: (weekday, n) for the n-th such weekday of the month.
    nth_weekdays: frozenset[tuple[int, int]]

    @property
    def min_gap_hours(self) -> int:
        """Smallest gap between consecutive window starts, including across midnight (SPEC H5)."""
        hours = self.hours
        if len(hours) == 1:
            return 24
        gaps = [b - a for a, b in itertools.pairwise(hours)]
        gaps.append(hours[0] + 24 - hours[-1])
        return min(gaps)

    @property
    def in_hours(self) -> bool:
        """True when the cron fires at more than one hour of the day (a schedule "in hours")."""
        return len(self.hours) > 1

    def matches_day(self, day: date) -> bool:
        """Whether windows open on ``day`` (UTC)."""
        if day.month not in self.months:
            return False
        if day.day in self.days_of_month:
            return True
        weekday = day.isoweekday() % 7 + 1  # isoweekday: MON=1..SUN=7 -> cron SUN=1..SAT=7
        if weekday in self.days_of_week:
            return True
        if self.nth_weekdays and (weekday, (day.day - 1) // 7 + 1) in self.nth_weekdays:
            return True
        if self.last_day_of_month or self.last_weekdays:
            days_in_month = calendar.monthrange(day.year, day.month)[1]
            if self.last_day_of_month and day.day == days_in_month:
                return True
            if weekday in self.last_weekdays and day.day + 7 > days_in_month:
                return True
        return False

    def matches(self, moment: datetime) -> bool:
        """Whether a window starts exactly at ``moment`` (naive means UTC)."""
        moment = to_utc(moment)
        return (
            moment.minute == 0
            and moment.second == 0
            and moment.microsecond == 0
            and moment.hour in self.hours
            and self.matches_day(moment.date())
        )

    def next_day(self, day: date, *, limit_days: int = 800) -> date | None:
        """The first matching day on or after ``day`` within ``limit_days``, or None."""
        end = day + timedelta(days=limit_days)
        months = self.months
        while day <= end:
            if day.month not in months:
                # Skip the whole month at once (cheap for e.g. every 11 months).
                if day.month == 12:
                    day = date(day.year + 1, 1, 1)
                else:
                    day = date(day.year, day.month + 1, 1)
                continue
            if self.matches_day(day):
                return day
            day += _DAY
        return None

    def next_start(self, after: datetime) -> datetime:
        """The first window start strictly after ``after`` (aware UTC result)."""
        after = to_utc(after)
        candidate = after.replace(minute=0, second=0, microsecond=0) + _HOUR
        day, from_hour = candidate.date(), candidate.hour
        if self.matches_day(day):
            for hour in self.hours:
                if hour >= from_hour:
                    return datetime.combine(day, time(hour), _UTC)
        # parse_cron guarantees a firing in every calendar year, so ~731 days always suffice.
        found = self.next_day(day + _DAY)
        if found is None:  # pragma: no cover - excluded by validation
            raise ValueError(f"cron expression {self!r} does not fire within two years")
        return datetime.combine(found, time(self.hours[0]), _UTC)


def _parse_day_field(
    text: str, spec: _Field, is_dow: bool
) -> tuple[frozenset[int], bool, frozenset[int], frozenset[tuple[int, int]]]:
    """Parse Day-of-month or Day-of-week: (plain values, L, DAYL weekdays, DAY#n pairs)."""
    values: set[int] = set()
    last = False
    last_weekdays: set[int] = set()
    nth: set[tuple[int, int]] = set()
    for item in _items(text, spec):
        upper = item.upper()
        if upper == "L":
            if is_dow:
                values.add(7)  # SPEC H5: L in Day-of-week is the last day of the week (SAT).
            else:
                last = True
        elif "#" in item:
            if not is_dow:
                raise _CronSyntax(f"{spec.label} does not accept '#' ('{item}'); use {spec.allowed}")
            day_text, _, n_text = item.partition("#")
            weekday = _weekday_of(day_text, spec, item)
            if not n_text.isdigit() or not 1 <= int(n_text) <= 5:
                raise _CronSyntax(
                    f"{spec.label} '{item}' needs a week number 1-5 after # (for example TUE#3, the third Tuesday)"
                )
            nth.add((weekday, int(n_text)))
        elif (match := _LAST_WEEKDAY.fullmatch(item)) is not None:
            last_weekdays.add(_weekday_of(match.group(1), spec, item))
        else:
            values |= _plain_item(item, spec)
    return frozenset(values), last, frozenset(last_weekdays), frozenset(nth)


YEAR_CYCLE: Final = range(2001, 2029)  # one 28-year cycle: all 14 calendar year types


def _first_year_without_firing(cron: CronExpression) -> int | None:
    """A year (of a full calendar cycle) in which ``cron`` never fires, or None."""
    for year in YEAR_CYCLE:
        found = cron.next_day(date(year, 1, 1), limit_days=364 + calendar.isleap(year))
        if found is None or found.year != year:
            return year
    return None


@lru_cache(maxsize=512)
def _parse_cron_body(body: str) -> CronExpression:
    fields = body.split()
    if len(fields) != 6:
        raise _CronSyntax(f"it has {len(fields)} fields, but needs exactly 6")
    minutes, hours_text, dom_text, month_text, dow_text, year = fields
    # SPEC H5: windows start on the hour, and schedules may not be more than a year apart.
    if not minutes.isdigit() or int(minutes) != 0:
        raise _CronSyntax(f"Minutes must be 0 (got '{minutes}') because rotation windows start on the hour")
    if year != "*":
        raise _CronSyntax(f"Year must be * (got '{year}') because rotation schedules can't be more than a year apart")
    if dom_text == "?" and dow_text == "?":
        raise _CronSyntax("Day-of-month and Day-of-week are both ?; set exactly one of them and put ? in the other")
    if dom_text != "?" and dow_text != "?":
        raise _CronSyntax(f"Day-of-month '{dom_text}' and Day-of-week '{dow_text}' are both set; put ? in one of them")
    hours: set[int] = set()
    for item in _items(hours_text, _HOURS):
        hours |= _plain_item(item, _HOURS)
    months: set[int] = set()
    for item in _items(month_text, _MONTHS):
        months |= _plain_item(item, _MONTHS)
    empty: tuple[frozenset[int], bool, frozenset[int], frozenset[tuple[int, int]]] = (
        frozenset(),
        False,
        frozenset(),
        frozenset(),
    )
    dom = empty if dom_text == "?" else _parse_day_field(dom_text, _DOM, is_dow=False)
    dow = empty if dow_text == "?" else _parse_day_field(dow_text, _DOW, is_dow=True)
    cron = CronExpression(
        hours=tuple(sorted(hours)),
        months=frozenset(months),
        days_of_month=dom[0],
        last_day_of_month=dom[1],
        last_weekdays=dom[2] | dow[2],
        days_of_week=dow[0],
        nth_weekdays=dow[3],
    )
    # SPEC H5/H8: at most every four hours, also from the last hour of a day to the first of
    # the next (increments restart each day, so cron(0 0/5 ...) fires 20:00 then 00:00).
    if cron.min_gap_hours < MIN_INTERVAL_HOURS:
        raise _CronSyntax(
            f"Hours '{hours_text}' starts windows {cron.min_gap_hours} hour(s) apart (hours "
            f"{','.join(map(str, cron.hours))}, counting across midnight); Secrets Manager can "
            "rotate at most every 4 hours"
        )
    # SPEC H5: "none more than a year apart". Decision: reject a cron that skips a whole
    # calendar year (Feb 30, or Feb 29 which only fires in leap years); this also guarantees
    # next_start() finds a window within two years.
    missing = _first_year_without_firing(cron)
    if missing is not None:
        raise _CronSyntax(
            f"it never fires in some years (for example {missing}); Secrets Manager does not "
            "support rotation schedules more than a year apart"
        )
    return cron


def is_cron(expression: str) -> bool:
    """True when ``expression`` (stripped) has the form ``cron(...)``."""
    return _CRON.fullmatch(expression) is not None


def parse_cron(expression: str) -> CronExpression:
    """Parse and validate a whole ``cron(...)`` expression (SPEC H5).

    Raises ``InvalidParameterException`` (SPEC H5 recommendation) naming what is wrong.
    """
    match = _CRON.fullmatch(expression.strip())
    if match is None:
        raise rule_error("ScheduleExpression", expression, "it is not a cron() expression", _CRON_HELP)
    try:
        return _parse_cron_body(match.group(1))
    except _CronSyntax as exc:
        raise rule_error("ScheduleExpression", expression, str(exc), _CRON_HELP) from None
