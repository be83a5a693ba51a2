"""Leak-proofing (issue 7, item 4): the mock never leaks a secret value, a key, a real AWS call
or the user's real credentials, and no state survives an activation.

Each point is checked after one full workflow (string and binary values, labels, rotation
through a Lambda that calls back, a failing rotation, batch reads, listing, tags, deletion and
restore, and a dozen failing requests). Each point also has a ``..._check_catches_...`` test
that removes the protection (monkeypatch) and shows the same check then fails, so the check is
known to be able to fail.

The points: the call log (redaction), the ``repr`` of every sm_mock object (custom reprs, key
material kept out of reprs), sm_mock's log records (internal errors are logged without their
exception's message), the exceptions a caller sees (sensitive shapes never echoed), AES-GCM
tamper detection of every stored byte, no socket while a mock is active, real credentials
never used to sign and restored afterwards, and no state across activations.
"""

from __future__ import annotations

import base64
import gc
import json
import logging
import os
import socket
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, FunctionType, MethodType, ModuleType, TracebackType
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from support import new_client

import sm_mock
from sm_mock import SecretsManagerMock, SmMockError, mock_secretsmanager
from sm_mock.crypto import Envelope, KmsKey, WrappedKey
from sm_mock.errors import AwsError
from sm_mock.operations.base import OPERATIONS
from sm_mock.pipeline import serve_params
from sm_mock.session import Session

REGION = "us-east-1"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:leak-rotation"
FAILING_LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:leak-rotation-fails"

CANARY_STRING = "leak-canary-string-7f3a9c1e"
CANARY_UPDATE = "leak-canary-update-2b8d4f60"
CANARY_LABELLED = "leak-canary-labelled-5a0b"
CANARY_ROTATED = "leak-canary-rotated-9e1c3a77"
CANARY_BINARY = b"\x00leak-canary-binary-\xfe\xff"
#: 37 characters: long enough for RotationTokenType, but "!" breaks its pattern.
CANARY_ROTATION_TOKEN = "leak-canary-rotation-token-000000000!"
CANARY_VALUES: list[str | bytes] = [
    CANARY_STRING,
    CANARY_UPDATE,
    CANARY_LABELLED,
    CANARY_ROTATED,
    CANARY_BINARY,
    CANARY_ROTATION_TOKEN,
]


# ---- what counts as a leak ----------------------------------------------------------------------
class Secrets:
    """Every form in which a secret value or a key could show up in text."""

    def __init__(self, values: list[str | bytes]) -> None:
        self.needles: dict[str, str] = {}
        for value in values:
            self.add(value)

    def add(self, value: str | bytes, what: str | None = None) -> None:
        raw = value.encode() if isinstance(value, str) else value
        label = what or repr(value)[:40]
        if isinstance(value, str):
            self.needles[value] = label
        self.needles[raw.decode("latin-1")] = label
        self.needles[repr(raw)[2:-1]] = label  # as it appears inside a bytes repr
        self.needles[raw.hex()] = label
        self.needles[base64.b64encode(raw).decode()] = label

    def add_keys(self, sm: SecretsManagerMock) -> None:
        """The KMS keys' material is secret too."""
        for store in sm.backend.stores():
            for key in store.keyring.keys:
                self.add(key._material, f"key material of {key.arn}")

    def found(self, text: str) -> list[str]:
        return sorted({label for needle, label in self.needles.items() if needle and needle in text})


# ---- the workflow ----------------------------------------------------------------------------------
def rotation_function(event: dict[str, Any], context: Any) -> None:
    """The seed template's four steps, back into the mock through boto3 (SPEC H14)."""
    client = boto3.client("secretsmanager", region_name=REGION)
    arn, token = event["SecretId"], event["ClientRequestToken"]
    if event["Step"] == "createSecret":
        client.put_secret_value(
            SecretId=arn,
            ClientRequestToken=token,
            SecretString=CANARY_ROTATED,
            VersionStages=["AWSPENDING"],
            RotationToken=event["RotationToken"],
        )
    elif event["Step"] == "finishSecret":
        stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
        current = next(vid for vid, labels in stages.items() if "AWSCURRENT" in labels)
        client.update_secret_version_stage(
            SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
        )


def failing_rotation_function(event: dict[str, Any], context: Any) -> None:
    if event["Step"] == "setSecret":
        raise RuntimeError("the database refused the new credentials")


def _raw_client() -> Any:
    """No client-side validation, no retries: the request reaches the mock as written, once."""
    return new_client(REGION, attempts=1, config=Config(parameter_validation=False))


