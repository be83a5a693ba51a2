"""Version retention (SPEC D9, D10) and the staging-label quota (SPEC D4), through boto3.

Versions without labels are deprecated. Once a write would give a secret more than
``max_versions`` (100) versions, the oldest deprecated versions that are at least 24 hours
old are pruned, just enough of them; if that is not enough the write fails with
LimitExceededException and changes nothing. Labelled versions are never pruned.
The Hypothesis test at the end drives random writes, label moves and clock jumps and checks
every step against an independent reference model of these rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import time_machine
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st
from support import error_code

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.model.labels import check_invariants

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
DAY = timedelta(hours=24)


@pytest.fixture
def traveller() -> Iterator[Any]:
    """time-machine, frozen at START; ``.shift()`` moves it."""
    with time_machine.travel(START, tick=False) as coordinates:
        yield coordinates


def _versions(client: Any, name: str) -> list[dict[str, Any]]:
    """Every version, deprecated ones included, oldest first (all pages)."""
    out: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"SecretId": name, "IncludeDeprecated": True, "MaxResults": 100}
    while True:
        page = client.list_secret_version_ids(**kwargs)
        out.extend(page["Versions"])
        if not page.get("NextToken"):
            return out
        kwargs["NextToken"] = page["NextToken"]


def _ids(client: Any, name: str) -> list[str]:
    return [v["VersionId"] for v in _versions(client, name)]


def _labels(client: Any, name: str) -> dict[str, str]:
    """label -> version id, as the client sees it."""
    return {
        label: vid
        for vid, stages in client.describe_secret(SecretId=name).get("VersionIdsToStages", {}).items()
        for label in stages
    }


def _state(sm: SecretsManagerMock, client: Any, name: str) -> tuple[Any, ...]:
    secret = sm.backend.get(name, account_id=sm.account_id, region=sm.region)
    described = client.describe_secret(SecretId=name)
    described.pop("ResponseMetadata")
    return (_versions(client, name), described, dict(secret.stages), list(secret.versions))


def _limit_exceeded(fn: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as info:
        fn(**params)
    assert error_code(info.value) == "LimitExceededException", info.value.response["Error"]
    return str(info.value.response["Error"]["Message"])


def _fill(client: Any, name: str, total: int) -> list[str]:
    """Create ``name`` and write until it has ``total`` versions; returns their ids."""
    ids = [client.create_secret(Name=name, SecretString="v0")["VersionId"]]
    for i in range(1, total):
        ids.append(client.put_secret_value(SecretId=name, SecretString=f"v{i}")["VersionId"])
    return ids


# ---- the versions quota at its real value -------------------------------------------------------
def test_the_101st_recent_version_is_refused_and_changes_nothing(traveller: Any) -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        ids = _fill(client, "s", 100)
        assert len(_ids(client, "s")) == 100
        before = _state(sm, client, "s")
        message = _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="one too many")
        assert "100" in message
        _limit_exceeded(client.update_secret, SecretId="s", SecretString="one too many")
        _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="x", VersionStages=["CUSTOM"])
        assert _state(sm, client, "s") == before
        assert client.get_secret_value(SecretId="s")["VersionId"] == ids[-1]


def test_a_day_later_the_write_succeeds_and_prunes_only_the_oldest_deprecated_version(traveller: Any) -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        ids = _fill(client, "s", 100)
        traveller.shift(DAY - timedelta(seconds=1))
        _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="too early")  # 23:59:59 old
        traveller.shift(timedelta(seconds=1))
        new = client.put_secret_value(SecretId="s", SecretString="on time")["VersionId"]
        assert _ids(client, "s") == [*ids[1:], new]  # exactly one pruned, the oldest
        labels = _labels(client, "s")
        assert labels == {"AWSCURRENT": new, "AWSPREVIOUS": ids[-1]}
        check_invariants(sm.backend.get("s", account_id=sm.account_id, region=sm.region), sm.limits)


def test_labelled_versions_are_never_pruned(traveller: Any) -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        ids = _fill(client, "s", 100)
        client.update_secret_version_stage(SecretId="s", VersionStage="KEEP", MoveToVersionId=ids[0])
        traveller.shift(2 * DAY)
        new = client.put_secret_value(SecretId="s", SecretString="x")["VersionId"]
        remaining = _ids(client, "s")
        assert ids[0] in remaining
        assert ids[1] not in remaining
        assert remaining == [ids[0], *ids[2:], new]


def test_a_secret_whose_versions_are_all_labelled_cannot_grow(traveller: Any) -> None:
    with mock_secretsmanager(max_versions=3) as sm:
        client = sm.client()
        ids = _fill(client, "s", 3)
        client.update_secret_version_stage(SecretId="s", VersionStage="KEEP", MoveToVersionId=ids[0])
        # ids[1] loses AWSPREVIOUS in the next write; a custom label keeps it labelled.
        client.update_secret_version_stage(SecretId="s", VersionStage="KEEP2", MoveToVersionId=ids[1])
        traveller.shift(30 * DAY)
        _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="x")
        client.update_secret_version_stage(SecretId="s", VersionStage="KEEP", RemoveFromVersionId=ids[0])
        client.put_secret_value(SecretId="s", SecretString="x")  # ids[0] is deprecated now
        assert ids[0] not in _ids(client, "s")


# ---- ages, order and the number pruned ----------------------------------------------------------
def test_young_deprecated_versions_are_kept_while_old_ones_are_pruned_oldest_first(traveller: Any) -> None:
    with mock_secretsmanager(max_versions=5) as sm:
        client = sm.client()
        v = _fill(client, "s", 3)  # v0, v1, v2 at START
        traveller.shift(timedelta(hours=20))
        v += [client.put_secret_value(SecretId="s", SecretString=f"v{i}")["VersionId"] for i in (3, 4)]
        traveller.shift(timedelta(hours=4))  # v0..v2 are 24h old, v3/v4 only 4h
        for i in (5, 6, 7):
            v.append(client.put_secret_value(SecretId="s", SecretString=f"v{i}")["VersionId"])
            assert len(_ids(client, "s")) == 5  # one pruned per write, never more
        assert _ids(client, "s") == v[3:8]
        _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="x")  # v3..v5 too young
        traveller.shift(timedelta(hours=20))  # v3, v4 now 24h old; v5 not yet
        v.append(client.put_secret_value(SecretId="s", SecretString="v8")["VersionId"])
        v.append(client.put_secret_value(SecretId="s", SecretString="v9")["VersionId"])
        assert _ids(client, "s") == v[5:10]
        _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="x")


def test_nothing_is_pruned_while_the_secret_is_under_the_quota(traveller: Any) -> None:
    with mock_secretsmanager(max_versions=10) as sm:
        client = sm.client()
        ids = _fill(client, "s", 5)
        traveller.shift(100 * DAY)
        ids.append(client.put_secret_value(SecretId="s", SecretString="x")["VersionId"])
        assert _ids(client, "s") == ids  # old deprecated versions stay until the quota is reached


def test_a_deprecated_version_is_readable_by_id_until_it_is_pruned(traveller: Any) -> None:
    with mock_secretsmanager(max_versions=3) as sm:
        client = sm.client()
        ids = _fill(client, "s", 3)
        assert client.get_secret_value(SecretId="s", VersionId=ids[0])["SecretString"] == "v0"  # SPEC D9
        # choices.EMPTY_VERSION_STAGES_OMITTED (SM-108, SPEC A9): no empty VersionStages list.
        assert "VersionStages" not in client.get_secret_value(SecretId="s", VersionId=ids[0])
        listed = client.list_secret_version_ids(SecretId="s")["Versions"]
        assert ids[0] not in [v["VersionId"] for v in listed]  # hidden without IncludeDeprecated
        traveller.shift(DAY)
        client.put_secret_value(SecretId="s", SecretString="v3")
        with pytest.raises(ClientError) as info:
            client.get_secret_value(SecretId="s", VersionId=ids[0])
        assert error_code(info.value) == "ResourceNotFoundException"
        assert info.value.response["Error"]["Message"] == (
            f"Secrets Manager can't find the specified secret value for VersionId: {ids[0]}"  # SM-018
        )


def test_a_rollback_works_until_the_old_version_is_pruned(traveller: Any) -> None:
    """The issue's scenario: moving AWSCURRENT back works only while the version exists."""
    with mock_secretsmanager(max_versions=3) as sm:
        client = sm.client()
        ids = _fill(client, "s", 3)
        client.update_secret_version_stage(
            SecretId="s", VersionStage="AWSCURRENT", MoveToVersionId=ids[1], RemoveFromVersionId=ids[2]
        )
        assert client.get_secret_value(SecretId="s")["SecretString"] == "v1"
        client.update_secret_version_stage(
            SecretId="s", VersionStage="AWSCURRENT", MoveToVersionId=ids[2], RemoveFromVersionId=ids[1]
        )
        traveller.shift(DAY)
        client.put_secret_value(SecretId="s", SecretString="v3")  # prunes ids[0]
        with pytest.raises(ClientError) as info:
            client.update_secret_version_stage(
                SecretId="s", VersionStage="AWSCURRENT", MoveToVersionId=ids[0], RemoveFromVersionId=ids[2]
            )
        assert error_code(info.value) == "InvalidParameterException"


