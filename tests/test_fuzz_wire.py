"""Fuzzing the wire (issue 7, item 2): whatever a client sends, sm_mock answers like AWS.

Requests for all 23 operations are generated from botocore's own service model: well-typed
parameters that break maximums, enums and patterns (sent through the real serializer with
``Config(parameter_validation=False)``), and raw JSON bodies swapped in by a ``before-sign``
handler: wrong JSON types, huge strings, unknown members, lone surrogate escapes, invalid
base64 in blobs, invalid UTF-8, deep nesting, and bodies that are not JSON objects at all.

For every request, with the raw HTTP answer captured from botocore's ``response-received``
event:

* no Python exception escaped the hook (botocore would take it for a network failure);
* the answer is a valid response (HTTP 200, a JSON object that botocore parses and that
  satisfies the operation's output shape) or an AWS-shaped error: HTTP 4xx/5xx with a JSON
  body carrying ``__type`` and ``Message``; never ``InternalServiceError``, which is how
  sm_mock reports its own bugs (service.py); ``NotImplemented`` (501) only for operations
  absent from ``OPERATIONS``;
* a failed request changed nothing: a structural snapshot of every secret in the backend
  (all fields, versions, labels, envelopes, keys) is the same before and after.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

import botocore.session
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import new_client

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.operations.base import OPERATIONS
from sm_mock.pipeline import serve_params

MODEL = botocore.session.get_session().get_service_model("secretsmanager")
OPERATION_NAMES = sorted(MODEL.operation_names)
REGION = "us-east-1"
ACCOUNT = "123456789012"
NOW = datetime(2030, 6, 1, 12, 0, 0, tzinfo=timezone.utc)

SEED_NAMES = ["fuzz-a", "fuzz/b", "fuzz-deleted"]
SEED_VERSIONS = [f"fuzzver-{i}-" + "0123456789abcdef" * 2 for i in range(3)]
LABELS = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "custom"]


def _profile_examples() -> int:
    """The loaded profile's example budget (conftest.py: "quick" 30, "ci" 120)."""
    assert settings.default is not None
    return int(settings.default.max_examples)