def _send_body(client: Any, operation: str, body: bytes) -> None:
    def rewrite(request: Any, **kwargs: Any) -> None:
        request.data = body

    event = f"before-sign.secrets-manager.{operation}"
    client.meta.events.register_first(event, rewrite, unique_id="leak-rewrite")
    try:
        getattr(client, botocore.xform_name(operation))()
    finally:
        client.meta.events.unregister(event, unique_id="leak-rewrite")


def run_workflow(sm: SecretsManagerMock, secrets: Secrets) -> list[BaseException]:
    """Everything a test suite might do, including failures; returns what was raised."""
    sm.register_lambda(LAMBDA_ARN, rotation_function)
    sm.register_lambda(FAILING_LAMBDA_ARN, failing_rotation_function)
    client = sm.client()
    raw = _raw_client()
    raised: list[BaseException] = []

    def expect_error(call: Callable[[], Any]) -> None:
        try:
            call()
        except (ClientError, SmMockError) as error:
            raised.append(error)
            return
        raise AssertionError("the request was expected to fail")

    token = client.create_secret(Name="leak/string", SecretString=CANARY_STRING, Description="d")["VersionId"]
    client.create_secret(Name="leak/binary", SecretBinary=CANARY_BINARY, Tags=[{"Key": "k", "Value": "v"}])
    client.put_secret_value(SecretId="leak/string", SecretString=CANARY_LABELLED, VersionStages=["LABELLED"])
    client.update_secret(SecretId="leak/string", SecretString=CANARY_UPDATE)
    assert client.get_secret_value(SecretId="leak/string")["SecretString"] == CANARY_UPDATE
    assert client.get_secret_value(SecretId="leak/binary")["SecretBinary"] == CANARY_BINARY
    client.get_secret_value(SecretId="leak/string", VersionStage="LABELLED")
    client.describe_secret(SecretId="leak/string")
    client.list_secret_version_ids(SecretId="leak/string", IncludeDeprecated=True)
    client.batch_get_secret_value(SecretIdList=["leak/string", "leak/binary", "leak/missing"])
    client.list_secrets()
    client.tag_resource(SecretId="leak/binary", Tags=[{"Key": "k2", "Value": "v2"}])
    client.untag_resource(SecretId="leak/binary", TagKeys=["k"])
    secrets.add(client.get_random_password(PasswordLength=40)["RandomPassword"], "a RandomPassword")
    client.rotate_secret(
        SecretId="leak/string", RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 30}
    )
    assert client.get_secret_value(SecretId="leak/string")["SecretString"] == CANARY_ROTATED
    client.create_secret(Name="leak/failing-rotation", SecretString=CANARY_STRING)
    client.rotate_secret(SecretId="leak/failing-rotation", RotationLambdaARN=FAILING_LAMBDA_ARN)
    assert sm.rotations.failures, "the failing rotation should have been recorded"

    # Failures that carry a value in the request.
    expect_error(
        lambda: client.put_secret_value(
            SecretId="leak/string", SecretString=CANARY_STRING + "!", ClientRequestToken=token
        )
    )
    expect_error(lambda: client.create_secret(Name="leak/both", SecretString=CANARY_STRING, SecretBinary=CANARY_BINARY))
    expect_error(lambda: client.create_secret(Name="leak/big", SecretString=CANARY_STRING * 2500))
    expect_error(lambda: client.create_secret(Name="leak/bigbin", SecretBinary=CANARY_BINARY * 3000))
    expect_error(
        lambda: raw.put_secret_value(SecretId="leak/string", SecretString="x" * 40, RotationToken=CANARY_ROTATION_TOKEN)
    )
    expect_error(lambda: raw.put_secret_value(SecretId="leak/string", SecretString=[CANARY_STRING]))
    expect_error(lambda: raw.create_secret(Name="leak bad name", SecretString=CANARY_STRING))
    bad_unicode = json.dumps({"Name": "leak/u", "ClientRequestToken": "t" * 32}).encode()[:-1]
    bad_unicode += b', "SecretString": "\\ud800' + CANARY_STRING.encode() + b'"}'
    expect_error(lambda: _send_body(raw, "CreateSecret", bad_unicode))
    expect_error(lambda: _send_body(raw, "CreateSecret", b'{"SecretString": "' + CANARY_STRING.encode() + b'"'))
    # Failures around a stored value.
    client.delete_secret(SecretId="leak/binary", RecoveryWindowInDays=7)
    expect_error(lambda: client.get_secret_value(SecretId="leak/binary"))
    client.restore_secret(SecretId="leak/binary")
    expect_error(lambda: client.get_secret_value(SecretId="leak/string", VersionId="0" * 32))
    expect_error(lambda: boto3.client("sts", region_name=REGION).get_caller_identity())
    secrets.add_keys(sm)
    return raised