def test_the_versions_quota_and_the_prune_age_are_overridable(traveller: Any) -> None:
    with mock_secretsmanager(max_versions=2, prune_min_age_seconds=60) as sm:
        assert sm.limits.max_versions == 2
        client = sm.client()
        ids = _fill(client, "s", 2)
        message = _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="x")
        assert "(2)" in message
        traveller.shift(timedelta(seconds=59))
        _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="x")
        traveller.shift(timedelta(seconds=1))
        client.put_secret_value(SecretId="s", SecretString="x")  # ids[0] is AWSPREVIOUS-free now
        assert ids[0] not in _ids(client, "s")


# ---- the staging-label quota (SPEC D4) ----------------------------------------------------------
def _twenty_labels(client: Any) -> list[str]:
    v0 = client.create_secret(Name="s", SecretString="v0")["VersionId"]
    custom = [f"L{i}" for i in range(1, 20)]
    v1 = client.put_secret_value(SecretId="s", SecretString="v1", VersionStages=custom)["VersionId"]
    assert len(_labels(client, "s")) == 20
    return [v0, v1]


def test_a_secret_can_carry_20_labels_and_a_21st_is_refused(sm: SecretsManagerMock) -> None:
    client = sm.client()
    v0, v1 = _twenty_labels(client)
    before = _state(sm, client, "s")
    message = _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="x", VersionStages=["L20"])
    assert "20" in message
    _limit_exceeded(client.update_secret_version_stage, SecretId="s", VersionStage="L20", MoveToVersionId=v0)
    # A plain write would add AWSPREVIOUS, the 21st label.
    _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="x")
    _limit_exceeded(client.update_secret, SecretId="s", SecretString="x")
    assert _state(sm, client, "s") == before
    # Moving a label that exists keeps the count at 20.
    client.update_secret_version_stage(SecretId="s", VersionStage="L1", MoveToVersionId=v0, RemoveFromVersionId=v1)
    client.put_secret_value(SecretId="s", SecretString="y", VersionStages=["L2", "L3"])
    assert len(_labels(client, "s")) == 20
    # Removing one makes room again.
    client.update_secret_version_stage(SecretId="s", VersionStage="L4", RemoveFromVersionId=v1)
    client.update_secret_version_stage(SecretId="s", VersionStage="L20", MoveToVersionId=v1)
    assert len(_labels(client, "s")) == 20


