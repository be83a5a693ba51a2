"""Rotation schedules: RotationRules validation and window arithmetic (SPEC H2-H8, H23, H26)."""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sm_mock.errors import AwsError
from sm_mock.model.cron import parse_cron
from sm_mock.model.schedule import RotationSchedule, parse_rotation_rules
from sm_mock.operations.shapes import rotation_rules, rotation_schedule_from_wire

UTC = timezone.utc
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def starts(expression: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` window starts, each one searched from the previous start."""
    schedule = parse_rotation_rules(None, expression, None)
    result: list[datetime] = []
    for _ in range(count):
        after, _end = schedule.next_window(after)
        result.append(after)
    return result


def rejected(after_days: object = None, expression: object = None, duration: object = None) -> AwsError:
    with pytest.raises(AwsError) as info:
        parse_rotation_rules(after_days, expression, duration)  # type: ignore[arg-type]
    assert info.value.code == "InvalidParameterException"
    assert info.value.status == 400
    return info.value


# --- the seed's examples table (000_fb36582b74a13f61.txt ~L7458-7472), positive vectors -------


def test_cron_every_eight_hours_from_midnight() -> None:
    assert starts("cron(0 /8 * * ? *)", utc(2024, 5, 1, 0, 0), 4) == [
        utc(2024, 5, 1, 8),
        utc(2024, 5, 1, 16),
        utc(2024, 5, 2, 0),
        utc(2024, 5, 2, 8),
    ]


def test_cron_every_eight_hours_from_8am() -> None:
    assert starts("cron(0 8/8 * * ? *)", utc(2024, 5, 1, 0, 0), 4) == [
        utc(2024, 5, 1, 8),
        utc(2024, 5, 1, 16),
        utc(2024, 5, 2, 8),
        utc(2024, 5, 2, 16),
    ]


def test_cron_every_ten_hours_from_2am_restarts_each_day() -> None:
    # SPEC H5: increments reset each day: 22:00 is followed by 02:00, not 08:00.
    assert starts("cron(0 2/10 * * ? *)", utc(2024, 5, 1, 0, 30), 6) == [
        utc(2024, 5, 1, 2),
        utc(2024, 5, 1, 12),
        utc(2024, 5, 1, 22),
        utc(2024, 5, 2, 2),
        utc(2024, 5, 2, 12),
        utc(2024, 5, 2, 22),
    ]


def test_cron_every_twelve_hours_from_4am_restarts_each_day() -> None:
    assert starts("cron(0 4/12 * * ? *)", utc(2024, 5, 1, 5), 4) == [
        utc(2024, 5, 1, 16),
        utc(2024, 5, 2, 4),
        utc(2024, 5, 2, 16),
        utc(2024, 5, 3, 4),
    ]


def test_cron_every_day_at_10am() -> None:
    assert starts("cron(0 10 * * ? *)", utc(2024, 12, 30, 11), 3) == [
        utc(2024, 12, 31, 10),
        utc(2025, 1, 1, 10),
        utc(2025, 1, 2, 10),
    ]


def test_cron_every_saturday_at_6pm() -> None:
    found = starts("cron(0 18 ? * SAT *)", utc(2024, 5, 1), 3)
    assert found == [utc(2024, 5, 4, 18), utc(2024, 5, 11, 18), utc(2024, 5, 18, 18)]
    assert all(start.strftime("%a") == "Sat" for start in found)


def test_cron_first_day_of_every_month_at_8am() -> None:
    assert starts("cron(0 8 1 * ? *)", utc(2024, 11, 1, 8), 3) == [
        utc(2024, 12, 1, 8),
        utc(2025, 1, 1, 8),
        utc(2025, 2, 1, 8),
    ]


def test_cron_every_three_months_first_sunday_at_1am() -> None:
    assert starts("cron(0 1 ? 1/3 SUN#1 *)", utc(2024, 1, 1), 5) == [
        utc(2024, 1, 7, 1),
        utc(2024, 4, 7, 1),
        utc(2024, 7, 7, 1),
        utc(2024, 10, 6, 1),
        utc(2025, 1, 5, 1),
    ]


def test_cron_last_day_of_month_in_leap_year_february() -> None:
    assert starts("cron(0 17 L * ? *)", utc(2024, 2, 1), 3) == [
        utc(2024, 2, 29, 17),
        utc(2024, 3, 31, 17),
        utc(2024, 4, 30, 17),
    ]


def test_cron_last_day_of_month_in_common_year_february() -> None:
    assert starts("cron(0 17 L * ? *)", utc(2023, 1, 31, 17), 2) == [
        utc(2023, 2, 28, 17),
        utc(2023, 3, 31, 17),
    ]


def test_cron_monday_through_friday_at_8am() -> None:
    found = starts("cron(0 8 ? * MON-FRI *)", utc(2024, 5, 3, 9), 6)  # a Friday, after 08:00
    assert found == [
        utc(2024, 5, 6, 8),
        utc(2024, 5, 7, 8),
        utc(2024, 5, 8, 8),
        utc(2024, 5, 9, 8),
        utc(2024, 5, 10, 8),
        utc(2024, 5, 13, 8),
    ]


def test_cron_first_and_fifteenth_at_4pm() -> None:
    assert starts("cron(0 16 1,15 * ? *)", utc(2024, 1, 20), 3) == [
        utc(2024, 2, 1, 16),
        utc(2024, 2, 15, 16),
        utc(2024, 3, 1, 16),
    ]


def test_cron_first_sunday_of_every_month_at_midnight() -> None:
    assert starts("cron(0 0 ? * SUN#1 *)", utc(2024, 8, 31), 3) == [
        utc(2024, 9, 1, 0),
        utc(2024, 10, 6, 0),
        utc(2024, 11, 3, 0),
    ]


def test_cron_every_eleven_months_from_january_first_monday() -> None:
    # Months 1/11 are January and December; 2#1 is the first Monday (1 = SUN, SPEC H5).
    assert starts("cron(0 0 ? 1/11 2#1 *)", utc(2023, 12, 5), 4) == [
        utc(2024, 1, 1, 0),
        utc(2024, 12, 2, 0),
        utc(2025, 1, 6, 0),
        utc(2025, 12, 1, 0),
    ]


def test_rate_examples_from_the_seed() -> None:
    after = utc(2024, 5, 1, 10)
    assert starts("rate(4 hours)", after, 2) == [utc(2024, 5, 1, 14), utc(2024, 5, 1, 18)]
    assert starts("rate(1 day)", after, 2) == [utc(2024, 5, 2), utc(2024, 5, 3)]
    assert starts("rate(10 days)", after, 2) == [utc(2024, 5, 11), utc(2024, 5, 21)]


# --- more cron grammar ------------------------------------------------------------------------


def test_cron_last_named_weekday_in_day_of_month() -> None:
    assert starts("cron(0 3 SUNL * ? *)", utc(2024, 6, 1), 2) == [
        utc(2024, 6, 30, 3),
        utc(2024, 7, 28, 3),
    ]


def test_cron_last_named_weekday_in_day_of_week() -> None:
    # 5L = the last Thursday of the month.
    assert starts("cron(0 3 ? * 5L *)", utc(2024, 11, 1), 2) == [
        utc(2024, 11, 28, 3),
        utc(2024, 12, 26, 3),
    ]


def test_cron_l_alone_in_day_of_week_is_saturday() -> None:
    assert starts("cron(0 3 ? * L *)", utc(2024, 5, 1), 1) == [utc(2024, 5, 4, 3)]


def test_cron_third_tuesday() -> None:
    assert starts("cron(0 9 ? * TUE#3 *)", utc(2024, 5, 1), 2) == [
        utc(2024, 5, 21, 9),
        utc(2024, 6, 18, 9),
    ]


def test_cron_day_of_month_increments_and_ranges() -> None:
    assert starts("cron(0 6 1/10 * ? *)", utc(2024, 5, 1, 7), 3) == [
        utc(2024, 5, 11, 6),
        utc(2024, 5, 21, 6),
        utc(2024, 5, 31, 6),
    ]
    assert starts("cron(0 6 28-30 * ? *)", utc(2023, 2, 28, 7), 2) == [
        utc(2023, 3, 28, 6),
        utc(2023, 3, 29, 6),
    ]


def test_cron_month_names_and_day_names_ignore_case() -> None:
    assert starts("cron(0 0 ? jan,Apr fri *)", utc(2024, 1, 31), 1) == [utc(2024, 4, 5, 0)]


def test_cron_day_of_week_increment() -> None:
    # 1/2 = SUN, TUE, THU, SAT.
    found = starts("cron(0 12 ? * 1/2 *)", utc(2024, 5, 5, 13), 4)  # Sunday, after 12:00
    assert [start.strftime("%a") for start in found] == ["Tue", "Thu", "Sat", "Sun"]


def test_cron_hours_cycling_with_gap_of_exactly_four_hours_across_midnight() -> None:
    assert parse_cron("cron(0 0/5 * * ? *)").hours == (0, 5, 10, 15, 20)
    assert starts("cron(0 2,6 * * ? *)", utc(2024, 5, 1, 6), 1) == [utc(2024, 5, 2, 2)]


def test_cron_next_window_is_strictly_after() -> None:
    schedule = parse_rotation_rules(None, "cron(0 10 * * ? *)", None)
    assert schedule.next_window(utc(2024, 5, 1, 10))[0] == utc(2024, 5, 2, 10)
    assert schedule.next_window(utc(2024, 5, 1, 9, 59, 59))[0] == utc(2024, 5, 1, 10)


def test_cron_matches_reports_window_starts_only() -> None:
    cron = parse_cron("cron(0 16 1,15 * ? *)")
    assert cron.matches(utc(2024, 3, 15, 16))
    assert not cron.matches(utc(2024, 3, 15, 16, 30))
    assert not cron.matches(utc(2024, 3, 16, 16))


# --- rate(), AutomaticallyAfterDays and windows (SPEC H6, H7) -----------------------------------


def test_rate_hours_window_starts_rounded_up_to_the_hour() -> None:
    schedule = parse_rotation_rules(None, "rate(6 hours)", None)
    assert schedule.next_window(utc(2024, 5, 1, 10, 30)) == (
        utc(2024, 5, 1, 17),
        utc(2024, 5, 1, 18),
    )
    assert schedule.next_window(utc(2024, 5, 1, 10)) == (utc(2024, 5, 1, 16), utc(2024, 5, 1, 17))


def test_rate_hours_explicit_duration() -> None:
    schedule = parse_rotation_rules(None, "rate(6 hours)", "6h")
    assert schedule.next_window(utc(2024, 5, 1, 10)) == (utc(2024, 5, 1, 16), utc(2024, 5, 1, 22))


def test_rate_days_window_runs_midnight_to_end_of_day_by_default() -> None:
    schedule = parse_rotation_rules(None, "rate(10 days)", None)
    assert schedule.next_window(utc(2024, 2, 25, 23, 59)) == (utc(2024, 3, 6), utc(2024, 3, 7))


def test_rate_days_explicit_duration() -> None:
    schedule = parse_rotation_rules(None, "rate(1 day)", "3h")
    assert schedule.next_window(utc(2024, 5, 1, 12)) == (utc(2024, 5, 2), utc(2024, 5, 2, 3))


def test_automatically_after_days_window() -> None:
    schedule = parse_rotation_rules(30, None, None)
    assert schedule.next_window(utc(2024, 3, 10, 15, 27)) == (utc(2024, 4, 9), utc(2024, 4, 10))
    assert parse_rotation_rules(30, None, "2h").next_window(utc(2024, 3, 10)) == (
        utc(2024, 4, 9),
        utc(2024, 4, 9, 2),
    )


def test_cron_daily_window_defaults_to_end_of_day() -> None:
    schedule = parse_rotation_rules(None, "cron(0 16 1,15 * ? *)", None)
    assert schedule.next_window(utc(2024, 5, 2)) == (utc(2024, 5, 15, 16), utc(2024, 5, 16))


def test_cron_seed_cli_example_window_16_to_18() -> None:
    # 000_fb36582b74a13f61.txt ~L6111: rotates between 16:00 and 18:00 on the 1st and 15th.
    schedule = parse_rotation_rules(None, "cron(0 16 1,15 * ? *)", "2h")
    assert schedule.next_window(utc(2024, 5, 2)) == (utc(2024, 5, 15, 16), utc(2024, 5, 15, 18))


def test_cron_hourly_window_defaults_to_one_hour() -> None:
    schedule = parse_rotation_rules(None, "cron(0 4/12 * * ? *)", None)
    assert schedule.in_hours
    assert schedule.next_window(utc(2024, 5, 1)) == (utc(2024, 5, 1, 4), utc(2024, 5, 1, 5))


def test_cron_hourly_duration_may_fill_the_interval() -> None:
    schedule = parse_rotation_rules(None, "cron(0 4/12 * * ? *)", "12h")
    assert schedule.next_window(utc(2024, 5, 1, 5)) == (utc(2024, 5, 1, 16), utc(2024, 5, 2, 4))


def test_tightest_schedule_every_four_hours_with_one_hour_window() -> None:
    # SPEC H8.
    assert parse_rotation_rules(None, "rate(4 hours)", "1h").duration_hours == 1
    assert parse_rotation_rules(None, "cron(0 0/4 * * ? *)", "1h").duration_hours == 1


def test_naive_after_is_taken_as_utc_and_other_zones_are_converted() -> None:
    schedule = parse_rotation_rules(None, "cron(0 10 * * ? *)", None)
    assert schedule.next_window(datetime(2024, 5, 1, 9))[0] == utc(2024, 5, 1, 10)
    plus_two = timezone(timedelta(hours=2))
    # 11:30 at +02:00 is 09:30 UTC, so the 10:00 UTC window still comes that day.
    start, _end = schedule.next_window(datetime(2024, 5, 1, 11, 30, tzinfo=plus_two))
    assert start == utc(2024, 5, 1, 10)
    assert start.tzinfo == UTC


def test_singular_and_plural_units_are_both_accepted() -> None:
    # SPEC H4 leaves agreement AMBIGUOUS; accept either way.
    assert parse_rotation_rules(None, "rate(1 days)", None).display_days() == 1
    assert parse_rotation_rules(None, "rate(5 hour)", None).next_window(utc(2024, 1, 1)) == (
        utc(2024, 1, 1, 5),
        utc(2024, 1, 1, 6),
    )


def test_longest_and_shortest_rates_are_accepted() -> None:
    assert parse_rotation_rules(None, "rate(999 days)", None).display_days() == 999
    assert parse_rotation_rules(None, f"rate({999 * 24} hours)", None).display_days() == 999
    assert parse_rotation_rules(None, "rate(4 hours)", None).in_hours


def test_automatically_after_days_bounds_are_accepted() -> None:
    assert parse_rotation_rules(1, None, None).automatically_after_days == 1
    assert parse_rotation_rules(1000, None, None).automatically_after_days == 1000


# --- to_wire, display_days (SPEC H26), from_wire ------------------------------------------------


def test_to_wire_has_only_the_given_keys() -> None:
    assert rotation_rules(parse_rotation_rules(30, None, None)) == {"AutomaticallyAfterDays": 30}
    assert rotation_rules(parse_rotation_rules(None, "cron(0 16 1,15 * ? *)", "2h")) == {
        "ScheduleExpression": "cron(0 16 1,15 * ? *)",
        "Duration": "2h",
    }


def test_to_wire_keeps_the_expression_verbatim() -> None:
    expression = "cron(0 0 ? jan,Apr fri *)"
    schedule = parse_rotation_rules(None, expression, None)
    assert schedule.schedule_expression == expression
    assert rotation_rules(schedule) == {"ScheduleExpression": expression}


def test_display_days_matches_describe_secret_example() -> None:
    # SPEC H26: DescribeSecret reports 14 for cron(0 16 1,15 * ? *); not part of to_wire.
    schedule = parse_rotation_rules(None, "cron(0 16 1,15 * ? *)", "2h")
    assert schedule.display_days() == 14
    assert "AutomaticallyAfterDays" not in rotation_rules(schedule)


def test_display_days_rules() -> None:
    assert parse_rotation_rules(45, None, None).display_days() == 45
    assert parse_rotation_rules(None, "rate(10 days)", None).display_days() == 10
    assert parse_rotation_rules(None, "rate(48 hours)", None).display_days() == 2
    assert parse_rotation_rules(None, "rate(12 hours)", None).display_days() is None
    assert parse_rotation_rules(None, "cron(0 4/12 * * ? *)", None).display_days() is None
    assert parse_rotation_rules(None, "cron(0 10 * * ? *)", None).display_days() == 1
    assert parse_rotation_rules(None, "cron(0 18 ? * SAT *)", None).display_days() == 7
    assert parse_rotation_rules(None, "cron(0 8 1 * ? *)", None).display_days() == 28


def test_schedules_compare_by_what_was_given() -> None:
    assert parse_rotation_rules(None, "rate(4 hours)", "1h") == RotationSchedule(
        schedule_expression="rate(4 hours)", duration="1h"
    )
    assert hash(parse_rotation_rules(7, None, None)) == hash(RotationSchedule(7))


def test_from_wire_reads_rotation_rules_dict() -> None:
    schedule = rotation_schedule_from_wire({"ScheduleExpression": "rate(10 days)", "Duration": "3h"})
    assert rotation_rules(schedule) == {"ScheduleExpression": "rate(10 days)", "Duration": "3h"}
    with pytest.raises(AwsError) as info:
        rotation_schedule_from_wire({})
    assert info.value.code == "InvalidParameterException"


# --- rejections (SPEC H2-H6; code per SPEC H5 recommendation) -----------------------------------


def test_both_after_days_and_expression_rejected() -> None:
    message = rejected(30, "rate(10 days)").message
    assert "AutomaticallyAfterDays" in message and "ScheduleExpression" in message


def test_neither_after_days_nor_expression_rejected() -> None:
    assert "either" in rejected(None, None, "2h").message


def test_after_days_out_of_range_uses_recorded_message() -> None:
    # SM-042.
    for value in (0, -5, 1001):
        assert rejected(value).message == ("RotationRules.AutomaticallyAfterDays must be within 1-1000.")


def test_after_days_of_wrong_type_rejected() -> None:
    for value in (True, "30", 30.0):
        rejected(value)


def test_rate_rejections() -> None:
    for expression in (
        "rate(3 hours)",
        "rate(1 hour)",
        "rate(0 days)",
        "rate(0 hours)",
        "rate(1000 days)",
        f"rate({999 * 24 + 1} hours)",
        "rate(30 minutes)",
        "rate(1 week)",
        "rate(days)",
        "rate(10)",
        "rate(-1 days)",
        "rate(10 days",
    ):
        rejected(None, expression)


def test_rate_rejection_message_says_what_is_allowed() -> None:
    message = rejected(None, "rate(2 hours)").message
    assert "rate(2 hours)" in message and "4 hours" in message


def test_cron_rejections() -> None:
    for expression in (
        "cron(5 10 * * ? *)",  # minutes must be 0
        "cron(* 10 * * ? *)",
        "cron(0 10 * * ? 2024)",  # year must be *
        "cron(0 10 * * * *)",  # both day fields set
        "cron(0 10 1 * MON *)",
        "cron(0 10 ? * ? *)",  # both ?
        "cron(0 10 * * ?)",  # 5 fields
        "cron(0 10 * * ? * *)",  # 7 fields
        "cron(0 24 * * ? *)",  # hour out of range
        "cron(0 /2 * * ? *)",  # every 2 hours
        "cron(0 * * * ? *)",
        "cron(0 1,23 * * ? *)",  # 23:00 -> 01:00 is 2 hours
        "cron(0 0/7 * * ? *)",  # 21:00 -> 00:00 is 3 hours
        "cron(0 10 0 * ? *)",  # day of month out of range
        "cron(0 10 32 * ? *)",
        "cron(0 10 * 13 ? *)",
        "cron(0 10 * FOO ? *)",  # unknown names
        "cron(0 10 ? * FUN *)",
        "cron(0 10 ? * 8 *)",
        "cron(0 10 ? * 0 *)",
        "cron(0 10 ? * MON#6 *)",
        "cron(0 10 ? * MON#0 *)",
        "cron(0 10 1#2 * ? *)",  # # only in day-of-week
        "cron(0 10 15L * ? *)",
        "cron(0 10 LW * ? *)",
        "cron(0 10 ? * FRI-MON *)",  # backwards range
        "cron(0 10 * ? ? *)",  # ? in month
        "cron(0 10 1/0 * ? *)",  # zero increment
        "cron(0 10 1,,2 * ? *)",
        "cron(0 10 30 2 ? *)",  # never fires
        "cron(0 10 29 FEB ? *)",  # only fires in leap years (more than a year apart)
        "cron()",
        "cron 0 10 * * ? *",
    ):
        rejected(None, expression)


def test_cron_rejection_messages_name_the_problem() -> None:
    assert "Minutes must be 0" in rejected(None, "cron(5 10 * * ? *)").message
    assert "Year must be *" in rejected(None, "cron(0 10 * * ? 2025)").message
    assert "4 hours" in rejected(None, "cron(0 1,23 * * ? *)").message
    assert "'FUN'" in rejected(None, "cron(0 10 ? * FUN *)").message


def test_expression_character_set_and_length_rejected() -> None:
    # [MODEL] pattern [0-9A-Za-z()#?*-/, ]+, 1-256 characters (SPEC H5).
    rejected(None, "")
    rejected(None, "rate(10 days)" + " " * 250)
    rejected(None, "cron(0 10 * * ? *);")
    rejected(None, "rate(1.5 days)")
    rejected(None, "at(2024-01-01T00:00:00)")
    rejected(None, 10)


def test_duration_rejections() -> None:
    for duration in ("0h", "00h", "100h", "3", "3m", "h", "", " 3h", "1.5h", 3):
        rejected(None, "rate(10 days)", duration)


def test_duration_must_not_pass_end_of_day_for_day_schedules() -> None:
    # SPEC H6: for daily schedules start hour + duration <= 24.
    parse_rotation_rules(None, "rate(1 day)", "24h")
    rejected(None, "rate(1 day)", "25h")
    rejected(30, None, "25h")
    parse_rotation_rules(None, "cron(0 22 * * ? *)", "2h")
    message = rejected(None, "cron(0 22 * * ? *)", "3h").message
    assert "at most 2h" in message


def test_duration_must_not_reach_next_window_for_hour_schedules() -> None:
    # SPEC H6: for hourly schedules duration <= the interval.
    parse_rotation_rules(None, "rate(6 hours)", "6h")
    rejected(None, "rate(6 hours)", "7h")
    parse_rotation_rules(None, "cron(0 4/12 * * ? *)", "12h")
    rejected(None, "cron(0 4/12 * * ? *)", "13h")
    # Hours 0, 5, 10, 15, 20: the tightest gap (20:00 -> 00:00) is 4 hours.
    rejected(None, "cron(0 0/5 * * ? *)", "5h")


# --- Hypothesis: valid expressions -------------------------------------------------------------

MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def cron_weekday(day: date) -> int:
    return day.isoweekday() % 7 + 1  # 1 = SUN ... 7 = SAT


@dataclass(frozen=True)
class CronCase:
    text: str
    hours: frozenset[int]
    months: frozenset[int]
    day_ok: Callable[[date], bool]

    def fires_on(self, day: date) -> bool:
        return day.month in self.months and self.day_ok(day)


@st.composite
def hours_fields(draw: st.DrawFn) -> tuple[str, frozenset[int]]:
    if draw(st.booleans()):
        # Explicit list: hours at least 4 apart, also across midnight.
        first = draw(st.integers(0, 23))
        offsets = [0]
        while True:
            gap = draw(st.integers(4, 12))
            if offsets[-1] + gap + 4 > 24 or not draw(st.booleans()):
                break
            offsets.append(offsets[-1] + gap)
        values = [(first + offset) % 24 for offset in offsets]
        shuffled = draw(st.permutations(values))
        return ",".join(map(str, shuffled)), frozenset(values)
    start = draw(st.integers(0, 23))
    step = draw(st.integers(4, 23))
    values = list(range(start, 24, step))
    assume(len(values) == 1 or values[0] + 24 - values[-1] >= 4)
    if start == 0:
        text = draw(st.sampled_from([f"/{step}", f"*/{step}", f"0/{step}"]))
    else:
        text = f"{start}/{step}"
    return text, frozenset(values)


@st.composite
def month_fields(draw: st.DrawFn) -> tuple[str, frozenset[int]]:
    form = draw(st.sampled_from(["star", "list", "range", "step"]))
    if form == "star":
        return "*", frozenset(range(1, 13))
    if form == "list":
        chosen = draw(st.sets(st.integers(1, 12), min_size=1, max_size=12))
        parts = [MONTH_NAMES[m - 1] if draw(st.booleans()) else str(m) for m in draw(st.permutations(sorted(chosen)))]
        return ",".join(parts), frozenset(chosen)
    first = draw(st.integers(1, 12))
    last = draw(st.integers(first, 12))
    if form == "range":
        return f"{MONTH_NAMES[first - 1]}-{last}", frozenset(range(first, last + 1))
    step = draw(st.integers(1, 12))
    return f"{first}/{step}", frozenset(range(first, 13, step))


@st.composite
def day_fields(draw: st.DrawFn) -> tuple[str, str, Callable[[date], bool]]:
    """(Day-of-month, Day-of-week, oracle). Chosen so that every month has a firing day."""
    form = draw(
        st.sampled_from(
            [
                "dom_list",
                "dom_star",
                "dom_last",
                "dom_daylast",
                "dow_list",
                "dow_range",
                "dow_nth",
                "dow_last",
            ]
        )
    )
    if form == "dom_list":
        chosen = draw(st.sets(st.integers(1, 31), min_size=1, max_size=6))
        chosen.add(draw(st.integers(1, 28)))
        return ",".join(map(str, sorted(chosen))), "?", lambda d: d.day in chosen
    if form == "dom_star":
        return "*", "?", lambda d: True
    if form == "dom_last":
        return "L", "?", lambda d: d.day == calendar.monthrange(d.year, d.month)[1]
    weekday = draw(st.integers(1, 7))
    name = DAY_NAMES[weekday - 1] if draw(st.booleans()) else str(weekday)

    def is_last(d: date) -> bool:
        days_in_month = calendar.monthrange(d.year, d.month)[1]
        return cron_weekday(d) == weekday and d.day + 7 > days_in_month

    if form == "dom_daylast":
        return f"{name}L", "?", is_last
    if form == "dow_last":
        return "?", f"{name}L", is_last
    if form == "dow_nth":
        n = draw(st.integers(1, 4))
        return (
            "?",
            f"{name}#{n}",
            lambda d: cron_weekday(d) == weekday and (d.day - 1) // 7 + 1 == n,
        )
    if form == "dow_range":
        last = draw(st.integers(weekday, 7))
        return "?", f"{name}-{DAY_NAMES[last - 1]}", lambda d: weekday <= cron_weekday(d) <= last
    days = draw(st.sets(st.integers(1, 7), min_size=1))
    parts = [DAY_NAMES[x - 1] if draw(st.booleans()) else str(x) for x in sorted(days)]
    return "?", ",".join(parts), lambda d: cron_weekday(d) in days


@st.composite
def cron_cases(draw: st.DrawFn) -> CronCase:
    hours_text, hours = draw(hours_fields())
    month_text, months = draw(month_fields())
    dom, dow, day_ok = draw(day_fields())
    return CronCase(f"cron(0 {hours_text} {dom} {month_text} {dow} *)", hours, months, day_ok)


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC))


@given(case=cron_cases(), after=moments, data=st.data())
def test_generated_cron_windows_are_the_next_matching_hour(
    case: CronCase, after: datetime, data: st.DataObject
) -> None:
    cron = parse_cron(case.text)
    assert frozenset(cron.hours) == case.hours
    if len(case.hours) > 1:
        gaps = sorted(case.hours)
        limit = min([b - a for a, b in itertools.pairwise(gaps)] + [gaps[0] + 24 - gaps[-1]])
    else:
        limit = 24 - min(case.hours)
    hours = data.draw(st.one_of(st.none(), st.integers(1, limit)), label="duration hours")
    schedule = parse_rotation_rules(None, case.text, None if hours is None else f"{hours}h")

    start, end = schedule.next_window(after)

    assert start > after
    assert (start.minute, start.second, start.microsecond) == (0, 0, 0)
    assert start.tzinfo == UTC
    assert start.hour in case.hours
    assert case.fires_on(start.date())
    assert cron.matches(start)
    if hours is None:
        expected = HOUR if len(case.hours) > 1 else timedelta(hours=24 - start.hour)
    else:
        expected = timedelta(hours=hours)
    assert start < end <= start + expected
    assert end == start + expected
    # Nothing matched in between: the oracle finds no earlier window start.
    day = after.date()
    while day <= start.date():
        if case.fires_on(day):
            for hour in case.hours:
                moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
                assert not after < moment < start
        day += DAY


@given(
    value=st.integers(4, 999 * 24),
    unit=st.sampled_from(["hour", "hours"]),
    after=moments,
    data=st.data(),
)
def test_generated_rate_hours_windows(value: int, unit: str, after: datetime, data: st.DataObject) -> None:
    hours = data.draw(st.one_of(st.none(), st.integers(1, min(value, 99))), label="duration")
    schedule = parse_rotation_rules(None, f"rate({value} {unit})", None if hours is None else f"{hours}h")
    start, end = schedule.next_window(after)
    assert start > after
    assert (start.minute, start.second, start.microsecond) == (0, 0, 0)
    assert after + timedelta(hours=value) <= start < after + timedelta(hours=value) + HOUR
    assert start < end == start + timedelta(hours=1 if hours is None else hours)


@given(
    value=st.integers(1, 999),
    unit=st.sampled_from(["day", "days"]),
    after=moments,
    hours=st.one_of(st.none(), st.integers(1, 24)),
)
def test_generated_rate_days_windows(value: int, unit: str, after: datetime, hours: int | None) -> None:
    schedule = parse_rotation_rules(None, f"rate({value} {unit})", None if hours is None else f"{hours}h")
    start, end = schedule.next_window(after)
    assert start > after
    assert start == datetime(after.year, after.month, after.day, tzinfo=UTC) + timedelta(days=value)
    assert start < end <= start + DAY
    assert end == start + timedelta(hours=24 if hours is None else hours)
    assert schedule.display_days() == value


@given(value=st.integers(1, 1000), after=moments)
def test_generated_after_days_windows(value: int, after: datetime) -> None:
    schedule = parse_rotation_rules(value, None, None)
    start, end = schedule.next_window(after)
    assert start == datetime(after.year, after.month, after.day, tzinfo=UTC) + timedelta(days=value)
    assert end == start + DAY
    assert rotation_rules(schedule) == {"AutomaticallyAfterDays": value}


# --- Hypothesis: invalid expressions -----------------------------------------------------------


def assert_invalid(expression: str, duration: str | None = None) -> None:
    with pytest.raises(AwsError) as info:
        parse_rotation_rules(None, expression, duration)
    assert info.value.code == "InvalidParameterException"
    assert info.value.message


@given(minutes=st.one_of(st.integers(1, 59).map(str), st.sampled_from(["*", "0/5", "0,30", "?"])))
def test_generated_bad_minutes_rejected(minutes: str) -> None:
    assert_invalid(f"cron({minutes} 10 * * ? *)")


@given(year=st.one_of(st.integers(1970, 2199).map(str), st.sampled_from(["2024-2025", "?", "0"])))
def test_generated_year_not_star_rejected(year: str) -> None:
    assert_invalid(f"cron(0 10 * * ? {year})")


@given(
    dom=st.sampled_from(["*", "1", "1,15", "L", "1-5", "1/2", "SUNL"]),
    dow=st.sampled_from(["*", "MON", "2#1", "MON-FRI", "L", "1/2", "5L"]),
)
def test_generated_both_day_fields_set_rejected(dom: str, dow: str) -> None:
    assert_invalid(f"cron(0 10 {dom} * {dow} *)")


@given(hours=hours_fields(), months=month_fields())
def test_generated_both_day_fields_question_mark_rejected(
    hours: tuple[str, frozenset[int]], months: tuple[str, frozenset[int]]
) -> None:
    assert_invalid(f"cron(0 {hours[0]} ? {months[0]} ? *)")


unknown_names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=5).filter(
    lambda name: (
        name not in MONTH_NAMES and name not in DAY_NAMES and not (name.endswith("L") and name[:-1] in DAY_NAMES)
    )
)


@given(name=unknown_names, where=st.sampled_from(["month", "dow", "dom", "hours"]))
def test_generated_unknown_names_rejected(name: str, where: str) -> None:
    fields = {"hours": "10", "dom": "?", "month": "*", "dow": "MON"}
    if where == "dom":
        fields["dom"], fields["dow"] = name, "?"
    else:
        fields[where] = name
    assert_invalid(f"cron(0 {fields['hours']} {fields['dom']} {fields['month']} {fields['dow']} *)")


@given(first=st.integers(0, 23), gap=st.integers(1, 3), extra=st.sets(st.integers(0, 23)))
def test_generated_hours_closer_than_four_hours_rejected(first: int, gap: int, extra: set[int]) -> None:
    hours = {first, (first + gap) % 24} | extra
    assert_invalid(f"cron(0 {','.join(map(str, sorted(hours)))} * * ? *)")


def test_every_hour_increment_is_accepted_exactly_when_gaps_are_four_hours_or_more() -> None:
    # Exhaustive over start/step: increments restart each day, so the last hour of a day is
    # followed by the first one of the next (SPEC H5).
    for start in range(24):
        for step in range(1, 24):
            values = list(range(start, 24, step))
            valid = len(values) == 1 or min(step, values[0] + 24 - values[-1]) >= 4
            expression = f"cron(0 {start}/{step} * * ? *)"
            if valid:
                assert parse_cron(expression).hours == tuple(values)
            else:
                assert_invalid(expression)


@given(
    expression=st.one_of(
        st.integers(0, 3).map(lambda n: f"rate({n} hours)"),
        st.integers(0, 3).map(lambda n: f"rate({n} hour)"),
        st.just("rate(0 days)"),
        st.integers(1000, 10**6).map(lambda n: f"rate({n} days)"),
        st.integers(999 * 24 + 1, 10**7).map(lambda n: f"rate({n} hours)"),
        st.integers(1, 10**4).map(lambda n: f"rate({n} minutes)"),
    )
)
def test_generated_out_of_range_rates_rejected(expression: str) -> None:
    assert_invalid(expression)


@given(garbage=st.text(max_size=300))
def test_generated_garbage_rejected(garbage: str) -> None:
    assume(re.match(r"(?i)\s*(rate|cron)\(", garbage) is None)
    assert_invalid(garbage)


@given(
    garbage=st.text(alphabet="0123456789ABCXYZabcxyz()#?*-/, ", min_size=0, max_size=40),
    kind=st.sampled_from(["rate", "cron"]),
)
def test_generated_garbage_inside_expression_is_either_valid_or_invalid_parameter(garbage: str, kind: str) -> None:
    # Whatever the body, the only outcomes are a schedule or InvalidParameterException.
    try:
        schedule = parse_rotation_rules(None, f"{kind}({garbage})", None)
    except AwsError as exc:
        assert exc.code == "InvalidParameterException"
    else:
        start, end = schedule.next_window(datetime(2024, 1, 1, tzinfo=UTC))
        assert datetime(2024, 1, 1, tzinfo=UTC) < start < end