# ---- 1. the call log ----------------------------------------------------------------------------------
def call_log_leaks(sm: SecretsManagerMock, secrets: Secrets) -> list[str]:
    leaks = []
    for record in sm.calls:
        text = repr(record) + repr(record.params) + json.dumps(record.params, default=repr)
        leaks += [f"{record.operation}: {found}" for found in secrets.found(text)]
    return leaks


def test_the_call_log_never_holds_a_value() -> None:
    secrets = Secrets(CANARY_VALUES)
    with mock_secretsmanager() as sm:
        run_workflow(sm, secrets)
        assert sm.calls.count("PutSecretValue") >= 3
        assert call_log_leaks(sm, secrets) == []


def test_the_call_log_check_catches_unredacted_params(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sm_mock.pipeline.redact", lambda params: dict(params))  # protection removed
    secrets = Secrets(CANARY_VALUES)
    with mock_secretsmanager() as sm:
        run_workflow(sm, secrets)
        assert call_log_leaks(sm, secrets) != []


# ---- 2. reprs of every sm_mock object, and what the mock can reach ---------------------------------------
#: Not descended into: modules and classes (code, not state), the user's functions (a
#: registered rotation handler's globals are the test module, which holds the values on
#: purpose) and stack frames (for the same reason).
_OPAQUE = (type, ModuleType, FunctionType, MethodType, FrameType, TracebackType)


def reachable(root: object) -> Iterator[object]:
    """Every object reachable from ``root`` (gc's view) that is state, not code."""
    seen: set[int] = set()
    stack: list[object] = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _OPAQUE):
            continue
        seen.add(id(obj))
        yield obj
        stack.extend(gc.get_referents(obj))


def repr_leaks(sm: SecretsManagerMock, secrets: Secrets) -> list[str]:
    leaks = []
    for obj in reachable(sm):
        if type(obj).__module__.startswith("sm_mock"):
            for text in (repr(obj), str(obj)):
                leaks += [f"{type(obj).__name__}: {found}" for found in secrets.found(text)]
    return leaks


def test_no_sm_mock_object_shows_a_value_or_a_key_in_its_repr() -> None:
    secrets = Secrets(CANARY_VALUES)
    with mock_secretsmanager() as sm:
        run_workflow(sm, secrets)
        kinds = {type(obj).__name__ for obj in reachable(sm) if type(obj).__module__.startswith("sm_mock")}
        assert {"Secret", "SecretVersion", "Envelope", "KmsKey", "CallRecord", "RotationRecord"} <= kinds
        assert repr_leaks(sm, secrets) == []


def test_the_repr_check_catches_key_material_in_a_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    # The protection: KmsKey._material is field(repr=False) behind a custom __repr__.
    monkeypatch.setattr(KmsKey, "__repr__", lambda self: f"KmsKey({self.arn!r}, material={self._material!r})")
    secrets = Secrets(CANARY_VALUES)
    with mock_secretsmanager() as sm:
        run_workflow(sm, secrets)
        assert any("key material" in leak for leak in repr_leaks(sm, secrets))


def test_no_plaintext_is_reachable_from_the_mock_after_the_whole_workflow() -> None:
    # Extends tests/test_encryption.py's check to rotation, batch reads, failures and errors.
    secrets = Secrets([v for v in CANARY_VALUES if v != CANARY_ROTATION_TOKEN])
    with mock_secretsmanager() as sm:
        run_workflow(sm, secrets)
        values_only = Secrets([v for v in CANARY_VALUES if v != CANARY_ROTATION_TOKEN])

        def leaks() -> list[str]:
            found = []
            for obj in reachable(sm):
                if isinstance(obj, (str, bytes, bytearray)):
                    text = obj if isinstance(obj, str) else bytes(obj).decode("latin-1")
                    found += values_only.found(text)
            return found

        assert leaks() == []
        sm.backend.__dict__["planted"] = CANARY_BINARY  # the check itself can see a plaintext
        assert leaks() != []