def test_more_than_20_labels_in_one_put_is_invalid(sm: SecretsManagerMock) -> None:
    client = sm.client()
    client.create_secret(Name="s", SecretString="v0")
    with pytest.raises(ClientError) as info:
        client.put_secret_value(SecretId="s", SecretString="x", VersionStages=[f"L{i}" for i in range(21)])
    assert error_code(info.value) == "ValidationException"  # [MODEL] VersionStages max 20: a model violation
    assert len(_ids(client, "s")) == 1


def test_the_label_quota_is_overridable() -> None:
    with mock_secretsmanager(max_labels=3) as sm:
        client = sm.client()
        client.create_secret(Name="s", SecretString="v0")
        client.put_secret_value(SecretId="s", SecretString="v1")  # AWSCURRENT + AWSPREVIOUS
        client.put_secret_value(SecretId="s", SecretString="v2", VersionStages=["A"])
        message = _limit_exceeded(client.put_secret_value, SecretId="s", SecretString="v3", VersionStages=["B"])
        assert "at most 3" in message


# ---- Hypothesis: random writes, label moves and clock jumps -------------------------------------
MAX_VERSIONS = 4
LABELS = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "L1", "L2"]

_put = st.tuples(
    st.just("put"), st.one_of(st.none(), st.lists(st.sampled_from(LABELS), min_size=1, max_size=3, unique=True))
)
_update = st.tuples(st.just("update"))
_move = st.tuples(
    st.just("move"), st.sampled_from(LABELS), st.integers(0, 40), st.one_of(st.none(), st.integers(0, 40))
)
_remove = st.tuples(st.just("remove"), st.sampled_from(LABELS), st.integers(0, 40))
_jump = st.tuples(st.just("jump"), st.sampled_from([0, 1, 6, 12, 23, 24, 25, 48]))
PROGRAMS = st.lists(st.one_of(_put, _update, _move, _remove, _jump), min_size=1, max_size=40)


