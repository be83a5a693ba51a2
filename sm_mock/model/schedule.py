"""Rotation schedules: ``RotationRules`` validation and rotation-window arithmetic (SPEC H2-H8).

Pure logic: no botocore, no JSON, no I/O. Everything is UTC (SPEC H5).

Three ways to say how often a secret rotates (the cron grammar is in :mod:`.cron`):

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

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Final, Literal

from ..clock import to_utc
from ..errors import invalid_parameter
from .cron import MIN_INTERVAL_HOURS, YEAR_CYCLE, CronExpression, is_cron, parse_cron, rule_error

__all__ = ["AFTER_DAYS_OUT_OF_RANGE", "RotationSchedule", "parse_rotation_rules"]

_UTC: Final = timezone.utc
_HOUR: Final = timedelta(hours=1)
_DAY: Final = timedelta(days=1)

#: SPEC H3/H4: the AutomaticallyAfterDays field allows 1-1000, ``rate()`` at most 999 days.
_MIN_AFTER_DAYS: Final = 1
_MAX_AFTER_DAYS: Final = 1000
_MAX_RATE_DAYS: Final = 999
#: SM-042: the recorded text for AutomaticallyAfterDays outside 1-1000 (the model's range check
#: answers it too, :mod:`sm_mock.protocol.validation`).
AFTER_DAYS_OUT_OF_RANGE: Final = "RotationRules.AutomaticallyAfterDays must be within 1-1000."
_MAX_RATE_HOURS: Final = _MAX_RATE_DAYS * 24

#: [MODEL] ScheduleExpressionType: pattern and length 1-256 (SPEC H5).
_EXPRESSION_CHARS: Final = re.compile(r"[0-9A-Za-z()#?*\-/, ]+")
_MAX_EXPRESSION_LEN: Final = 256
#: [MODEL] DurationType: pattern ``[0-9]+h``, 2-3 characters, so 1h-99h (SPEC H6).
_DURATION: Final = re.compile(r"([0-9]{1,2})h")

_RATE: Final = re.compile(r"rate\((.*)\)", re.IGNORECASE | re.DOTALL)
_RATE_BODY: Final = re.compile(r"\s*([0-9]+)\s+([A-Za-z]+)\s*")

_RATE_HELP: Final = (
    "Use rate(Value Unit) where Value is a positive integer and Unit is hour, hours, day or "
    "days, from rate(4 hours) up to rate(999 days)"
)
# ---------------------------------------------------------------------------------------------
# rate(), Duration, RotationRules
# ---------------------------------------------------------------------------------------------


def _parse_rate(expression: str, body: str) -> tuple[Literal["hours", "days"], int]:
    match = _RATE_BODY.fullmatch(body)
    if match is None:
        raise rule_error("ScheduleExpression", expression, "rate() needs a value and a unit", _RATE_HELP)
    value, unit = int(match.group(1)), match.group(2).lower()
    # SPEC H4: singular/plural agreement is AMBIGUOUS; accept either form with any value.
    if unit in ("hour", "hours"):
        kind: Literal["hours", "days"] = "hours"
    elif unit in ("day", "days"):
        kind = "days"
    else:
        raise rule_error(
            "ScheduleExpression",
            expression,
            f"unit '{match.group(2)}' is not supported (minutes are too frequent: Secrets "
            "Manager can rotate at most every 4 hours)",
            _RATE_HELP,
        )
    if value < 1:
        raise rule_error("ScheduleExpression", expression, "the value must be positive", _RATE_HELP)
    hours = value if kind == "hours" else value * 24
    if hours < MIN_INTERVAL_HOURS:
        raise rule_error(
            "ScheduleExpression",
            expression,
            "Secrets Manager can rotate at most every 4 hours",
            _RATE_HELP,
        )
    if hours > _MAX_RATE_HOURS:
        raise rule_error(
            "ScheduleExpression",
            expression,
            "the longest rotation interval is 999 days",
            _RATE_HELP,
        )
    return kind, value


def _parse_duration(duration: object) -> int:
    if not isinstance(duration, str):
        raise invalid_parameter(f"RotationRules.Duration must be a string such as '3h', not {type(duration).__name__}.")
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
                    "RotationRules.AutomaticallyAfterDays must be a whole number of days from 1 to 1000."
                )
            if not _MIN_AFTER_DAYS <= after_days <= _MAX_AFTER_DAYS:
                raise invalid_parameter(  # exact recorded text, SM-042
                    AFTER_DAYS_OUT_OF_RANGE
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
        after = to_utc(after)
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
        raise rule_error(
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
    if is_cron(stripped):
        return "cron", 0, parse_cron(expression)
    raise rule_error(
        "ScheduleExpression",
        expression,
        "it is neither a rate() nor a cron() expression",
        "Use for example rate(10 days), rate(12 hours) or cron(0 16 1,15 * ? *)",
    )


def _check_window(kind: _Kind, interval: int, cron: CronExpression | None, hours: int, duration: object) -> None:
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
    previous = cron.next_day(date(YEAR_CYCLE.start, 1, 1))
    end = date(YEAR_CYCLE.stop, 1, 1)
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