# ---- 3. log messages ---------------------------------------------------------------------------------------
def _internal_error_carrying_a_value(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    # A bug whose exception text quotes the data it choked on (UnicodeEncodeError and KeyError
    # do exactly that).
    raise ValueError(f"choked on {CANARY_STRING}")


def log_leaks(records: list[logging.LogRecord], secrets: Secrets) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    leaks = []
    for record in records:
        if record.name == "sm_mock" or record.name.startswith("sm_mock."):
            leaks += [
                f"{record.levelname} {record.getMessage()[:60]}: {f}" for f in secrets.found(formatter.format(record))
            ]
    return leaks


def _workflow_with_an_internal_error(sm: SecretsManagerMock, secrets: Secrets, monkeypatch: pytest.MonkeyPatch) -> None:
    run_workflow(sm, secrets)
    monkeypatch.setitem(OPERATIONS, "GetResourcePolicy", _internal_error_carrying_a_value)
    with pytest.raises(ClientError) as info:
        _raw_client().get_resource_policy(SecretId="leak/string")
    assert info.value.response["Error"]["Code"] == "InternalServiceError"


def test_log_messages_never_hold_a_value(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = Secrets(CANARY_VALUES)
    with mock_secretsmanager() as sm:
        _workflow_with_an_internal_error(sm, secrets, monkeypatch)
    ours = [r for r in caplog.records if r.name.startswith("sm_mock")]
    assert any("internal error" in r.getMessage() for r in ours)  # the bug was logged...
    assert any(r.levelno == logging.WARNING for r in ours)  # ...and so was the failed rotation
    assert log_leaks(caplog.records, secrets) == []  # ...without any value


def test_the_log_check_catches_an_exception_message_in_the_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The protection: service._bug_trace logs the type and stack of an internal error, not its
    # message. Put the full traceback back and the value reaches the log.
    monkeypatch.setattr("sm_mock.pipeline._bug_trace", lambda exc: "".join(traceback.format_exception(exc)))
    caplog.set_level(logging.DEBUG)
    secrets = Secrets(CANARY_VALUES)
    with mock_secretsmanager() as sm:
        _workflow_with_an_internal_error(sm, secrets, monkeypatch)
    assert log_leaks(caplog.records, secrets) != []


# ---- 4. exceptions -----------------------------------------------------------------------------------------
def exception_leaks(errors: list[BaseException], secrets: Secrets) -> list[str]:
    leaks = []
    for error in errors:
        texts = [str(error), repr(error), repr(error.args)]
        if isinstance(error, ClientError):
            texts.append(json.dumps(error.response, default=repr))
        if isinstance(error, AwsError):
            texts.append(error.message)
        leaks += [f"{type(error).__name__}: {found}" for text in texts for found in secrets.found(text)]
    return leaks


#: Requests that fail with a value in them, served without botocore so the AwsError itself
#: (what the hook turns into the wire answer) is checked too.
FAILING_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("PutSecretValue", {"SecretId": "leak/string", "SecretString": "x", "RotationToken": CANARY_ROTATION_TOKEN}),
    ("CreateSecret", {"Name": "leak/big", "SecretString": CANARY_STRING * 2500, "ClientRequestToken": "t" * 32}),
    ("CreateSecret", {"Name": "leak/t", "SecretString": [CANARY_STRING], "ClientRequestToken": "t" * 32}),
    ("CreateSecret", {"Name": "leak/t", "SecretString": {"v": CANARY_STRING}, "ClientRequestToken": "t" * 32}),
    ("CreateSecret", {"Name": "leak/b", "SecretBinary": CANARY_STRING, "ClientRequestToken": "t" * 32}),
    ("CreateSecret", {"Name": "leak/s", "SecretString": "", "ClientRequestToken": "t" * 32}),
    ("UpdateSecret", {"SecretId": "leak/string", "SecretString": CANARY_STRING, "SecretBinary": "eA=="}),
]


def aws_errors(sm: SecretsManagerMock) -> list[BaseException]:
    errors: list[BaseException] = []
    for operation, params in FAILING_REQUESTS:
        with pytest.raises(AwsError) as info:
            serve_params(sm.session, operation, params, REGION, sm.account_id)
        errors.append(info.value)
    return errors


def test_exceptions_never_quote_a_value() -> None:
    secrets = Secrets(CANARY_VALUES)
    with mock_secretsmanager() as sm:
        raised = run_workflow(sm, secrets)
        raised += aws_errors(sm)
    with pytest.raises(SmMockError) as info:
        sm_mock.current()
    raised.append(info.value)
    assert len(raised) >= 20
    assert exception_leaks(raised, secrets) == []


def test_the_exception_check_catches_an_echoed_sensitive_member(monkeypatch: pytest.MonkeyPatch) -> None:
    # The protection: model-driven validation never quotes a member whose shape is sensitive.
    import sm_mock.protocol.validation

    original = sm_mock.protocol.validation._violation
    monkeypatch.setattr(
        sm_mock.protocol.validation,
        "_violation",
        lambda code, value, path, constraint, sensitive: original(code, value, path, constraint, False),
    )
    secrets = Secrets(CANARY_VALUES)
    with mock_secretsmanager() as sm:
        sm.client().create_secret(Name="leak/string", SecretString="v")
        assert exception_leaks(aws_errors(sm), secrets) != []


# ---- 5. tampering with any stored byte ----------------------------------------------------------------------
def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def _parts(envelope: Envelope, key: KmsKey) -> list[tuple[str, Callable[[], bytes], Callable[[bytes], None]]]:
    """Every stored byte string a read under ``key`` depends on, with a getter and a setter."""

    def set_field(name: str) -> Callable[[bytes], None]:
        return lambda data: setattr(envelope, name, data)

    parts: list[tuple[str, Callable[[], bytes], Callable[[bytes], None]]] = [
        ("nonce", lambda: envelope.nonce, set_field("nonce")),
        ("ciphertext", lambda: envelope.ciphertext, set_field("ciphertext")),
    ]
    arn = key.arn

    def set_wrapped(which: str) -> Callable[[bytes], None]:
        def setter(data: bytes) -> None:
            old = envelope.wrapped[arn]
            envelope.wrapped[arn] = WrappedKey(data, old.blob) if which == "nonce" else WrappedKey(old.nonce, data)

        return setter

    parts.append((f"wrapped nonce ({arn})", lambda: envelope.wrapped[arn].nonce, set_wrapped("nonce")))
    parts.append((f"wrapped key ({arn})", lambda: envelope.wrapped[arn].blob, set_wrapped("blob")))
    return parts


def undetected_tampering(sm: SecretsManagerMock, name: str, expected: str, key: KmsKey | None = None) -> list[str]:
    """Flip every byte a read of the current version depends on (under ``key``, by default the
    version's first key), one at a time, then restore it; list the positions where the read
    did not answer DecryptionFailure."""
    client = sm.client(config=Config(retries={"total_max_attempts": 1}))
    secret = sm.backend.get(name, account_id=sm.account_id, region=sm.region)
    version = secret.current
    assert version is not None and version.envelope is not None
    key = key or version.keys[0]
    missed = []
    targets = _parts(version.envelope, key)
    targets.append(("KMS key material", lambda: key._material, lambda data: _set_material(key, data)))
    for part, get, put in targets:
        original = get()
        for index in range(len(original)):
            put(_flip(original, index))
            try:
                answer = client.get_secret_value(SecretId=name)
                missed.append(f"{part}[{index}] -> {answer['SecretString']!r}")
            except ClientError as error:
                if error.response["Error"]["Code"] != "DecryptionFailure":
                    missed.append(f"{part}[{index}] -> {error.response['Error']['Code']}")
            finally:
                put(original)
        assert client.get_secret_value(SecretId=name)["SecretString"] == expected  # restored
    return missed


def _set_material(key: KmsKey, material: bytes) -> None:
    key._material = material
    key._aead = None  # the cipher object is cached; rebuild it from the (tampered) material


def test_tampering_with_any_stored_byte_is_a_decryption_failure() -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="t", SecretString="leak-canary-x")
        assert undetected_tampering(sm, "t", "leak-canary-x") == []


