"""The options of a mock, checked when it is created: types, ranges and names.

A wrong option is the user's mistake, not an AWS answer, so it fails at once with an
:class:`OptionError` (a ``TypeError`` or ``ValueError`` too) that names the option, what it
got, what it takes, and for a misspelt name the option meant. :class:`MockOptions` is the same
list for type checkers (``mock_secretsmanager(**options)``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypedDict

from .clock import Clock
from .errors import SmMockError
from .limits import Limits
from .quotas import group_of

__all__ = ["OPTION_NAMES", "MockOptions", "OptionError", "check_options", "service_names"]

#: The options of ``mock_secretsmanager`` / ``SecretsManagerMock`` besides the limits.
_BASIC = ("region", "account_id", "throttling", "clock", "seed", "allow_services", "real_sleep", "transport")
_LIMITS = Limits.names()
#: Every option name, limits included.
OPTION_NAMES: tuple[str, ...] = _BASIC + tuple(sorted(_LIMITS))
_DEFAULT_LIMITS = Limits()
_RECOVERY = ("min_recovery_days", "default_recovery_days", "max_recovery_days")
#: A region name as AWS spells them (us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ...).
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_ACCOUNT = re.compile(r"\d{12}")


class OptionError(SmMockError, TypeError, ValueError):
    """A mock option with a wrong name, type or value; the message says what it takes."""


class MockOptions(TypedDict, total=False):
    """The keyword options of ``mock_secretsmanager`` and ``SecretsManagerMock``, for type
    checkers (every limit of :class:`~sm_mock.limits.Limits` is an ``int`` option too)."""

    region: str
    account_id: str
    throttling: bool | str | Iterable[str]
    clock: Clock | Callable[[], datetime] | None
    seed: int | None
    allow_services: str | Iterable[str]
    real_sleep: bool
    transport: str
    max_secrets: int
    max_versions: int
    prune_min_age_seconds: int
    max_labels: int
    max_value_size: int
    max_description: int
    max_name: int
    max_tags: int
    max_tag_key: int
    max_tag_value: int
    max_policy: int
    min_recovery_days: int
    max_recovery_days: int
    default_recovery_days: int


def _fail(name: str, got: object, takes: str) -> OptionError:
    return OptionError(f"mock_secretsmanager({name}={got!r}): {name} takes {takes}.")


def unknown(names: Iterable[str]) -> OptionError:
    """The error for option names no mock takes, with the closest known ones."""
    parts = []
    for name in sorted(names):
        close = difflib.get_close_matches(name, OPTION_NAMES, n=1)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return OptionError(f"unknown option {', '.join(parts)}. The options are: {', '.join(OPTION_NAMES)}.")


def service_names(value: object, name: str) -> frozenset[str]:
    """A string or an iterable of strings, as a set (a lone string is one name, not letters)."""
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        names = list(value)
        if all(isinstance(item, str) and item for item in names):
            return frozenset(names)
    raise _fail(name, value, 'a name or an iterable of names, e.g. {"sts", "s3"}')


def check_options(options: Mapping[str, Any]) -> None:
    """Raise :class:`OptionError` for the first wrong option (names, types, ranges)."""
    limits = _LIMITS & options.keys()
    extra = options.keys() - _LIMITS - set(_BASIC)
    if extra:
        raise unknown(extra)
    region = options.get("region")
    if region is not None and not (isinstance(region, str) and _REGION.fullmatch(region)):
        raise _fail("region", region, "an AWS region name such as 'us-east-1'")
    account = options.get("account_id")
    if account is not None and not (isinstance(account, str) and _ACCOUNT.fullmatch(account)):
        raise _fail("account_id", account, "a 12-digit account id as a string, such as '123456789012'")
    throttling = options.get("throttling", False)
    if not isinstance(throttling, bool):
        for group in service_names(throttling, "throttling"):
            try:
                group_of(group)
            except ValueError as error:
                raise OptionError(f"mock_secretsmanager(throttling=...): {error}") from None
    seed = options.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise _fail("seed", seed, "an int (or None for random ids)")
    clock = options.get("clock")
    if clock is not None and not isinstance(clock, Clock) and not callable(clock):
        raise _fail("clock", clock, "an object with now(), a callable returning a datetime, or None")
    if "allow_services" in options:
        service_names(options["allow_services"], "allow_services")
    real_sleep = options.get("real_sleep", False)
    if not isinstance(real_sleep, bool):
        raise _fail("real_sleep", real_sleep, "True or False")
    transport = options.get("transport", "http")
    if transport not in ("http", "direct"):
        raise _fail(
            "transport",
            transport,
            "'http' (the full botocore pipeline, the default) or 'direct' (answers at before-call, "
            "fastest, no retries)",
        )
    if not limits:
        return
    for name in limits:
        value = options[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _fail(name, value, "a whole number, 0 or more")
    days = [options.get(name, getattr(_DEFAULT_LIMITS, name)) for name in _RECOVERY]
    if not days[0] <= days[1] <= days[2]:
        raise OptionError(
            "mock_secretsmanager: default_recovery_days must lie between min_recovery_days and "
            f"max_recovery_days (got {days[0]} <= {days[1]} <= {days[2]})."
        )
