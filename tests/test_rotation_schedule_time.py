"""Rotation schedules fire as the clock moves (SPEC H4-H8, H17, H23; DESIGN.md principle 5).

Once the clock (freezegun, time-machine or an injected clock) reaches the start of a secret's
next rotation window, the rotation runs the next time the mock is touched, once per window.
Hypothesis drives rate()/cron() expressions through RotateSecret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import time_machine
from botocore.exceptions import ClientError
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from support import new_client

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.choices import ROTATION_RETRIES
from sm_mock.mock import DEFAULT_ACCOUNT, DEFAULT_REGION

LAMBDA_ARN = f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:scheduled"
UTC = timezone.utc


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Counting:
    """A correct rotation function whose n-th rotation writes ``rotation-n``."""

    fail_in: str | None = None
    rotations: int = 0
    tokens: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        step, arn, token = event["Step"], event["SecretId"], event["ClientRequestToken"]
        self.steps.append(step)
        if step == self.fail_in:
            raise RuntimeError(f"{step} failed")
        client = new_client(DEFAULT_REGION)
        if step == "createSecret":
            self.tokens.append(token)
            try:
                client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            except client.exceptions.ResourceNotFoundException:
                self.rotations += 1
                client.put_secret_value(
                    SecretId=arn,
                    ClientRequestToken=token,
                    SecretString=f"rotation-{self.rotations}",
                    VersionStages=["AWSPENDING"],
                )
        elif step == "finishSecret":
            stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
            current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
            if current != token:
                client.update_secret_version_stage(
                    SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
                )


def setup(sm: SecretsManagerMock, handler: Counting, rules: dict[str, Any], *, immediately: bool) -> Any:
    client = new_client(DEFAULT_REGION)
    client.create_secret(Name="db", SecretString="initial")
    sm.register_lambda(LAMBDA_ARN, handler)
    client.rotate_secret(
        SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules=rules, RotateImmediately=immediately
    )
    return client


def password(client: Any) -> str:
    """What the application reads: every call touches the mock."""
    return str(client.get_secret_value(SecretId="db")["SecretString"])


def scheduled(sm: SecretsManagerMock) -> list[str]:
    return [r.event for r in sm.rotations.history if r.trigger == "schedule"]


# ---- cron() with freezegun and time-machine ------------------------------------------------

CRON_RULES = {"ScheduleExpression": "cron(0 2 * * ? *)", "Duration": "2h"}


def test_cron_schedule_fires_once_per_window_with_freezegun() -> None:
    with freeze_time("2026-01-01 00:30:00") as frozen, mock_secretsmanager() as sm:
        handler = Counting()
        client = setup(sm, handler, CRON_RULES, immediately=False)
        meta = client.describe_secret(SecretId="db")
        assert meta["NextRotationDate"] == utc(2026, 1, 1, 4)  # the end of the 02:00-04:00 window
        assert "LastRotatedDate" not in meta

        frozen.move_to("2026-01-01 01:59:59")
        assert password(client) == "initial"

        frozen.move_to("2026-01-01 02:00:00")
        assert password(client) == "rotation-1"  # the touching request already sees it
        meta = client.describe_secret(SecretId="db")
        assert meta["LastRotatedDate"] == utc(2026, 1, 1, 2)
        assert meta["NextRotationDate"] == utc(2026, 1, 2, 4)

        frozen.move_to("2026-01-01 03:30:00")
        assert password(client) == "rotation-1"  # once per window

        frozen.move_to("2026-01-02 02:15:00")
        assert password(client) == "rotation-2"
        assert scheduled(sm) == ["RotationStarted", "RotationSucceeded"] * 2
        assert handler.steps.count("createSecret") == 2


def test_cron_schedule_fires_once_per_window_with_time_machine() -> None:
    with time_machine.travel(utc(2026, 1, 1, 0, 30), tick=False) as traveller, mock_secretsmanager() as sm:
        client = setup(sm, Counting(), CRON_RULES, immediately=False)
        traveller.move_to(utc(2026, 1, 1, 1, 59))
        assert password(client) == "initial"
        traveller.move_to(utc(2026, 1, 1, 2, 0))
        assert password(client) == "rotation-1"
        traveller.move_to(utc(2026, 1, 1, 3, 59))
        assert password(client) == "rotation-1"
        traveller.shift(timedelta(days=1))
        assert password(client) == "rotation-2"
        assert client.describe_secret(SecretId="db")["NextRotationDate"] == utc(2026, 1, 3, 4)


def test_an_application_picks_up_the_new_credential_after_thirty_days() -> None:
    with freeze_time("2026-03-01 10:00:00") as frozen, mock_secretsmanager() as sm:
        client = setup(sm, Counting(), {"AutomaticallyAfterDays": 30}, immediately=True)
        assert password(client) == "rotation-1"
        frozen.tick(timedelta(days=29))
        assert password(client) == "rotation-1"
        frozen.tick(timedelta(days=1))
        assert password(client) == "rotation-2"
        assert client.get_secret_value(SecretId="db", VersionStage="AWSPREVIOUS")["SecretString"] == "rotation-1"


def test_an_injected_clock_drives_the_schedule() -> None:
    now = [utc(2026, 5, 1, 0, 30)]
    with mock_secretsmanager(clock=lambda: now[0]) as sm:
        client = setup(sm, Counting(), {"ScheduleExpression": "rate(4 hours)"}, immediately=True)
        assert password(client) == "rotation-1"
        # rate(N hours): N hours after the rotation, rounded up to the hour (SPEC H7).
        assert client.describe_secret(SecretId="db")["NextRotationDate"] == utc(2026, 5, 1, 6)
        now[0] = utc(2026, 5, 1, 4, 59)
        assert password(client) == "rotation-1"
        now[0] = utc(2026, 5, 1, 5, 0)
        assert password(client) == "rotation-2"
        now[0] = utc(2026, 5, 1, 9, 0)
        assert password(client) == "rotation-3"


def test_missed_windows_collapse_into_one_rotation() -> None:
    with freeze_time("2026-01-01 12:00:00") as frozen, mock_secretsmanager() as sm:
        handler = Counting()
        client = setup(sm, handler, {"ScheduleExpression": "rate(1 day)"}, immediately=False)
        frozen.tick(timedelta(days=10))
        assert password(client) == "rotation-1"
        assert password(client) == "rotation-1"
        assert handler.steps == ["testSecret", "createSecret", "setSecret", "testSecret", "finishSecret"]
        assert client.describe_secret(SecretId="db")["NextRotationDate"] == utc(2026, 1, 13)


def test_nothing_is_due_until_the_window_opens() -> None:
    with freeze_time("2026-01-01 00:00:00"), mock_secretsmanager() as sm:
        client = setup(sm, Counting(), CRON_RULES, immediately=False)
        due = sm.rotations.next_due()
        assert due == utc(2026, 1, 1, 2)
        for _ in range(20):
            password(client)
        assert sm.rotations.next_due() == due
        assert scheduled(sm) == []


# ---- the schedule and the rest of the lifecycle ---------------------------------------------


def test_cancel_stops_the_schedule_and_re_enabling_restarts_it() -> None:
    with freeze_time("2026-01-01 00:30:00") as frozen, mock_secretsmanager() as sm:
        client = setup(sm, Counting(), CRON_RULES, immediately=False)
        client.cancel_rotate_secret(SecretId="db")
        frozen.move_to("2026-01-05 03:00:00")
        assert password(client) == "initial"
        assert scheduled(sm) == []

        client.rotate_secret(SecretId="db", RotateImmediately=False)  # saved settings (SPEC H9)
        assert password(client) == "initial"
        frozen.move_to("2026-01-06 02:00:00")
        assert password(client) == "rotation-1"


def test_a_manual_write_counts_as_a_rotation_for_the_schedule() -> None:
    # SPEC H23: the next window follows the manual write.
    with freeze_time("2026-01-01 00:30:00") as frozen, mock_secretsmanager() as sm:
        client = setup(sm, Counting(), {"AutomaticallyAfterDays": 10}, immediately=False)
        assert client.describe_secret(SecretId="db")["NextRotationDate"] == utc(2026, 1, 12)
        frozen.move_to("2026-01-06 09:00:00")
        client.put_secret_value(SecretId="db", SecretString="by hand")
        meta = client.describe_secret(SecretId="db")
        assert meta["NextRotationDate"] == utc(2026, 1, 17)
        assert "LastRotatedDate" not in meta  # SPEC H25: only a rotation sets it
        frozen.move_to("2026-01-11 12:00:00")
        assert password(client) == "by hand"
        frozen.move_to("2026-01-16 01:00:00")
        assert password(client) == "rotation-1"


def test_a_failed_scheduled_rotation_is_reattempted_in_the_next_window() -> None:
    with freeze_time("2026-01-01 00:30:00") as frozen, mock_secretsmanager() as sm:
        handler = Counting(fail_in="setSecret")
        client = setup(sm, handler, CRON_RULES, immediately=False)
        frozen.move_to("2026-01-01 02:10:00")
        assert password(client) == "initial"
        failed_token = handler.tokens[-1]
        assert [r.event for r in sm.rotations.failures] == ["RotationFailed"] * (1 + ROTATION_RETRIES)
        stages = client.describe_secret(SecretId="db")["VersionIdsToStages"]
        assert stages[failed_token] == ["AWSPENDING"]

        frozen.move_to("2026-01-01 03:50:00")
        password(client)
        assert len(sm.rotations.failures) == 1 + ROTATION_RETRIES  # once per window
        frozen.move_to("2026-01-01 05:00:00")
        # SPEC H17: NextRotationDate may now lie in the past.
        assert client.describe_secret(SecretId="db")["NextRotationDate"] == utc(2026, 1, 1, 4)

        handler.fail_in = None
        frozen.move_to("2026-01-02 02:00:00")
        assert password(client) == "rotation-1"
        # The rotation in progress was reattempted with its own token (SPEC H18).
        assert set(handler.tokens) == {failed_token}
        assert client.describe_secret(SecretId="db")["VersionIdsToStages"][failed_token] == ["AWSCURRENT"]


def test_a_secret_scheduled_for_deletion_is_not_rotated_until_restored() -> None:
    with freeze_time("2026-01-01 00:30:00") as frozen, mock_secretsmanager() as sm:
        client = setup(sm, Counting(), CRON_RULES, immediately=False)
        client.delete_secret(SecretId="db", RecoveryWindowInDays=7)
        frozen.move_to("2026-01-01 02:30:00")
        client.describe_secret(SecretId="db")
        assert scheduled(sm) == []
        client.restore_secret(SecretId="db")
        frozen.move_to("2026-01-02 02:30:00")
        assert password(client) == "rotation-1"


def test_a_rotation_left_in_progress_by_rotate_secret_blocks_nothing_in_the_schedule() -> None:
    # The scheduler reattempts the rotation in progress instead of failing with SPEC H18.
    with freeze_time("2026-01-01 00:30:00") as frozen, mock_secretsmanager() as sm:
        handler = Counting(fail_in="testSecret")
        client = setup(sm, handler, CRON_RULES, immediately=True)
        with pytest.raises(ClientError):
            client.rotate_secret(SecretId="db")  # SPEC H18
        handler.fail_in = None
        frozen.move_to("2026-01-01 02:00:00")
        assert password(client) == "rotation-1"
        assert len(set(handler.tokens)) == 1


# ---- Hypothesis: rate() and cron() through RotateSecret -------------------------------------

DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
MONTH_FIELDS = ["*", "1/3", "JAN,JUL", "2-11", "*/2", "DEC"]


@st.composite
def valid_rates(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        hours = draw(st.integers(4, 999 * 24))
        return f"rate({hours} {draw(st.sampled_from(['hour', 'hours']))})"
    days = draw(st.integers(1, 999))
    return f"rate({days} {draw(st.sampled_from(['day', 'days']))})"


@st.composite
def valid_crons(draw: st.DrawFn) -> str:
    first = draw(st.integers(0, 23))
    if draw(st.booleans()):
        hours = str(first)
    else:
        step = draw(st.integers(4, 12))
        values = list(range(first % step, 24, step))
        if values[0] + 24 - values[-1] < 4:
            values = values[:-1]
        hours = ",".join(map(str, values))
    day_pair = draw(
        st.sampled_from(
            [
                ("*", "?"),
                (str(draw(st.integers(1, 28))), "?"),
                ("1,15", "?"),
                ("L", "?"),
                ("?", "MON-FRI"),
                ("?", f"{draw(st.sampled_from(DAY_NAMES))}#{draw(st.integers(1, 4))}"),
                ("?", str(draw(st.integers(1, 7)))),
                ("?", f"{draw(st.sampled_from(DAY_NAMES))}L"),
            ]
        )
    )
    return f"cron(0 {hours} {day_pair[0]} {draw(st.sampled_from(MONTH_FIELDS))} {day_pair[1]} *)"


invalid_expressions = st.one_of(
    st.integers(1, 3).map(lambda n: f"rate({n} hours)"),
    st.integers(1000, 5000).map(lambda n: f"rate({n} days)"),
    st.integers(24 * 999 + 1, 10**6).map(lambda n: f"rate({n} hours)"),
    st.integers(1, 100).map(lambda n: f"rate({n} minutes)"),
    st.just("rate(0 days)"),
    st.integers(1, 59).map(lambda m: f"cron({m} 2 * * ? *)"),
    st.integers(2020, 2030).map(lambda y: f"cron(0 2 * * ? {y})"),
    st.just("cron(0 2 ? * ? *)"),
    st.just("cron(0 2 * * MON *)"),
    st.just("cron(0 2 * * ?)"),
    st.integers(24, 99).map(lambda h: f"cron(0 {h} * * ? *)"),
    st.integers(1, 3).map(lambda gap: f"cron(0 0,{gap} * * ? *)"),
    st.integers(13, 20).map(lambda m: f"cron(0 2 1 {m} ? *)"),
    st.just("cron(0 2 30 FEB ? *)"),
    st.just("every day"),
)


def _rotate(expression: str) -> tuple[Any, str | None]:
    with mock_secretsmanager() as sm:
        client = new_client(DEFAULT_REGION)
        client.create_secret(Name="db", SecretString="initial")
        sm.register_lambda(LAMBDA_ARN, Counting())
        try:
            client.rotate_secret(
                SecretId="db",
                RotationLambdaARN=LAMBDA_ARN,
                RotationRules={"ScheduleExpression": expression},
                RotateImmediately=False,
            )
        except ClientError as exc:
            return client.describe_secret(SecretId="db"), exc.response["Error"]["Code"]
        return client.describe_secret(SecretId="db"), None


@given(expression=st.one_of(valid_rates(), valid_crons()))
def test_generated_valid_expressions_are_accepted(expression: str) -> None:
    meta, error = _rotate(expression)
    assert error is None
    assert meta["RotationEnabled"] is True
    assert meta["RotationRules"]["ScheduleExpression"] == expression
    assert meta["NextRotationDate"] > meta["CreatedDate"]


@given(expression=invalid_expressions)
def test_generated_invalid_expressions_are_rejected(expression: str) -> None:
    meta, error = _rotate(expression)
    assert error == "InvalidParameterException"  # SPEC H5 recommendation
    assert "RotationEnabled" not in meta