def test_tampering_with_any_byte_of_either_wrapping_after_a_key_change_is_detected() -> None:
    with mock_secretsmanager() as sm:
        keyring = sm.backend.keyring(sm.account_id, sm.region)
        old, new = keyring.create_key(alias="alias/old"), keyring.create_key(alias="alias/new")
        client = sm.client()
        client.create_secret(Name="t", SecretString="leak-canary-y", KmsKeyId="alias/old")
        client.update_secret(SecretId="t", KmsKeyId="alias/new")  # SPEC F8a: now wrapped twice
        for usable, unusable in ((old, new), (new, old)):
            keyring.disable_key(unusable.arn)  # only one wrapping can answer
            assert undetected_tampering(sm, "t", "leak-canary-y", usable) == []
            keyring.enable_key(unusable.arn)


def _gcm_without_the_tag_check(data_key_or_key: bytes, nonce: bytes, sealed: bytes) -> bytes:
    # AES-GCM is AES-CTR starting at counter 2, plus a tag; this decrypts and ignores the tag.
    decryptor = Cipher(algorithms.AES(data_key_or_key), modes.CTR(nonce + b"\x00\x00\x00\x02")).decryptor()
    return decryptor.update(sealed[:-16]) + decryptor.finalize()


def test_the_tamper_check_catches_decryption_without_authentication(monkeypatch: pytest.MonkeyPatch) -> None:
    # The protection: AES-GCM's tag check, on the value and on the wrapped data key.
    def open_unauthenticated(envelope: Envelope, keys: list[KmsKey], secret_arn: str, version_id: str) -> bytes:
        key = keys[0]
        wrapped = envelope.wrapped[key.arn]
        data_key = _gcm_without_the_tag_check(key._material, wrapped.nonce, wrapped.blob)
        return _gcm_without_the_tag_check(data_key, envelope.nonce, envelope.ciphertext)

    monkeypatch.setattr("sm_mock.model.store.open_envelope", open_unauthenticated)
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="t", SecretString="leak-canary-x")
        assert client.get_secret_value(SecretId="t")["SecretString"] == "leak-canary-x"
        assert undetected_tampering(sm, "t", "leak-canary-x") != []


