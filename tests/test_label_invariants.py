"""Property tests of the staging-label invariants (DESIGN.md "Model invariants"), driven
through a real boto3 client with random sequences of writes and label moves."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.model.labels import check_invariants

LABELS = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "L1", "L2", "L3"]

put = st.tuples(
    st.just("put"),
    st.one_of(st.none(), st.lists(st.sampled_from(LABELS), min_size=1, max_size=3, unique=True)),
)
move = st.tuples(st.just("move"), st.sampled_from(LABELS), st.integers(0, 30), st.one_of(st.none(), st.integers(0, 30)))
remove = st.tuples(st.just("remove"), st.sampled_from(LABELS), st.integers(0, 30))
steps = st.lists(st.one_of(put, move, remove), min_size=1, max_size=25)


def _labels(client: Any, name: str) -> dict[str, list[str]]:
    described = client.describe_secret(SecretId=name)
    return dict(described.get("VersionIdsToStages", {}))


def _apply(client: Any, name: str, versions: list[str], step: tuple[Any, ...]) -> None:
    kind = step[0]
    try:
        if kind == "put":
            kwargs: dict[str, Any] = {"SecretId": name, "SecretString": f"value-{len(versions)}"}
            if step[1] is not None:
                kwargs["VersionStages"] = step[1]
            versions.append(client.put_secret_value(**kwargs)["VersionId"])
        elif kind == "move":
            label, to_index, from_index = step[1], step[2], step[3]
            kwargs = {"SecretId": name, "VersionStage": label, "MoveToVersionId": versions[to_index % len(versions)]}
            if from_index is not None:
                kwargs["RemoveFromVersionId"] = versions[from_index % len(versions)]
            client.update_secret_version_stage(**kwargs)
        else:
            label, from_index = step[1], step[2]
            client.update_secret_version_stage(
                SecretId=name, VersionStage=label, RemoveFromVersionId=versions[from_index % len(versions)]
            )
    except ClientError as error:
        assert error.response["Error"]["Code"] in {"InvalidParameterException", "InvalidRequestException"}


def _check(sm: SecretsManagerMock, client: Any, name: str, versions: list[str]) -> None:
    secret = sm.backend.get(name, account_id=sm.account_id, region=sm.region)
    check_invariants(secret, sm.limits)
    seen = _labels(client, name)
    # One label is on at most one version, as the client sees it too.
    flat = [label for stages in seen.values() for label in stages]
    assert len(flat) == len(set(flat))
    current = [vid for vid, stages in seen.items() if "AWSCURRENT" in stages]
    assert len(current) == 1
    value = client.get_secret_value(SecretId=name)
    assert value["VersionId"] == current[0]
    assert set(value["VersionStages"]) == set(seen[current[0]])
    previous = [vid for vid, stages in seen.items() if "AWSPREVIOUS" in stages]
    assert previous != current


@given(steps)
def test_label_invariants_hold_after_any_sequence_of_writes_and_moves(program: list[tuple[Any, ...]]) -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        versions = [client.create_secret(Name="p", SecretString="value-0")["VersionId"]]
        for step in program:
            before = _labels(client, "p")
            _apply(client, "p", versions, step)
            _check(sm, client, "p", versions)
            if sm.calls[-1].error_code is not None:
                assert _labels(client, "p") == before  # a failed request changes nothing


@given(steps)
def test_a_put_without_stages_always_makes_the_new_version_current(program: list[tuple[Any, ...]]) -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        versions = [client.create_secret(Name="q", SecretString="value-0")["VersionId"]]
        for step in program:
            _apply(client, "q", versions, step)
        old_current = client.get_secret_value(SecretId="q")["VersionId"]
        new = client.put_secret_value(SecretId="q", SecretString="fresh")["VersionId"]
        labels = _labels(client, "q")
        assert "AWSCURRENT" in labels[new]
        assert "AWSPENDING" not in {label for stages in labels.values() for label in stages}  # SM-094
        if old_current != new:
            assert "AWSPREVIOUS" in labels[old_current]