def _settings(divisor: int = 1) -> settings:
    """The repo profile's example budget ("quick" locally, "ci" under CI=true), split when a
    test is parametrized over every operation so the file stays fast."""
    return settings(
        max_examples=max(10, _profile_examples() // divisor),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


# ---- the target: a mock seeded with a few secrets --------------------------------------------
def _seed(sm: SecretsManagerMock) -> dict[str, str]:
    """Secrets in several states, written through the service path (not through botocore, so
    seeding is cheap). Returns placeholder -> real identifier (ARNs have random suffixes)."""

    def call(operation: str, **params: Any) -> dict[str, Any]:
        return serve_params(sm.session, operation, params, REGION, ACCOUNT)

    ids: dict[str, str] = {}
    a = call(
        "CreateSecret",
        Name="fuzz-a",
        SecretString="fuzz-value-a",
        ClientRequestToken=SEED_VERSIONS[0],
        Description="seeded",
        Tags=[{"Key": "team", "Value": "fuzz"}],
    )
    call("PutSecretValue", SecretId="fuzz-a", SecretString="fuzz-value-a2", ClientRequestToken=SEED_VERSIONS[1])
    call(
        "PutSecretValue",
        SecretId="fuzz-a",
        SecretString="fuzz-value-a3",
        ClientRequestToken=SEED_VERSIONS[2],
        VersionStages=["custom"],
    )
    b = call(
        "CreateSecret",
        Name="fuzz/b",
        SecretBinary=base64.b64encode(b"\x00\xfffuzz-binary").decode(),
        ClientRequestToken=SEED_VERSIONS[0],
    )
    d = call("CreateSecret", Name="fuzz-deleted", SecretString="fuzz-value-d", ClientRequestToken=SEED_VERSIONS[0])
    call("DeleteSecret", SecretId="fuzz-deleted", RecoveryWindowInDays=7)
    for placeholder, arn in (("<arn-a>", a["ARN"]), ("<arn-b>", b["ARN"]), ("<arn-d>", d["ARN"])):
        ids[placeholder] = arn
        ids[placeholder.replace(">", "-partial>")] = arn[: -len("-XXXXXX")]
    return ids


def _substitute(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_substitute(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, ids) for k, v in value.items()}
    return value


# ---- a structural snapshot of the backend ----------------------------------------------------
def _snap(obj: Any, path: frozenset[int] = frozenset()) -> Any:
    """Every public field of the model's dataclasses, recursively (private caches excluded;
    an object already on the path is named, not walked again)."""
    if obj is None or isinstance(obj, (str, bytes, int, float, bool, datetime, date)):
        return obj
    if id(obj) in path:
        return ("<cycle>", type(obj).__name__)
    inner = path | {id(obj)}
    if isinstance(obj, dict):
        return {repr(k): _snap(v, inner) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_snap(v, inner) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(repr(_snap(v, inner)) for v in obj)
    if dataclasses.is_dataclass(obj):
        fields = [f.name for f in dataclasses.fields(obj) if not f.name.startswith("_")]
        return (type(obj).__name__, {name: _snap(getattr(obj, name), inner) for name in fields})
    return repr(obj)


def snapshot(sm: SecretsManagerMock) -> Any:
    """What a failed request must not change: every secret of every store, and the KMS keys."""
    state = {}
    for store in sm.backend.stores():
        secrets = {secret.arn: _snap(secret) for secret in store}
        keys = sorted((key.arn, key.enabled) for key in store.keyring.keys)
        if secrets or keys:
            state[(store.account_id, store.region)] = (sorted(store.by_name), sorted(store.by_arn), secrets, keys)
    return state


# ---- sending, and checking the answer --------------------------------------------------------
class Clock:
    """A clock that does not move: no lazy purge can happen between two snapshots."""

    def now(self) -> datetime:
        return NOW


@dataclasses.dataclass
class Exchange:
    """What botocore saw for one request (from its ``response-received`` event)."""

    exception: BaseException | None = None
    status: int | None = None
    body: bytes = b""


_CLIENTS: dict[str, Any] = {}


def _client() -> Any:
    """One shared client: no client-side validation, no retries (one request, one answer)."""
    if "client" not in _CLIENTS:
        client = new_client(REGION, attempts=1, config=Config(parameter_validation=False))
        client.meta.events.register("response-received.secrets-manager.*", _record, unique_id="fuzz-record")
        client.meta.events.register_first("before-sign.secrets-manager.*", _rewrite, unique_id="fuzz-rewrite")
        _CLIENTS["client"] = client
    return _CLIENTS["client"]


_CURRENT: dict[str, Any] = {}


def _record(exception: BaseException | None = None, response_dict: dict[str, Any] | None = None, **kwargs: Any) -> None:
    exchange: Exchange = _CURRENT["exchange"]
    exchange.exception = exception
    if response_dict is not None:
        exchange.status = response_dict["status_code"]
        exchange.body = response_dict["body"]


def _rewrite(request: Any, **kwargs: Any) -> None:
    body = _CURRENT.get("body")
    if body is not None:
        request.data = body


def _may_be_unimplemented(operation: str) -> bool:
    """NotImplemented (501) is allowed only for an operation sm_mock has no handler for."""
    return operation not in OPERATIONS


def _check_answer(operation: str, outcome: Any, exchange: Exchange) -> bool:
    """Assert the answer is a valid response or an AWS-shaped error; True when it failed."""
    assert exchange.exception is None, f"a Python exception escaped the hook: {exchange.exception!r}"
    assert exchange.status is not None, "botocore saw no HTTP answer"
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, ClientError), f"{operation} raised {outcome!r}, not a ClientError"
        assert 400 <= exchange.status < 600, exchange.status
        body = json.loads(exchange.body)
        assert isinstance(body, dict) and set(body) == {"__type", "Message"}, body
        code, message = body["__type"], body["Message"]
        assert isinstance(code, str) and code and isinstance(message, str), body
        assert outcome.response["Error"]["Code"] == code
        assert code != "InternalServiceError", f"sm_mock bug while serving {operation}: {message}"
        if code == "NotImplemented":
            assert _may_be_unimplemented(operation), f"{operation} answered NotImplemented: {message}"
            assert exchange.status == 501
        elif code == "ThrottlingException":
            pass
        else:
            assert exchange.status == 400, (code, exchange.status)
        return True
    assert exchange.status == 200, exchange.status
    assert isinstance(json.loads(exchange.body), dict)
    result = {k: v for k, v in outcome.items() if k != "ResponseMetadata"}
    output_shape = MODEL.operation_model(operation).output_shape
    if output_shape is not None:
        report = ParamValidator().validate(result, output_shape)
        assert not report.has_errors(), report.generate_report()
    return False


def exchange(sm: SecretsManagerMock, operation: str, params: dict[str, Any], body: bytes | None = None) -> None:
    """Send one request (``body`` replaces the serialized one when given) and check it all."""
    client = _client()
    before = snapshot(sm)
    record = Exchange()
    _CURRENT.update(exchange=record, body=body)
    try:
        outcome: Any = getattr(client, xform_name(operation))(**params)
    except Exception as error:  # checked below: only ClientError is acceptable
        outcome = error
    finally:
        _CURRENT.clear()
    failed = _check_answer(operation, outcome, record)
    if failed:
        assert snapshot(sm) == before, f"a failed {operation} changed the backend"


LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:fuzz"


def _rotation_function(sm: SecretsManagerMock) -> Callable[[dict[str, Any], Any], None]:
    """A rotation Lambda that follows the seed template, calling back through the service path
    (not through the fuzzing client, whose answers are being captured)."""

    def handler(event: dict[str, Any], context: Any) -> None:
        arn, token = event["SecretId"], event["ClientRequestToken"]
        if event["Step"] == "createSecret":
            params = {
                "SecretId": arn,
                "ClientRequestToken": token,
                "SecretString": "rotated",
                "VersionStages": ["AWSPENDING"],
            }
            serve_params(sm.session, "PutSecretValue", params, REGION, ACCOUNT)
        elif event["Step"] == "finishSecret":
            stages = serve_params(sm.session, "DescribeSecret", {"SecretId": arn}, REGION, ACCOUNT)[
                "VersionIdsToStages"
            ]
            current = next(vid for vid, labels in stages.items() if "AWSCURRENT" in labels)
            if current != token:
                move = {
                    "SecretId": arn,
                    "VersionStage": "AWSCURRENT",
                    "MoveToVersionId": token,
                    "RemoveFromVersionId": current,
                }
                serve_params(sm.session, "UpdateSecretVersionStage", move, REGION, ACCOUNT)

    return handler


def _fresh_mock() -> tuple[SecretsManagerMock, dict[str, str]]:
    sm = mock_secretsmanager(clock=Clock(), seed=11).start()
    sm.register_lambda(LAMBDA_ARN, _rotation_function(sm))
    _client()
    return sm, _seed(sm)


# ---- strategies from the service model -------------------------------------------------------
# Valid-looking values for members whose shape alone says too little (patterns, references to
# the seeded secrets), by member name.
_SECRET_IDS = [*SEED_NAMES, "<arn-a>", "<arn-b>", "<arn-d>", "<arn-a-partial>", "<arn-b-partial>", "missing"]
_POOLS: dict[str, st.SearchStrategy[Any]] = {
    "SecretId": st.sampled_from(_SECRET_IDS),
    "SecretIdList": st.sampled_from(_SECRET_IDS),
    "Name": st.sampled_from([*SEED_NAMES, "fuzz-new", "fuzz/new.2"]),
    "VersionId": st.sampled_from([*SEED_VERSIONS, "ffffffff-0000-4000-8000-000000000000"]),
    "MoveToVersionId": st.sampled_from(SEED_VERSIONS),
    "RemoveFromVersionId": st.sampled_from(SEED_VERSIONS),
    "ClientRequestToken": st.one_of(st.sampled_from(SEED_VERSIONS), st.uuids().map(str)),
    "RotationToken": st.uuids().map(str),
    "VersionStage": st.sampled_from(LABELS),
    "VersionStages": st.sampled_from(LABELS),
    "KmsKeyId": st.sampled_from(["alias/fuzz", "alias/aws/secretsmanager", "", "1234abcd-12ab-34cd-56ef-1234567890ab"]),
    "Region": st.sampled_from(["eu-west-1", "us-west-2", "us-east-1"]),
    "RemoveReplicaRegions": st.sampled_from(["eu-west-1", "us-west-2"]),
    "RotationLambdaARN": st.sampled_from([LAMBDA_ARN, "arn:aws:lambda:us-east-1:123456789012:function:unregistered"]),
    "Duration": st.sampled_from(["1h", "4h", "24h"]),
    "ScheduleExpression": st.sampled_from(
        ["rate(10 days)", "rate(4 hours)", "cron(0 4 * * ? *)", "cron(0 16 1,15 * ? *)"]
    ),
    "Values": st.sampled_from(["fuzz", "!fuzz", "team", "a b"]),
    "ResourcePolicy": st.sampled_from(
        [
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
            '"arn:aws:iam::123456789012:root"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}',
            '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", '
            '"Resource": "*"}}',
            "{}",
            "not json",
        ]
    ),
}
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
huge_text = st.sampled_from([2_049, 70_000, 300_000]).map(lambda n: "x" * n)
odd_text = st.sampled_from(["", " ", "\u0000", "é" * 3, "🙂", "null", "%s%n", "../../etc", "bad name!", "\u202e"])
# Any JSON value, for members of the wrong type and for unknown members.
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        odd_text,
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


def _rarely(common: st.SearchStrategy[Any], *rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``common`` most of the time, so that requests with one odd member also reach deep code."""
    return st.one_of(*[common] * 8, st.one_of(*rare))


def valid_values(shape: Any, member: str = "", wire: bool = False, odd: bool = False) -> st.SearchStrategy[Any]:
    """Values that satisfy ``shape`` (and the pools above). ``wire``: as JSON travels (blobs in
    base64); ``odd``: now and then a well-typed value that breaks a maximum, a minimum, an
    enum or a pattern, which botocore's serializer sends as it is (SPEC A3)."""
    kind = shape.type_name
    meta = shape.metadata
    lo, hi = meta.get("min", 0), meta.get("max")
    strategy: st.SearchStrategy[Any]
    if kind == "structure":
        members = {name: valid_values(sub, name, wire, odd) for name, sub in shape.members.items()}
        # botocore always sends an idempotency token (SPEC A4), so a body mostly has one too.
        required = {
            name: members[name]
            for name, sub in shape.members.items()
            if name in shape.required_members or sub.metadata.get("idempotencyToken")
        }
        optional = {name: s for name, s in members.items() if name not in required}
        structure = st.fixed_dictionaries(required, optional=optional)
        if "SecretString" in members:
            # Mostly exactly one value, as a real write carries (SPEC C1).
            structure = st.builds(_one_value, structure, st.sampled_from(["SecretString", "SecretBinary", None]))
        return structure
    if kind == "list":
        item = valid_values(shape.member, member, wire, odd)
        strategy = st.lists(item, min_size=lo, max_size=max(lo, min(hi or 3, 3)))
        if odd:
            strategy = _rarely(strategy, st.lists(item, min_size=(hi or 20) + 1, max_size=(hi or 20) + 2), st.just([]))
        return strategy
    if kind == "map":
        return st.dictionaries(
            st.text(_ALNUM, min_size=1, max_size=8), valid_values(shape.value, member, wire, odd), max_size=3
        )
    if kind == "string":
        if member in _POOLS:
            strategy = _POOLS[member]
        elif shape.enum:
            strategy = st.sampled_from(shape.enum)
        else:
            text = st.text(_ALNUM, min_size=max(lo, 1), max_size=max(lo, 1) + 20)
            free = not meta.get("pattern") and (not hi or hi > 60)
            strategy = st.one_of(text, st.text(min_size=max(lo, 1), max_size=max(lo, 1) + 20)) if free else text
        if odd:
            rare = [odd_text, st.text(max_size=4)]
            if hi:
                rare.append(st.just("y" * (hi + 1)))
            strategy = _rarely(strategy, *rare)
        return strategy
    if kind in ("integer", "long"):
        strategy = st.integers(lo, hi if hi is not None else lo + 40)
        if odd:
            strategy = _rarely(strategy, st.integers(lo - 3, lo - 1), st.integers(-(2**63), 2**63 - 1))
        return strategy
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        data = st.one_of(st.binary(min_size=max(lo, 1), max_size=64), st.just(b"\xff\xfe\x80 not utf-8"))
        if odd:
            data = _rarely(data, st.just(b"\x00" * ((hi or 65_536) + 1)))
        return data.map(lambda raw: base64.b64encode(raw).decode()) if wire else data
    if kind == "timestamp":
        return st.floats(0, 4e9) if wire else st.datetimes(timezones=st.just(timezone.utc))
    raise AssertionError(f"unexpected shape type {kind}")  # pragma: no cover


def _one_value(params: dict[str, Any], keep: str | None) -> dict[str, Any]:
    """Keep one of SecretString/SecretBinary (``keep``), or leave the draw as it is (None).
    A RotationToken only fits a rotation in flight, so it is mostly left out too."""
    if keep is None:
        return params
    out = {k: v for k, v in params.items() if k not in ("SecretString", "SecretBinary", "RotationToken")}
    out[keep] = params.get(keep, "ZnV6eg==")  # valid as text and as base64
    return out


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in a JSON value, depth first."""
    out: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            out.append((value, key))
            out.extend(_slots(sub))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            out.append((value, index))
            out.extend(_slots(sub))
    return out


MUTATIONS = ["none", "none", "none", "wrong_type", "unknown_member", "huge", "surrogate", "bad_base64", "drop", "deep"]


@st.composite
def wire_bodies(draw: st.DrawFn, shape: Any) -> dict[str, Any]:
    """A valid body with (usually) exactly one thing wrong with it."""
    body: dict[str, Any] = draw(valid_values(shape, wire=True))
    mutation = draw(st.sampled_from(MUTATIONS))
    slots = _slots(body)
    if mutation == "unknown_member" or (mutation != "none" and not slots):
        dicts = [body] + [c[k] for c, k in slots if isinstance(c[k], dict)]
        target = draw(st.sampled_from(dicts))
        target[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
        return body
    if mutation == "none":
        return body
    container, key = draw(st.sampled_from(slots))
    if mutation == "bad_base64":
        blobs = [(c, k) for c, k in slots if k == "SecretBinary"]
        container, key = blobs[0] if blobs else (container, key)
        container[key] = draw(st.sampled_from(["%%%not-base64%%%", "YQ", "a===", "", "  ", "\u00ff"]))
    elif mutation == "wrong_type":
        old = container[key]
        container[key] = draw(json_values.filter(lambda v: type(v) is not type(old)))
    elif mutation == "huge":
        container[key] = draw(huge_text)
    elif mutation == "surrogate":
        container[key] = "\ud800" + (container[key] if isinstance(container[key], str) else "")
    elif mutation == "drop":
        del container[key]
    else:  # deep: nesting well inside Python's recursion limit reaches the validator
        container[key] = json.loads("[" * 400 + "]" * 400)
    return body


# ---- the fuzz tests ---------------------------------------------------------------------------
@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_typed_requests_get_a_valid_response_or_an_aws_error(operation: str) -> None:
    """Well-typed requests through botocore's own serializer, breaking maximums, enums and
    patterns that botocore does not check (SPEC A3)."""
    shape = MODEL.operation_model(operation).input_shape

    @given(params=st.one_of(valid_values(shape), valid_values(shape, odd=True)))
    @_settings(divisor=4)
    def run(params: dict[str, Any]) -> None:
        sm, ids = _fresh_mock()
        try:
            params = _substitute(params, ids)
            exchange(sm, operation, params)
        finally:
            sm.stop()

    run()


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_raw_bodies_with_wrong_types_unknown_members_and_bad_text_get_aws_errors(operation: str) -> None:
    """JSON bodies with members of the wrong type, unknown members, huge strings, lone
    surrogates and invalid base64, swapped in after botocore serialized the request."""
    shape = MODEL.operation_model(operation).input_shape

    @given(body=wire_bodies(shape), raw=st.booleans())
    @_settings(divisor=4)
    def run(body: dict[str, Any], raw: bool) -> None:
        sm, ids = _fresh_mock()
        try:
            body = _substitute(body, ids)
            # raw: text as UTF-8 bytes, not escapes, so a lone surrogate arrives as its raw bytes
            # (issue 18, item 10), as a client that does not escape would send it.
            encoded = (
                json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
                if raw
                else json.dumps(body).encode()
            )
            exchange(sm, operation, {}, encoded)
        finally:
            sm.stop()

    run()


non_objects = st.one_of(
    json_values.filter(lambda v: not isinstance(v, dict)).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40),
    st.sampled_from(
        [
            b"",
            b"{",
            b"{}}",
            b'{"SecretId": "fuzz-a",}',
            b"\xef\xbb\xbf{}",
            b'{"SecretId": "\xff\xfe"}',
            b'{"SecretId": "\\ud800"}',
            b"[" * 100_000 + b"]" * 100_000,
            b'{"SecretId": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            b'{"SecretId": "fuzz-a", "Extra": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}",
            b'{"PasswordLength": 1' + b"0" * 5000 + b"}",
            b'{"SecretId": NaN}',
            b'{"SecretId": "a", "SecretId": 1}',
        ]
    ),
)


@given(operation=st.sampled_from(OPERATION_NAMES), body=non_objects)
@_settings()
@example(operation="DescribeSecret", body=b"[" * 100_000 + b"]" * 100_000)
@example(operation="GetSecretValue", body=b'{"SecretId": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
@example(
    operation="CreateSecret",
    body=b'{"Name": "s", "SecretString": "\\ud800", "ClientRequestToken": "' + b"t" * 32 + b'"}',
)
def test_bodies_that_are_not_json_objects_or_not_json_get_aws_errors(operation: str, body: bytes) -> None:
    sm, _ = _fresh_mock()
    try:
        exchange(sm, operation, {}, body)
    finally:
        sm.stop()


# ---- regressions for what the fuzzers found ---------------------------------------------------
def _answer(operation: str, body: bytes) -> tuple[int, dict[str, Any]]:
    from sm_mock.pipeline import serve

    with mock_secretsmanager() as sm:
        status, raw = serve(sm.session, operation, body, REGION, ACCOUNT)
    return status, json.loads(raw)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested-array-body"),
        pytest.param(b'{"SecretId": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", id="nested-member"),
    ],
)
def test_deeply_nested_json_is_a_serialization_error_not_a_crash(body: bytes) -> None:
    status, answer = _answer("DescribeSecret", body)
    assert (status, answer["__type"]) == (400, "SerializationException")
    assert "deep" in answer["Message"]


@pytest.mark.parametrize("escape", ["\\ud800", "\\uDFFF", "a\\udc00b"])
def test_lone_surrogate_in_a_string_is_a_serialization_error(escape: str) -> None:
    body = (
        json.dumps({"Name": "s", "ClientRequestToken": "t" * 32}).encode()[:-1]
        + b', "SecretString": "'
        + escape.encode()
        + b'"}'
    )
    status, answer = _answer("CreateSecret", body)
    assert (status, answer["__type"]) == (400, "SerializationException")
    assert "Unicode" in answer["Message"]


@pytest.mark.parametrize("member", ["SecretString", "Description"])
@pytest.mark.parametrize("raw", [b"\xed\xa0\x80", b"a\xed\xbf\xbfb"])
def test_the_raw_bytes_of_a_lone_surrogate_are_a_serialization_error(member: str, raw: bytes) -> None:
    # Issue 18, item 10: UTF-8-style bytes of a surrogate skipped the check (json decodes with
    # "surrogatepass"): SecretString answered 500 and a Description holding one was stored.
    body = json.dumps({"Name": "s", "SecretString": "v"}).encode()[:-1] + f', "{member}": "'.encode() + raw + b'"}'
    if member == "SecretString":
        body = body.replace(b'"SecretString": "v", ', b"")
    with mock_secretsmanager() as sm:
        from sm_mock.pipeline import serve

        status, answer = serve(sm.session, "CreateSecret", body, REGION, ACCOUNT)
        assert (status, json.loads(answer)["__type"]) == (400, "SerializationException")
        assert sm.client().list_secrets()["SecretList"] == []


def test_text_whose_utf8_starts_with_byte_ed_is_ordinary_text() -> None:
    # U+D000..U+D7FF (Hangul) encode as ED 80..9F xx: they pass the raw-surrogate scan's full check.
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="s", SecretString="\ud55c\uad6d", Description="\ud7a3")
        assert client.get_secret_value(SecretId="s")["SecretString"] == "\ud55c\uad6d"


def test_an_escaped_backslash_before_u_is_ordinary_text() -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="s", SecretString="C:\\ud800\\path")
        assert client.get_secret_value(SecretId="s")["SecretString"] == "C:\\ud800\\path"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("ReplicateSecretToRegions", {"SecretId": "fuzz-a", "AddReplicaRegions": [{}]}),
        ("CreateSecret", {"Name": "new", "SecretString": "v", "AddReplicaRegions": [{"KmsKeyId": "alias/k"}]}),
    ],
)
def test_replica_region_entry_without_region_is_an_aws_error(operation: str, params: dict[str, Any]) -> None:
    sm, _ = _fresh_mock()
    try:
        exchange(sm, operation, params)
    finally:
        sm.stop()


# ---- the checks themselves can fail -----------------------------------------------------------
def test_the_snapshot_sees_a_change_anywhere_in_a_secret() -> None:
    sm, _ = _fresh_mock()
    try:
        before = snapshot(sm)
        secret = sm.backend.get("fuzz-a", account_id=ACCOUNT, region=REGION)
        version = next(iter(secret.versions.values()))
        version.last_accessed = date(2030, 1, 1)
        assert snapshot(sm) != before
        version.last_accessed = None
        assert snapshot(sm) == before
        assert version.envelope is not None
        version.envelope.ciphertext = b"changed"
        assert snapshot(sm) != before
    finally:
        sm.stop()


def test_the_answer_check_rejects_internal_errors_and_escaped_exceptions(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("a bug")

    sm, _ = _fresh_mock()
    try:
        monkeypatch.setitem(OPERATIONS, "DescribeSecret", broken)
        with pytest.raises(AssertionError, match="sm_mock bug"):
            exchange(sm, "DescribeSecret", {"SecretId": "fuzz-a"})
        monkeypatch.setattr("sm_mock.botocore.hook.serve", _raise)
        with pytest.raises(AssertionError, match="escaped the hook"):
            exchange(sm, "DescribeSecret", {"SecretId": "fuzz-a"})
    finally:
        sm.stop()


def _raise(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("escaped")


def test_the_failed_request_check_catches_a_half_applied_change(monkeypatch: pytest.MonkeyPatch) -> None:
    from sm_mock.errors import invalid_request

    original = OPERATIONS["TagResource"]

    def half_applied(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        original(ctx, params)
        raise invalid_request("failed after changing the tags")

    sm, _ = _fresh_mock()
    try:
        monkeypatch.setitem(OPERATIONS, "TagResource", half_applied)
        with pytest.raises(AssertionError, match="changed the backend"):
            exchange(sm, "TagResource", {"SecretId": "fuzz-a", "Tags": [{"Key": "k", "Value": "v"}]})
    finally:
        sm.stop()