# ---- 6. no socket while a mock is active -----------------------------------------------------------------------
class SocketOpened(AssertionError):
    """Raised by the guard instead of touching the network."""


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail (and record) every attempt to resolve a name or open a connection."""
    attempts: list[str] = []

    def guard(what: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[1:2] if what.startswith('socket.') else args[:2]}")
            raise SocketOpened(f"{what} called while an sm_mock mock was active: {args!r}")

        return refuse

    monkeypatch.setattr(socket.socket, "connect", guard("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", guard("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", guard("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", guard("getaddrinfo"))
    return attempts


@pytest.fixture
def no_credentials_anywhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without the mock, botocore would now look for credentials on the network (IMDS)."""
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def test_no_socket_is_opened_while_a_mock_is_active(network_attempts: list[str], no_credentials_anywhere: None) -> None:
    secrets = Secrets(CANARY_VALUES)
    with mock_secretsmanager() as sm:
        run_workflow(sm, secrets)
        for index, endpoint in enumerate(
            [
                "https://secretsmanager.eu-west-1.amazonaws.com",
                "https://vpce-1.secretsmanager.us-east-1.vpce.amazonaws.com",
            ]
        ):
            client = boto3.client("secretsmanager", region_name="eu-west-1", endpoint_url=endpoint)
            client.create_secret(Name=f"net-{index}", SecretString=CANARY_STRING)
        session_client = botocore.session.get_session().create_client("secretsmanager", region_name="ap-south-1")
        session_client.get_random_password()
    assert network_attempts == []


