"""check_rotation_function proves a correct rotation function and catches broken ones (issue 19).

The handler and its five broken variants are in ``checker_handlers``; each variant must fail
with a story a person can follow: numbered steps, what broke, the versions at that moment, and
no value the function generated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import rotation_handlers
from checker_handlers import DATABASE, GENERATED, ORIGINAL, make_handler

import sm_mock
from sm_mock import SecretsManagerMock
from sm_mock.testing import check_rotation_function

sm_mock.attach(rotation_handlers.client)


@pytest.fixture(autouse=True)
def database() -> Iterator[None]:
    DATABASE.reset()
    yield
    DATABASE.reset()


def reset_database(sm: SecretsManagerMock) -> None:
    DATABASE.reset()


def check(handler: Any, *, max_examples: int = 100, seed: int = 0) -> None:
    check_rotation_function(
        handler,
        secret_string=ORIGINAL,
        accept=DATABASE.accepts,
        setup=reset_database,
        max_examples=max_examples,
        seed=seed,
    )


def story_of(handler: Any, seed: int = 0) -> str:
    GENERATED.clear()
    with pytest.raises(AssertionError) as info:
        check(handler, seed=seed)
    story = str(info.value)
    assert story.startswith("check_rotation_function: your rotation function broke")
    assert f"seed={seed} reproduces it" in story
    assert "\n  1. RotateSecret started the rotation of version T" in story
    assert "\nWhat broke: " in story
    assert "\nThe secret's versions and labels at that moment:\n    V0: value A" in story
    # Values are named, never shown: none of the passwords the function generated appears.
    assert GENERATED, "no example generated a password"
    assert not [password for password in GENERATED if password in story]
    return story


@pytest.mark.slow  # seconds: the suite's one run of 100 examples
def test_a_correct_rotation_function_passes_100_examples() -> None:
    check(make_handler(), max_examples=100, seed=1)


def test_the_template_style_handler_passes_with_the_default_accept() -> None:
    check_rotation_function(rotation_handlers.lambda_handler, secret_string=ORIGINAL, max_examples=15, seed=2)


def test_a_create_secret_that_does_not_reuse_awspending_is_caught() -> None:
    story = story_of(make_handler(reuse_pending=False))
    assert "createSecret" in story
    assert "ResourceExistsException" in story


def test_a_finish_secret_that_does_not_check_awscurrent_is_caught() -> None:
    story = story_of(make_handler(finish_checks_current=False))
    assert "finishSecret" in story
    assert "VersionStage=AWSPREVIOUS" in story


def test_a_set_secret_that_is_not_idempotent_is_caught() -> None:
    story = story_of(make_handler(idempotent_set=False))
    assert "What broke: setSecret" in story
    assert "PasswordReuseError" in story


def test_a_handler_that_ignores_the_token_is_caught() -> None:
    story = story_of(make_handler(use_token=False))
    assert "new version X1" in story
    assert "ClientRequestToken" in story.split("What broke:")[1]


@pytest.mark.slow  # seconds: Hypothesis needs many examples to find the fault between the two calls
def test_a_handler_that_removes_awspending_before_moving_awscurrent_is_caught() -> None:
    story = story_of(make_handler(pending_removed_last=False))
    assert "AWSPENDING removed from T" in story


def test_the_same_seed_tells_the_same_story() -> None:
    assert story_of(make_handler(reuse_pending=False), seed=5) == story_of(make_handler(reuse_pending=False), seed=5)


def _writes(value: dict[str, Any]) -> Any:
    """A minimal correct rotation function whose new version holds ``value`` (the PutSecretValue
    keyword: SecretString or SecretBinary), whatever the old one held."""

    def rotation(event: dict[str, Any], context: Any) -> None:
        client = rotation_handlers.client
        arn, token = event["SecretId"], event["ClientRequestToken"]
        stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
        if "AWSCURRENT" in stages[token]:
            return
        if event["Step"] == "createSecret":
            try:
                client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            except client.exceptions.ResourceNotFoundException:
                client.put_secret_value(SecretId=arn, ClientRequestToken=token, VersionStages=["AWSPENDING"], **value)
        elif event["Step"] == "finishSecret":
            current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
            client.update_secret_version_stage(
                SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
            )

    return rotation


def test_the_default_accept_takes_the_old_or_the_new_value_in_the_original_shape() -> None:
    with pytest.raises(AssertionError) as info:
        check_rotation_function(_writes({"SecretString": "not json"}), secret_string=ORIGINAL, max_examples=5, seed=0)
    assert "accept() refused it" in str(info.value)


def test_a_binary_secret_is_rotated_and_checked() -> None:
    check_rotation_function(_writes({"SecretBinary": b"\x00new"}), secret_binary=b"\x00old", max_examples=10, seed=0)


def test_a_function_that_never_moves_awscurrent_is_told_so() -> None:
    with pytest.raises(AssertionError) as info:
        check_rotation_function(lambda event, context: None, max_examples=5, seed=0)
    assert "What broke: finishSecret returned in an attempt that nothing disturbed, but AWSCURRENT is on V0" in str(
        info.value
    )


def test_an_accept_that_raises_is_reported() -> None:
    def broken_accept(value: str) -> bool:
        raise KeyError("password")

    with pytest.raises(AssertionError) as info:
        check_rotation_function(make_handler(), accept=broken_accept, setup=reset_database, max_examples=3, seed=0)
    assert "What broke: accept() raised KeyError: 'password'" in str(info.value)


def test_the_checker_leaves_nothing_active_behind() -> None:
    with pytest.raises(AssertionError):
        check(make_handler(use_token=False), max_examples=5)
    with pytest.raises(sm_mock.NoActiveMockError):
        sm_mock.current()
    assert os.environ.get("SECRETS_MANAGER_ENDPOINT") is None


def test_misuse_is_refused_with_advice() -> None:
    with pytest.raises(TypeError, match="not both"):
        check_rotation_function(make_handler(), secret_string="a", secret_binary=b"b")
    with pytest.raises(TypeError, match=r"handler\(event, context\)"):
        check_rotation_function("not a function")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one example"):
        check_rotation_function(make_handler(), max_examples=0)


def test_the_pytest_fixture_is_the_checker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_it(check_rotation_function):
            import sm_mock.testing
            assert check_rotation_function is sm_mock.testing.check_rotation_function
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_import_sm_mock_does_not_import_hypothesis() -> None:
    code = "import sys, sm_mock; assert 'hypothesis' not in sys.modules, 'hypothesis was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_disturbance_happens_as_planned_and_a_correct_function_survives_them() -> None:
    # One plan with every kind of disturbance, run directly (the checker draws such plans).
    from sm_mock.testing.driver import Example
    from sm_mock.testing.plan import Disturbance

    plan = (
        Disturbance("read", 1, "setSecret", call=1),
        Disturbance("clock", 1, "setSecret", call=2, minutes=25 * 60),
        Disturbance("rotate", 1, "testSecret", call=1),
        Disturbance("fault", 1, "createSecret", call=1, error="ReadTimeout", on_write=True, outage=False),
        Disturbance("fault", 1, "testSecret", call=2, error="ThrottlingException", outage=True),
        Disturbance("duplicate", 2, "createSecret"),
        Disturbance("timeout", 2, "finishSecret"),
        Disturbance("lost", 1, "finishSecret"),
    )
    example = Example(make_handler(), value=ORIGINAL, accept=DATABASE.accepts, setup=reset_database, plan=plan, seed=0)
    example.run()
    told = "\n".join(example.story.lines)
    assert not example.story.closed, example.story.render("", "")
    assert "PutSecretValue(ClientRequestToken=T, VersionStages=[AWSPENDING]) and got ReadTimeout (injected)" in told
    assert "After setSecret's call 1, the application read the secret: value A." in told
    assert "After setSecret's call 2, the clock moved 25 h." in told
    assert (
        "After testSecret's call 1, someone called RotateSecret again: AWS refused it (InvalidRequestException)."
        in told
    )
    assert "got ThrottlingException (injected)" in told
    assert "AWS ran the rotation of T again (attempt 2)." in told
    assert "Lambda delivered createSecret a second time (duplicate delivery)." in told
    assert "finishSecret finished its work, then Lambda timed out." in told
    assert "Lambda failed before finishSecret ran (injected)." in told


def test_another_writer_abandons_the_rotation_and_the_next_window_starts_over() -> None:
    from sm_mock.testing.driver import Example
    from sm_mock.testing.plan import Disturbance

    plan = (Disturbance("write", 1, "setSecret", call=1),)
    example = Example(make_handler(), value=ORIGINAL, accept=DATABASE.accepts, setup=reset_database, plan=plan, seed=0)
    example.run()
    told = "\n".join(example.story.lines)
    assert not example.story.closed, example.story.render("", "")
    assert "another writer stored the current value again as version W1" in told
    assert "AWSPENDING removed from T" in told
    assert "The rotation was abandoned. At the next rotation window AWS started a new rotation, version T2" in told


def test_the_story_names_values_and_hides_them() -> None:
    from sm_mock.testing.snapshot import Names

    names = Names(ORIGINAL)
    new = json.dumps({**json.loads(ORIGINAL), "password": "s3cr3t-generated"})
    assert names.value(ORIGINAL) == "A"
    assert names.value(new) == "B"
    assert (
        names.hide(f"login failed for s3cr3t-generated ({new})") == "login failed for <password of value B> (<value B>)"
    )
    assert [names.value(str(i)) for i in range(24)][-1] == "Z"  # the 26th value
    assert names.value("one more") == "AA"
