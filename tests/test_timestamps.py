"""Timestamps on the wire: epoch seconds kept to the millisecond, as AWS keeps them.

The mock's clock reads microseconds; what a request stamps on a secret (CreatedDate,
LastChangedDate, DeletedDate, DeletionDate) is cut to the millisecond, because the real service
answers three decimals of a second.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sm_mock import ManualClock, mock_secretsmanager
from sm_mock.clock import to_milliseconds

#: A clock reading with a sub-millisecond part (456 µs) that must not reach the wire.
START = datetime(2031, 3, 4, 5, 6, 7, 123456, tzinfo=timezone.utc)
CUT = START.replace(microsecond=123000)


def test_to_milliseconds_drops_only_the_sub_millisecond_part() -> None:
    assert to_milliseconds(START) == CUT
    assert to_milliseconds(CUT) is CUT  # already whole milliseconds: the same object
    assert to_milliseconds(START).tzinfo is timezone.utc


def test_dates_a_request_stamps_are_whole_milliseconds() -> None:
    clock = ManualClock(START)
    with mock_secretsmanager(clock=clock) as sm:
        client = sm.client()
        created = client.create_secret(Name="app/db", SecretString="s3cret")
        described = client.describe_secret(SecretId="app/db")
        assert described["CreatedDate"] == CUT
        assert described["LastChangedDate"] == CUT
        assert client.get_secret_value(SecretId="app/db")["CreatedDate"] == CUT
        [entry] = client.list_secrets()["SecretList"]
        assert entry["CreatedDate"] == CUT and entry["LastChangedDate"] == CUT
        versions = client.list_secret_version_ids(SecretId=created["ARN"])["Versions"]
        assert versions[0]["CreatedDate"] == CUT

        clock.advance(seconds=1, microseconds=999)  # 12:…:08.124455
        deleted = client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
        later = CUT + timedelta(seconds=1, milliseconds=1)
        assert deleted["DeletionDate"] == later + timedelta(days=7)
        assert client.describe_secret(SecretId="app/db")["DeletedDate"] == later
        # The clock itself keeps its microseconds (rate quotas refill per microsecond).
        assert sm.clock.now().microsecond == 124455


def test_secrets_seeded_through_the_backend_are_stamped_the_same_way() -> None:
    with mock_secretsmanager(clock=ManualClock(START)) as sm:
        sm.backend.create_secret("seeded/one", secret_string="v")
        sm.backend.create_secrets([{"name": "seeded/two", "secret_string": "v"}])
        client = sm.client()
        for name in ("seeded/one", "seeded/two"):
            assert client.describe_secret(SecretId=name)["CreatedDate"] == CUT


def test_the_wire_carries_three_decimals_at_most() -> None:
    with mock_secretsmanager(clock=ManualClock(START)) as sm:
        client = sm.client()
        client.create_secret(Name="app/raw", SecretString="v")
        bodies: list[bytes] = []
        client.meta.events.register(
            "after-call.secrets-manager.DescribeSecret",
            lambda http_response, **kwargs: bodies.append(http_response.content),
        )
        client.describe_secret(SecretId="app/raw")
        assert b'"CreatedDate":' + str(CUT.timestamp()).encode() in bodies[0]
        assert str(CUT.timestamp()).endswith(".123")


def test_a_clock_in_another_zone_is_read_in_utc() -> None:
    # LastAccessedDate is the UTC day (SPEC P3): 22:00 at UTC-5 on Jan 1 is 03:00 UTC on Jan 2.
    from datetime import date

    eastern = timezone(timedelta(hours=-5))
    clock = ManualClock(datetime(2030, 1, 1, 22, 0, tzinfo=eastern))
    assert clock.now() == datetime(2030, 1, 2, 3, 0, tzinfo=timezone.utc)
    assert clock.now().tzinfo is timezone.utc
    with mock_secretsmanager(clock=clock) as sm:
        client = sm.client()
        client.create_secret(Name="z", SecretString="v")
        client.get_secret_value(SecretId="z")
        accessed = client.describe_secret(SecretId="z")["LastAccessedDate"]
        assert accessed.astimezone(timezone.utc).date() == date(2030, 1, 2)
        clock.set(datetime(2030, 1, 5, 23, 30, tzinfo=eastern))
        assert sm.clock.now() == datetime(2030, 1, 6, 4, 30, tzinfo=timezone.utc)
    with mock_secretsmanager(clock=lambda: datetime(2030, 1, 1, 22, 0, tzinfo=eastern)) as sm:
        assert sm.clock.now() == datetime(2030, 1, 2, 3, 0, tzinfo=timezone.utc)