def test_the_socket_check_catches_a_request_that_reaches_the_network(
    network_attempts: list[str], no_credentials_anywhere: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The protection: the before-send hook answers while a mock is active. Make it dormant.
    monkeypatch.setattr("sm_mock.session.active", lambda: None)
    with mock_secretsmanager():
        client = boto3.client("secretsmanager", region_name=REGION, config=Config(retries={"total_max_attempts": 1}))
        with pytest.raises(Exception, match="called while an sm_mock mock was active"):
            client.list_secrets()
    assert network_attempts != []


# ---- 7. the user's real credentials -------------------------------------------------------------------------------
REAL_ENV_KEY = "AKIAREALENVKEY000001"
REAL_ENV_SECRET = "real-env-secret-access-key"
REAL_ENV_TOKEN = "real-env-session-token"
REAL_FILE_KEY = "AKIAREALFILEKEY00002"
REAL_PROFILE_KEY = "AKIAREALPROFILEKEY03"
CREDENTIALS_FILE = f"""[default]
aws_access_key_id = {REAL_FILE_KEY}
aws_secret_access_key = real-file-secret-access-key
[prod]
aws_access_key_id = {REAL_PROFILE_KEY}
aws_secret_access_key = real-profile-secret-access-key
"""


@pytest.fixture
def real_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A user with credentials in the environment and in a shared credentials file."""
    credentials = tmp_path / "credentials"
    credentials.write_text(CREDENTIALS_FILE)
    (tmp_path / "config").write_text("[default]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_ENV_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_ENV_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", REAL_ENV_TOKEN)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return credentials


def signing_identities(clients: list[Any]) -> list[str]:
    """Send one request per client and return the credentials each was signed with."""
    seen: list[str] = []

    def spy(request: Any, **kwargs: Any) -> None:
        auth = request.headers.get("Authorization", b"")
        auth = auth.decode() if isinstance(auth, bytes) else auth
        seen.append(auth.split("Credential=", 1)[1].split("/", 1)[0])
        token = request.headers.get("X-Amz-Security-Token")
        if token:
            seen.append(token.decode() if isinstance(token, bytes) else token)

    for client in clients:
        client.meta.events.register_first("before-send.secrets-manager.*", spy, unique_id="leak-spy")
        client.list_secrets()
    return seen


def _default_clients() -> list[Any]:
    return [
        boto3.client("secretsmanager", region_name=REGION),
        boto3.session.Session().client("secretsmanager", region_name=REGION),
        botocore.session.get_session().create_client("secretsmanager", region_name=REGION),
    ]


REAL = {REAL_ENV_KEY, REAL_ENV_TOKEN, REAL_FILE_KEY, REAL_PROFILE_KEY}


def test_real_credentials_never_sign_a_request_and_are_back_afterwards(real_credentials: Path) -> None:
    before = real_credentials.read_bytes()
    with mock_secretsmanager():
        identities = signing_identities(_default_clients())
    assert len(identities) == 3
    assert not REAL & set(identities), identities
    # Back afterwards: the environment and the file, as a fresh session resolves them.
    assert (os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SESSION_TOKEN"]) == (REAL_ENV_KEY, REAL_ENV_TOKEN)
    assert real_credentials.read_bytes() == before
    assert boto3.session.Session().get_credentials().access_key == REAL_ENV_KEY


def test_file_credentials_never_sign_a_request_and_no_fake_ones_stay_behind(
    real_credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var)
    with mock_secretsmanager():
        identities = signing_identities(_default_clients())
    assert not REAL & set(identities), identities
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert boto3.session.Session().get_credentials().access_key == REAL_FILE_KEY


def test_an_explicit_profile_never_signs_with_the_real_file_credentials(real_credentials: Path) -> None:
    with mock_secretsmanager():
        client = boto3.session.Session(profile_name="prod").client("secretsmanager", region_name=REGION)
        identities = signing_identities([client])
    assert REAL_PROFILE_KEY not in identities


def test_the_credential_check_catches_signing_with_the_real_keys(
    real_credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The protections: while active, the mock swaps the credential variables for fake ones,
    # botocore's credential resolver for one that only yields them (sm_mock.botocore.credentials),
    # and signs what it serves or stops with them whatever a session cached (sm_mock.botocore.guard).
    import botocore.signers

    monkeypatch.setattr("sm_mock.mock._supply_environment", lambda region: {})
    monkeypatch.setattr("sm_mock.botocore.credentials.hide", lambda *args: None)
    monkeypatch.setattr("sm_mock.botocore.credentials.reveal", lambda: None)
    monkeypatch.setattr("sm_mock.botocore.guard._get_auth_instance", botocore.signers.RequestSigner.get_auth_instance)
    with mock_secretsmanager():
        identities = signing_identities(_default_clients())
    assert REAL & set(identities)


# ---- 8. no state across activations ---------------------------------------------------------------------------------
def state_seen(sm: SecretsManagerMock, client: Any) -> list[str]:
    """Anything an activation can see that it did not create itself."""
    seen = [s.name for s in sm.backend.secrets()]
    seen += [f"call {c.operation}" for c in sm.calls]
    seen += [f"store {s.account_id}/{s.region}" for s in sm.backend.stores() if len(s) or s.keyring.keys]
    if client is not None:
        try:
            client.describe_secret(SecretId="carried")
            seen.append("carried is visible through an old client")
        except client.exceptions.ResourceNotFoundException:
            pass
        except ClientError as error:  # e.g. a fault from the earlier activation's plan
            seen.append(f"DescribeSecret answered {error.response['Error']['Code']}")
        seen += [entry["Name"] for entry in client.list_secrets(IncludePlannedDeletion=True)["SecretList"]]
    return seen


def _first_activation(sm: SecretsManagerMock) -> tuple[Any, Envelope]:
    client = sm.client()
    client.create_secret(Name="carried", SecretString=CANARY_STRING, KmsKeyId="alias/app")
    client.put_secret_value(SecretId="carried", SecretString=CANARY_UPDATE)
    client.delete_secret(SecretId="carried", RecoveryWindowInDays=7)
    sm.faults.add("DescribeSecret", "InternalServiceError", times=5)
    secret = sm.backend.get("carried", account_id=sm.account_id, region=sm.region)
    assert secret.current is not None and secret.current.envelope is not None
    return client, secret.current.envelope


def test_state_never_crosses_from_one_activation_to_the_next() -> None:
    mock = mock_secretsmanager()
    with mock as first:
        client, envelope = _first_activation(first)
    for again in (mock, mock_secretsmanager()):  # the same object reused, and a new one
        with again as sm:
            assert state_seen(sm, client) == []
            assert sm.faults.unused() == []
            # The old ciphertext can't be opened with this activation's keys either.
            key = sm.backend.keyring(sm.account_id, sm.region).resolve("alias/app")
            with pytest.raises(AwsError):
                sm_mock.crypto.open_envelope(envelope, [key], "arn", "version")


def test_the_activation_check_catches_state_that_survives(monkeypatch: pytest.MonkeyPatch) -> None:
    # The protection: start() makes a new Session, with a new backend, call log and plan.
    new_session = SecretsManagerMock._new_session

    def keep_state(self: SecretsManagerMock) -> Session:
        return self._last if self._last is not None else new_session(self)

    monkeypatch.setattr(SecretsManagerMock, "_new_session", keep_state)
    mock = mock_secretsmanager()
    with mock as first:
        client, _ = _first_activation(first)
    with mock as sm:
        assert state_seen(sm, client) != []


def test_providers_looked_up_by_name_are_still_there_and_never_load(real_credentials: Path) -> None:
    # awscli looks "assume-role" up by name to give it a cache; the chain sm_mock swaps in must
    # keep botocore's providers for such lookups, behind its own, which always answers first.
    with mock_secretsmanager():
        session = botocore.session.Session(profile="prod")
        chain = session.get_component("credential_provider")
        assert chain.get_provider("assume-role") is not None
        assert chain.get_provider("shared-credentials-file") is not None
        assert session.get_credentials().access_key not in REAL
        identities = signing_identities([session.create_client("secretsmanager", region_name=REGION)])
    assert not REAL & set(identities), identities


def test_the_aws_cli_runs_in_process_against_the_mock(
    real_credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC §X: AWS CLI v1 is pure Python on botocore; its commands run in-process.
    clidriver = pytest.importorskip("awscli.clidriver")
    with mock_secretsmanager() as sm:
        driver = clidriver.create_clidriver()
        assert driver.main(["secretsmanager", "create-secret", "--name", "cli/app", "--secret-string", "s3"]) == 0
        assert clidriver.create_clidriver().main(["secretsmanager", "get-secret-value", "--secret-id", "cli/app"]) == 0
        assert [c.operation for c in sm.calls] == ["CreateSecret", "GetSecretValue"]
    assert '"SecretString": "s3"' in capsys.readouterr().out


# ---- 9. the local secrets endpoint's cache (issue 20) ------------------------------------------------------------
def _read_through_the_endpoint(sm: SecretsManagerMock, secrets: Secrets) -> None:
    """Cache a string and a binary canary in the endpoint, read them again from the cache."""
    import urllib.request

    client = sm.client()
    client.create_secret(Name="leak/agent", SecretString=CANARY_STRING)
    client.create_secret(Name="leak/agent-binary", SecretBinary=CANARY_BINARY)
    url = sm.serve_agent(token="leak-token")
    for _ in range(2):
        for name in ("leak/agent", "leak/agent-binary"):
            request = urllib.request.Request(
                f"{url}/secretsmanager/get?secretId={name}", headers={"X-Aws-Parameters-Secrets-Token": "leak-token"}
            )
            with urllib.request.urlopen(request) as response:
                assert response.status == 200
    cache = sm.agent.cache
    assert cache is not None and len(cache) == 2
    assert sm.calls.count("GetSecretValue") == 2  # the second round came from the cache
    secrets.add(cache._key._material, "key material of the endpoint's cache")
    secrets.add_keys(sm)


def plaintext_leaks(sm: SecretsManagerMock, secrets: Secrets) -> list[str]:
    found = []
    for obj in reachable(sm):
        if isinstance(obj, (str, bytes, bytearray)):
            text = obj if isinstance(obj, str) else bytes(obj).decode("latin-1")
            found += secrets.found(text)
    return found


def test_the_endpoints_cache_holds_no_plaintext_and_shows_no_key() -> None:
    secrets = Secrets([CANARY_STRING, CANARY_BINARY])
    with mock_secretsmanager() as sm:
        _read_through_the_endpoint(sm, secrets)
        kinds = {type(obj).__name__ for obj in reachable(sm) if type(obj).__module__.startswith("sm_mock")}
        assert {"AgentEndpoint", "SealedCache", "Cached", "Envelope"} <= kinds
        assert plaintext_leaks(sm, Secrets([CANARY_STRING, CANARY_BINARY])) == []
        assert repr_leaks(sm, secrets) == []


def test_the_cache_check_catches_a_cache_that_keeps_plaintext(monkeypatch: pytest.MonkeyPatch) -> None:
    # The protection: entries are sealed (sm_mock.agent.cache uses crypto.seal). Keep the body
    # as it is instead, and the walk finds the values.
    monkeypatch.setattr("sm_mock.agent.cache.seal", lambda body, key, arn, version_id: body)
    monkeypatch.setattr("sm_mock.agent.cache.open_envelope", lambda envelope, keys, arn, version_id: envelope)
    secrets = Secrets([CANARY_STRING, CANARY_BINARY])
    with mock_secretsmanager() as sm:
        _read_through_the_endpoint(sm, secrets)
        assert sorted(set(plaintext_leaks(sm, Secrets([CANARY_STRING, CANARY_BINARY])))) == sorted(
            {repr(CANARY_STRING)[:40], repr(CANARY_BINARY)[:40]}
        )