def _reference_plan(labels: dict[str, str], new: str, stages: list[str] | None) -> dict[str, str]:
    """SPEC D5-D7 and SM-094, restated: the labels after a value write."""
    current = labels.get("AWSCURRENT")
    wanted = list(stages) if stages is not None else ["AWSCURRENT"]
    if current is None and "AWSCURRENT" not in wanted:
        wanted.append("AWSCURRENT")
    planned = dict(labels)
    for label in wanted:
        planned[label] = new
    if "AWSCURRENT" in wanted and current is not None:
        planned["AWSPREVIOUS"] = current
        if "AWSPENDING" not in wanted:
            planned.pop("AWSPENDING", None)
    if planned.get("AWSPREVIOUS") == planned.get("AWSCURRENT"):
        planned.pop("AWSPREVIOUS", None)
    return planned


class Reference:
    """The retention rules of SPEC D10 as a plain model: ids oldest first, creation times."""

    def __init__(self, first: str, now: datetime) -> None:
        self.created: dict[str, datetime] = {first: now}
        self.labels: dict[str, str] = {"AWSCURRENT": first}

    def write(self, new: str, stages: list[str] | None, now: datetime, limits: Any) -> bool:
        """Apply a write; False when it must fail with LimitExceededException."""
        planned = _reference_plan(self.labels, new, stages)
        if len(planned) > limits.max_labels:
            return False
        excess = len(self.created) + 1 - limits.max_versions
        labelled = set(planned.values())
        old_enough = [
            vid
            for vid, created in self.created.items()
            if vid not in labelled and now - created >= timedelta(seconds=limits.prune_min_age_seconds)
        ]
        if excess > len(old_enough):
            return False
        for vid in old_enough[: max(excess, 0)]:
            del self.created[vid]
        self.created[new] = now
        self.labels = planned
        return True


def _observed(client: Any) -> tuple[dict[str, datetime], dict[str, str]]:
    versions = client.list_secret_version_ids(SecretId="p", IncludeDeprecated=True)["Versions"]
    created = {v["VersionId"]: v["CreatedDate"] for v in versions}
    labels = {label: v["VersionId"] for v in versions for label in v.get("VersionStages", [])}
    return created, labels


