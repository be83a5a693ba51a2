"""Rotation schedules: ``RotationRules`` validation and rotation-window arithmetic (SPEC H2-H8).

Pure logic: no botocore, no JSON, no I/O. Everything is UTC (SPEC H5).

Three ways to say how often a secret rotates:

* ``AutomaticallyAfterDays=N`` and ``rate(N days)``: the window opens at 00:00 UTC, N days
  after the day of the previous rotation, and by default lasts until the end of that UTC day.
* ``rate(N hours)``: the window opens N hours after the previous rotation, rounded up to the
  next whole hour (windows always start on the hour, SPEC H7), and by default lasts 1 hour.
* ``cron(0 Hours Day-of-month Month Day-of-week *)``: the window opens at the next matching hour.
  A cron that fires at more than one hour of the day is a schedule "in hours" (default window
  1 hour); one that fires at a single hour is a schedule "in days" (default window until the end
  of the UTC day) (SPEC H6).

"The previous rotation" is whatever the caller passes as ``after``; per SPEC H23 a value written
by hand while rotation is enabled counts as a rotation, so callers pass the later of the two.
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Final, Literal

from sm_mock.errors import AwsError, invalid_parameter

__all__ = [
    "CronExpression",
    "RotationSchedule",
    "parse_cron",
    "parse_rotation_rules",
    "rotation_schedule_from_wire",
]

_UTC: Final = timezone.utc
_HOUR: Final = timedelta(hours=1)
_DAY: Final = timedelta(days=1)

#: SPEC H3/H4: the AutomaticallyAfterDays field allows 1-1000, ``rate()`` at most 999 days.
_MIN_AFTER_DAYS: Final = 1
_MAX_AFTER_DAYS: Final = 1000
_MAX_RATE_DAYS: Final = 999
#: SPEC H4/H5/H8: no rotation more often than every four hours.
_MIN_INTERVAL_HOURS: Final = 4
_MAX_RATE_HOURS: Final = _MAX_RATE_DAYS * 24

#: [MODEL] ScheduleExpressionType: pattern and length 1-256 (SPEC H5).
_EXPRESSION_CHARS: Final = re.compile(r"[0-9A-Za-z()#?*\-/, ]+")
_MAX_EXPRESSION_LEN: Final = 256
#: [MODEL] DurationType: pattern ``[0-9]+h``, 2-3 characters, so 1h-99h (SPEC H6).
_DURATION: Final = re.compile(r"([0-9]{1,2})h")

_RATE: Final = re.compile(r"rate\((.*)\)", re.IGNORECASE | re.DOTALL)
_CRON: Final = re.compile(r"cron\((.*)\)", re.IGNORECASE | re.DOTALL)
_RATE_BODY: Final = re.compile(r"\s*([0-9]+)\s+([A-Za-z]+)\s*")

_MONTH_NAMES: Final[Mapping[str, int]] = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
#: SPEC H5: 1 = SUN (the seed's ``2#1`` is "the first Monday").
_DAY_NAMES: Final[Mapping[str, int]] = {
    name: number
    for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)
}
_NO_NAMES: Final[Mapping[str, int]] = {}

_RATE_HELP: Final = (
    "Use rate(Value Unit) where Value is a positive integer and Unit is hour, hours, day or "
    "days, from rate(4 hours) up to rate(999 days)"
)
_CRON_HELP: Final = (
    "Use cron(Minutes Hours Day-of-month Month Day-of-week Year) with Minutes 0, Year *, and "
    "? in exactly one of Day-of-month and Day-of-week, for example cron(0 4/12 * * ? *)"
)


def _error(what: str, expression: str, problem: str, help_text: str) -> AwsError:
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
            f"{spec.label} range '{text}' runs backwards; write it low-high or list the values "
            "with commas"
        )
    return first, last


def _plain_item(item: str, spec: _Field) -> frozenset[int]:
    """``*``, ``N``, ``A-B``, ``A/S``, ``/S``, ``*/S`` or ``A-B/S`` as a set of values."""
    if "/" in item:
        base, _, step_text = item.partition("/")
        if not step_text.isdigit() or int(step_text) < 1:
            raise _CronSyntax(
                f"{spec.label} increment '{item}' needs a positive whole number after /; "
                f"use {spec.allowed}"
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
        moment = _as_utc(moment)
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
        after = _as_utc(after)
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
                raise _CronSyntax(
                    f"{spec.label} does not accept '#' ('{item}'); use {spec.allowed}"
                )
            day_text, _, n_text = item.partition("#")
            weekday = _weekday_of(day_text, spec, item)
            if not n_text.isdigit() or not 1 <= int(n_text) <= 5:
                raise _CronSyntax(
                    f"{spec.label} '{item}' needs a week number 1-5 after # "
                    "(for example TUE#3, the third Tuesday)"
                )
            nth.add((weekday, int(n_text)))
        elif (match := _LAST_WEEKDAY.fullmatch(item)) is not None:
            last_weekdays.add(_weekday_of(match.group(1), spec, item))
        else:
            values |= _plain_item(item, spec)
    return frozenset(values), last, frozenset(last_weekdays), frozenset(nth)


_YEAR_TYPE_SAMPLE: Final = range(2001, 2029)  # one 28-year cycle: all 14 calendar year types


def _first_year_without_firing(cron: CronExpression) -> int | None:
    """A year (of a full calendar cycle) in which ``cron`` never fires, or None."""
    for year in _YEAR_TYPE_SAMPLE:
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
        raise _CronSyntax(
            f"Minutes must be 0 (got '{minutes}') because rotation windows start on the hour"
        )
    if year != "*":
        raise _CronSyntax(
            f"Year must be * (got '{year}') because rotation schedules can't be more than a year "
            "apart"
        )
    if dom_text == "?" and dow_text == "?":
        raise _CronSyntax(
            "Day-of-month and Day-of-week are both ?; set exactly one of them and put ? in the "
            "other"
        )
    if dom_text != "?" and dow_text != "?":
        raise _CronSyntax(
            f"Day-of-month '{dom_text}' and Day-of-week '{dow_text}' are both set; put ? in one "
            "of them"
        )
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
    if cron.min_gap_hours < _MIN_INTERVAL_HOURS:
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


def parse_cron(expression: str) -> CronExpression:
    """Parse and validate a whole ``cron(...)`` expression (SPEC H5).

    Raises ``InvalidParameterException`` (SPEC H5 recommendation) naming what is wrong.
    """
    match = _CRON.fullmatch(expression.strip())
    if match is None:
        raise _error("ScheduleExpression", expression, "it is not a cron() expression", _CRON_HELP)
    try:
        return _parse_cron_body(match.group(1))
    except _CronSyntax as exc:
        raise _error("ScheduleExpression", expression, str(exc), _CRON_HELP) from None


# ---------------------------------------------------------------------------------------------
# rate(), Duration, RotationRules
# ---------------------------------------------------------------------------------------------


def _parse_rate(expression: str, body: str) -> tuple[Literal["hours", "days"], int]:
    match = _RATE_BODY.fullmatch(body)
    if match is None:
        raise _error(
            "ScheduleExpression", expression, "rate() needs a value and a unit", _RATE_HELP
        )
    value, unit = int(match.group(1)), match.group(2).lower()
    # SPEC H4: singular/plural agreement is AMBIGUOUS; accept either form with any value.
    if unit in ("hour", "hours"):
        kind: Literal["hours", "days"] = "hours"
    elif unit in ("day", "days"):
        kind = "days"
    else:
        raise _error(
            "ScheduleExpression",
            expression,
            f"unit '{match.group(2)}' is not supported (minutes are too frequent: Secrets "
            "Manager can rotate at most every 4 hours)",
            _RATE_HELP,
        )
    if value < 1:
        raise _error("ScheduleExpression", expression, "the value must be positive", _RATE_HELP)
    hours = value if kind == "hours" else value * 24
    if hours < _MIN_INTERVAL_HOURS:
        raise _error(
            "ScheduleExpression",
            expression,
            "Secrets Manager can rotate at most every 4 hours",
            _RATE_HELP,
        )
    if hours > _MAX_RATE_HOURS:
        raise _error(
            "ScheduleExpression",
            expression,
            "the longest rotation interval is 999 days",
            _RATE_HELP,
        )
    return kind, value


def _parse_duration(duration: object) -> int:
    if not isinstance(duration, str):
        raise invalid_parameter(
            f"RotationRules.Duration must be a string such as '3h', not {type(duration).__name__}."
        )
    match = _DURATION.fullmatch(duration)
    if match is None or int(match.group(1)) < 1:
        raise invalid_parameter(
            f"Invalid RotationRules.Duration '{duration}': use a whole number of hours from 1h "
            "to 99h, for example '3h'."
        )
    return int(match.group(1))


_Kind = Literal["days", "hours", "cron"]


@dataclass(frozen=True, slots=True)
class RotationSchedule:
    """Validated ``RotationRules`` (SPEC H2-H8). Build with :func:`parse_rotation_rules`.

    The three public fields hold what the caller gave, verbatim; constructing the class directly
    validates them the same way.
    """

    automatically_after_days: int | None = None
    schedule_expression: str | None = None
    duration: str | None = None
    _kind: _Kind = field(init=False, repr=False, compare=False)
    #: Days for "days", hours for "hours", 0 for "cron".
    _interval: int = field(init=False, repr=False, compare=False)
    _cron: CronExpression | None = field(init=False, repr=False, compare=False)
    _duration_hours: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        after_days, expression = self.automatically_after_days, self.schedule_expression
        # SPEC H2: one or the other, not both; and a schedule is required.
        if after_days is not None and expression is not None:
            raise invalid_parameter(
                "You can't specify both RotationRules.AutomaticallyAfterDays and "
                "RotationRules.ScheduleExpression; use one of them (ScheduleExpression for a "
                "schedule in hours)."
            )
        if after_days is None and expression is None:
            raise invalid_parameter(
                "RotationRules needs either AutomaticallyAfterDays or ScheduleExpression, for "
                "example {'AutomaticallyAfterDays': 30} or {'ScheduleExpression': "
                "'rate(10 days)'}."
            )
        kind: _Kind
        cron: CronExpression | None = None
        if after_days is not None:
            if isinstance(after_days, bool) or not isinstance(after_days, int):
                raise invalid_parameter(
                    "RotationRules.AutomaticallyAfterDays must be a whole number of days from 1 "
                    "to 1000."
                )
            if not _MIN_AFTER_DAYS <= after_days <= _MAX_AFTER_DAYS:
                raise invalid_parameter(  # exact recorded text, SM-042
                    "RotationRules.AutomaticallyAfterDays must be within 1-1000."
                )
            kind, interval = "days", after_days
        else:
            assert expression is not None
            kind, interval, cron = _parse_expression(expression)
        duration_hours = None if self.duration is None else _parse_duration(self.duration)
        if duration_hours is not None:
            _check_window(kind, interval, cron, duration_hours, self.duration)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_interval", interval)
        object.__setattr__(self, "_cron", cron)
        object.__setattr__(self, "_duration_hours", duration_hours)

    @property
    def cron(self) -> CronExpression | None:
        """The parsed ``cron()`` expression, or None for rate()/AutomaticallyAfterDays."""
        return self._cron

    @property
    def in_hours(self) -> bool:
        """True for a schedule "in hours": ``rate(N hours)``, or a cron with several hours a day."""
        if self._kind == "hours":
            return True
        return self._cron is not None and self._cron.in_hours

    @property
    def duration_hours(self) -> int | None:
        """The explicit Duration in hours, or None when the default window applies."""
        return self._duration_hours

    def next_window(self, after: datetime) -> tuple[datetime, datetime]:
        """(start, end) of the first rotation window whose start is strictly after ``after``.

        ``after`` is the previous rotation (or manual write, SPEC H23); naive means UTC, the
        result is aware UTC. Windows start on the hour (SPEC H7): 00:00 UTC of
        ``after.date() + N days`` for day schedules, ``after + N hours`` rounded up to the hour
        for ``rate(N hours)``, the next matching hour for ``cron()``. The default end is one hour
        later for schedules in hours, the end of the UTC day otherwise; Duration overrides it
        (SPEC H6).
        """
        after = _as_utc(after)
        if self._kind == "days":
            start = datetime.combine(after.date() + timedelta(days=self._interval), time(), _UTC)
        elif self._kind == "hours":
            start = after + timedelta(hours=self._interval)
            if start != start.replace(minute=0, second=0, microsecond=0):
                start = start.replace(minute=0, second=0, microsecond=0) + _HOUR
        else:
            assert self._cron is not None
            start = self._cron.next_start(after)
        if self._duration_hours is not None:
            end = start + timedelta(hours=self._duration_hours)
        elif self.in_hours:
            end = start + _HOUR
        else:
            end = datetime.combine(start.date() + _DAY, time(), _UTC)
        return start, end

    def display_days(self) -> int | None:
        """``AutomaticallyAfterDays`` as DescribeSecret/ListSecrets report it (SPEC H26).

        Rule chosen (the real derivation is AMBIGUOUS): the given AutomaticallyAfterDays; N for
        ``rate(N days)``; N/24 for ``rate(N hours)`` when N is a multiple of 24; for a cron that
        fires once a day on the days it fires, the smallest number of days between two
        consecutive firing days over a full 28-year calendar cycle (``cron(0 16 1,15 * ? *)`` ->
        14, as in the DescribeSecret example; daily -> 1; weekly -> 7); otherwise None.
        """
        if self.automatically_after_days is not None:
            return self.automatically_after_days
        if self._kind == "days":
            return self._interval
        if self._kind == "hours":
            return self._interval // 24 if self._interval % 24 == 0 else None
        assert self._cron is not None
        if self._cron.in_hours:
            return None
        return _min_gap_days(self._cron)

    def to_wire(self) -> dict[str, object]:
        """``RotationRules`` as DescribeSecret returns them: only the keys that were given."""
        wire: dict[str, object] = {}
        if self.automatically_after_days is not None:
            wire["AutomaticallyAfterDays"] = self.automatically_after_days
        if self.schedule_expression is not None:
            wire["ScheduleExpression"] = self.schedule_expression
        if self.duration is not None:
            wire["Duration"] = self.duration
        return wire


def _parse_expression(expression: object) -> tuple[_Kind, int, CronExpression | None]:
    if not isinstance(expression, str):
        raise invalid_parameter(
            "RotationRules.ScheduleExpression must be a string such as 'rate(10 days)' or "
            f"'cron(0 16 1,15 * ? *)', not {type(expression).__name__}."
        )
    # [MODEL] ScheduleExpressionType: 1-256 characters of [0-9A-Za-z()#?*-/, ] (SPEC H5).
    if not 1 <= len(expression) <= _MAX_EXPRESSION_LEN:
        raise invalid_parameter(
            "RotationRules.ScheduleExpression must be 1-256 characters long, for example "
            "'rate(10 days)' or 'cron(0 16 1,15 * ? *)'."
        )
    if _EXPRESSION_CHARS.fullmatch(expression) is None:
        bad = sorted({ch for ch in expression if _EXPRESSION_CHARS.fullmatch(ch) is None})
        raise _error(
            "ScheduleExpression",
            expression,
            f"it contains characters that are not allowed ({''.join(bad)!r}); only letters, "
            "digits, spaces and ( ) # ? * - / , may be used",
            "Use a rate() or cron() expression",
        )
    stripped = expression.strip()
    rate = _RATE.fullmatch(stripped)
    if rate is not None:
        kind, value = _parse_rate(expression, rate.group(1))
        return kind, value, None
    if _CRON.fullmatch(stripped) is not None:
        return "cron", 0, parse_cron(expression)
    raise _error(
        "ScheduleExpression",
        expression,
        "it is neither a rate() nor a cron() expression",
        "Use for example rate(10 days), rate(12 hours) or cron(0 16 1,15 * ? *)",
    )


def _check_window(
    kind: _Kind, interval: int, cron: CronExpression | None, hours: int, duration: object
) -> None:
    """SPEC H6: the window may not reach into the next window or past the end of the UTC day."""
    if kind == "days":
        # Day schedules start at 00:00 UTC (SPEC H7): start hour 0 + duration <= 24.
        if hours > 24:
            raise invalid_parameter(
                f"Invalid RotationRules.Duration '{duration}': a schedule in days starts its "
                "window at 00:00 UTC and the window must end by the end of the UTC day, so use "
                "at most 24h."
            )
    elif kind == "hours":
        if hours > interval:
            raise invalid_parameter(
                f"Invalid RotationRules.Duration '{duration}': the window must not reach into "
                f"the next rotation window {interval} hours later, so use at most {interval}h."
            )
    else:
        assert cron is not None
        if cron.in_hours:
            gap = cron.min_gap_hours
            if hours > gap:
                raise invalid_parameter(
                    f"Invalid RotationRules.Duration '{duration}': windows start as little as "
                    f"{gap} hours apart and a window must not reach into the next one, so use "
                    f"at most {gap}h."
                )
        else:
            start_hour = cron.hours[0]
            if start_hour + hours > 24:
                raise invalid_parameter(
                    f"Invalid RotationRules.Duration '{duration}': the window starts at "
                    f"{start_hour:02d}:00 UTC and must end by the end of the UTC day, so use at "
                    f"most {24 - start_hour}h."
                )


@lru_cache(maxsize=512)
def _min_gap_days(cron: CronExpression) -> int:
    """Smallest gap between consecutive firing days over one 28-year calendar cycle."""
    best: int | None = None
    previous = cron.next_day(date(_YEAR_TYPE_SAMPLE.start, 1, 1))
    end = date(_YEAR_TYPE_SAMPLE.stop, 1, 1)
    while previous is not None and previous < end:
        following = cron.next_day(previous + _DAY)
        if following is None:
            break
        gap = (following - previous).days
        best = gap if best is None else min(best, gap)
        if best == 1:
            break
        previous = following
    assert best is not None  # validation guarantees a firing in every year
    return best


def _as_utc(moment: datetime) -> datetime:
    # Naive datetimes are taken as UTC, as sm_mock.clock does.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=_UTC)
    return moment.astimezone(_UTC)


def parse_rotation_rules(
    automatically_after_days: int | None,
    schedule_expression: str | None,
    duration: str | None,
) -> RotationSchedule:
    """Validate ``RotationRules`` (SPEC H2-H6) and return the schedule.

    Every invalid input raises ``AwsError`` ``InvalidParameterException`` (SPEC H5
    recommendation) whose message says what is wrong and what is allowed.
    """
    return RotationSchedule(automatically_after_days, schedule_expression, duration)


def rotation_schedule_from_wire(rules: Mapping[str, object]) -> RotationSchedule:
    """Build a schedule from a request's ``RotationRules`` dict (unknown keys are ignored)."""
    after_days = rules.get("AutomaticallyAfterDays")
    expression = rules.get("ScheduleExpression")
    duration = rules.get("Duration")
    # The types are checked in RotationSchedule.__post_init__; the wire may carry anything
    # when the client turned parameter validation off.
    return RotationSchedule(after_days, expression, duration)  # type: ignore[arg-type]
