"""The one clock every time in sm_mock comes from (docs/design.md principle 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ManualClock", "OffsetClock", "SystemClock", "as_clock", "to_milliseconds"]


@runtime_checkable
class Clock(Protocol):
    """Anything with a ``now()`` that returns an aware UTC datetime."""

    def now(self) -> datetime: ...


#: ``timedelta(microseconds=i)`` for every sub-millisecond remainder, built once: subtracting a
#: ready timedelta costs a fifth of ``datetime.replace(microsecond=...)``, which parses keyword
#: arguments, and this runs once per request (measured).
_SUB_MILLISECOND = tuple(timedelta(microseconds=i) for i in range(1000))


def to_milliseconds(moment: datetime) -> datetime:
    """``moment`` without its sub-millisecond part: the precision AWS keeps its timestamps in.

    Secrets Manager answers ``CreatedDate``, ``LastChangedDate`` and the other dates with three
    decimals of a second (boto3 shows ``.807000`` microseconds), so what the mock stamps on a
    secret is cut to the millisecond too. The clock itself keeps microseconds: rate quotas
    refill per microsecond and deletion windows are compared exactly.
    """
    extra = moment.microsecond % 1000
    return moment - _SUB_MILLISECOND[extra] if extra else moment


def to_utc(moment: datetime) -> datetime:
    """``moment`` in UTC: a naive time is taken as UTC, an aware one is converted. Dates are
    cut from the clock's reading (LastAccessedDate is the UTC day, SPEC P3), so a clock given
    in another zone must not shift them."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment if moment.tzinfo is timezone.utc else moment.astimezone(timezone.utc)


class SystemClock:
    """Reads ``datetime.now(timezone.utc)`` on every call.

    It deliberately looks the time up through :mod:`datetime` each time, so freezegun and
    time-machine, which patch ``datetime``, move sm_mock's clock along with the test's.
    """

    __slots__ = ()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that moves only when told to: ``mock_secretsmanager(clock=ManualClock(...))``.

    An alternative to freezegun/time-machine when a test wants to move sm_mock's time
    (deletion windows, rotation schedules, rate quotas) without patching ``datetime``.
    """

    __slots__ = ("_now",)

    def __init__(self, start: datetime | None = None) -> None:
        self._now = to_utc(start or datetime.now(timezone.utc))

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by a timedelta or timedelta keywords (``days=7``); returns the new time."""
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to a point in time."""
        self._now = to_utc(when)

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"


class OffsetClock:
    """The system time plus an offset that moves only when told to.

    The standalone server's clock (``python -m sm_mock serve``): time passes as it does for the
    clients, and ``POST /_sm_mock/time`` moves it forward (or to a given moment) for every
    later request, so deletion windows and rotation schedules can be reached from another
    process. Like :class:`SystemClock` it reads :mod:`datetime` on every call.
    """

    __slots__ = ("_offset",)

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self._offset

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by a timedelta or timedelta keywords (``days=7``); returns the new time."""
        self._offset += delta if delta is not None else timedelta(**kwargs)
        return self.now()

    def set(self, when: datetime) -> None:
        """Jump to a point in time (time goes on passing from there)."""
        self._offset = to_utc(when) - datetime.now(timezone.utc)

    def __repr__(self) -> str:
        return f"OffsetClock(offset={self._offset})"


class _UtcClock:
    """A user's clock (a ``now()`` method or a callable), read in aware UTC: the one boundary
    where every time sm_mock uses is normalised (a naive time is taken as UTC)."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[], object]) -> None:
        self._fn = fn

    def now(self) -> datetime:
        value = self._fn()
        if not isinstance(value, datetime):
            raise TypeError(f"the clock returned {type(value).__name__}, not a datetime")
        return to_utc(value)


def as_clock(clock: Clock | object | None) -> Clock:
    """Accept a :class:`Clock`, a zero-argument callable returning a datetime, or None.

    sm_mock's own clocks already answer in aware UTC; any other is wrapped so that it does.
    """
    if clock is None:
        return SystemClock()
    if type(clock) in (SystemClock, ManualClock, OffsetClock):
        return clock  # type: ignore[return-value]
    if isinstance(clock, Clock):
        return _UtcClock(clock.now)
    if callable(clock):
        return _UtcClock(clock)
    raise TypeError("clock= must have a now() method or be a callable returning a datetime")