@given(PROGRAMS)
def test_retention_rules_hold_after_every_write_move_and_clock_jump(program: list[tuple[Any, ...]]) -> None:
    with time_machine.travel(START, tick=False) as traveller, mock_secretsmanager(max_versions=MAX_VERSIONS) as sm:
        client = sm.client()
        limits = sm.limits
        now = START
        ref = Reference(client.create_secret(Name="p", SecretString="v")["VersionId"], now)
        every_id = list(ref.created)
        for n, step in enumerate(program):
            kind = step[0]
            before = _observed(client)
            if kind == "jump":
                traveller.shift(timedelta(hours=step[1]))
                now += timedelta(hours=step[1])
            elif kind in ("put", "update"):
                stages = step[1] if kind == "put" else None
                token = f"{n:04d}" + "0" * 28 + f"{len(every_id):04d}"
                try:
                    if kind == "put":
                        kwargs: dict[str, Any] = {"SecretId": "p", "SecretString": f"v{n}", "ClientRequestToken": token}
                        if stages is not None:
                            kwargs["VersionStages"] = stages
                        client.put_secret_value(**kwargs)
                    else:
                        client.update_secret(SecretId="p", SecretString=f"v{n}", ClientRequestToken=token)
                    succeeded = True
                except ClientError as error:
                    assert error_code(error) == "LimitExceededException", error.response["Error"]
                    succeeded = False
                assert succeeded == ref.write(token, stages, now, limits), (step, before)
                every_id.append(token)
            else:
                label = step[1]
                try:
                    if kind == "move":
                        kwargs = {
                            "SecretId": "p",
                            "VersionStage": label,
                            "MoveToVersionId": every_id[step[2] % len(every_id)],
                        }
                        if step[3] is not None:
                            kwargs["RemoveFromVersionId"] = every_id[step[3] % len(every_id)]
                    else:
                        kwargs = {
                            "SecretId": "p",
                            "VersionStage": label,
                            "RemoveFromVersionId": every_id[step[2] % len(every_id)],
                        }
                    client.update_secret_version_stage(**kwargs)
                except ClientError as error:
                    assert error_code(error) in {"InvalidParameterException", "InvalidRequestException"}
                    assert _observed(client) == before  # a failed request changes nothing
                # A label move never creates or prunes a version (the count is within quota).
                ref.labels = _observed(client)[1]
            created, labels = _observed(client)
            # D10 after every step: the reference model and the mock agree exactly ...
            assert created == ref.created, (step, before)
            assert labels == ref.labels
            # ... and the rules hold directly too.
            assert len(created) <= MAX_VERSIONS
            assert set(labels.values()) <= set(created)  # labelled versions are never pruned
            pruned = set(before[0]) - set(created)
            if kind not in ("put", "update"):
                assert not pruned  # only a value write prunes; moves and time alone never do
            deprecated = [vid for vid in created if vid not in labels.values()]
            for vid in pruned:
                assert now - before[0][vid] >= DAY  # nothing younger than 24h was pruned
                assert all(before[0][vid] <= created[kept] for kept in deprecated)  # oldest first
            assert list(created) == sorted(created, key=lambda vid: (created[vid], every_id.index(vid)))
            check_invariants(sm.backend.get("p", account_id=sm.account_id, region=sm.region), limits)


def test_an_idempotent_retry_of_a_deprecated_version_leaves_version_stages_out() -> None:
    # choices.EMPTY_VERSION_STAGES_OMITTED (SM-108, SPEC A9), as ListSecretVersionIds does.
    with mock_secretsmanager() as sm:
        client = sm.client()
        token = client.create_secret(Name="s", SecretString="a")["VersionId"]
        client.put_secret_value(SecretId="s", SecretString="b")
        latest = client.put_secret_value(SecretId="s", SecretString="c")["VersionId"]  # the first is deprecated now
        retry = client.put_secret_value(SecretId="s", SecretString="a", ClientRequestToken=token)
        assert retry["VersionId"] == token and "VersionStages" not in retry
        again = client.put_secret_value(SecretId="s", SecretString="c", ClientRequestToken=latest)
        assert again["VersionStages"] == ["AWSCURRENT"]  # a labelled version keeps its list (SM-093)
