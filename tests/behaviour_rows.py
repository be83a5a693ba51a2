"""Replay engine for the recorded AWS behaviour rows (tests/data/aws_behaviour.json).

The row format is documented in /work/shared/AWS_BEHAVIOUR.md. This module knows nothing
about sm_mock: it resolves placeholders, makes boto3 calls and checks responses, so the same
engine could replay the rows against the real service.

Every check kind compares something and fails loudly on an expectation it does not know, so
a row can never pass vacuously (tests/test_aws_behaviour.py feeds wrong expectations into
:func:`check_expect` to prove each kind can fail).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from botocore import xform_name

__all__ = [
    "CHECK_KINDS",
    "ROWS_PATH",
    "Placeholders",
    "Row",
    "call",
    "check_expect",
    "label_set",
    "load_rows",
    "run_setup",
]

ROWS_PATH = Path(__file__).parent / "data" / "aws_behaviour.json"

Row = dict[str, Any]

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_-]+)>")


def load_rows(path: Path = ROWS_PATH) -> list[Row]:
    """Every row of the recording, in file order."""
    rows: list[Row] = json.loads(path.read_text(encoding="utf-8"))
    return rows


# ---- placeholders -------------------------------------------------------------------------
#: Placeholders that stand for a fresh secret name (never created unless a setup step does).
_FRESH_NAMES = ("name", "name_a", "name_b", "missing_name", "random_name")


class Placeholders:
    """Values for ``<...>`` placeholders: fresh on first use, or saved from setup responses."""

    def __init__(self, region: str, account: str) -> None:
        self.values: dict[str, Any] = {"region": region, "account": account}

    def __getitem__(self, key: str) -> Any:
        if key not in self.values:
            self.values[key] = self._fresh(key)
        return self.values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.values[key] = value

    def _fresh(self, key: str) -> Any:
        if key in _FRESH_NAMES:
            # 12 hex characters after the last hyphen: the name never ends in "-" + 6
            # characters, which AWS would take for an ARN suffix (SM-016).
            return f"sm-{key.replace('_', '-')}-{uuid.uuid4().hex[:12]}"
        if key in ("n", "u"):
            # Digits only: a unique tail that no name or description filter can match by
            # accident (SM-110 … SM-121).
            return f"{uuid.uuid4().int % 10**8:08d}"
        if key in ("token", "random_uuid"):
            return str(uuid.uuid4())
        if key == "arn-7":
            # A partial ARN: the full ARN without "-" and its 6-character suffix (SM-016, SM-065).
            return str(self["arn"])[:-7]
        if key == "policy":
            # SM-054: a principal AWS cannot resolve (e.g. a role created seconds ago).
            return json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{self['account']}:role/created-seconds-ago"},
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": "*",
                        }
                    ],
                }
            )
        if key == "lambda_arn":
            return f"arn:aws:lambda:{self['region']}:{self['account']}:function:sm-row-rotation"
        raise KeyError(
            f"placeholder <{key}> has no value: it must be saved by a setup step first "
            "(or the replay engine does not know it yet)"
        )

    def resolve(self, value: Any) -> Any:
        """``value`` with placeholders substituted and ``{"$bytes_b64": ...}`` decoded."""
        if isinstance(value, str):
            return _PLACEHOLDER.sub(lambda m: str(self[m.group(1)]), value)
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            if set(value) == {"$bytes_b64"}:
                return base64.b64decode(value["$bytes_b64"])
            return {self.resolve(k): self.resolve(v) for k, v in value.items()}
        return value

    def save(self, response: Mapping[str, Any], mapping: Mapping[str, str]) -> None:
        """Store response fields under placeholders (a setup step's ``save``)."""
        for field, placeholder in mapping.items():
            assert field in response, f"cannot save {placeholder}: response has no {field!r}"
            match = _PLACEHOLDER.fullmatch(placeholder)
            assert match is not None, f"bad placeholder {placeholder!r}"
            self.values[match.group(1)] = response[field]


# ---- calls ----------------------------------------------------------------------------------
def call(client: Any, op: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Call ``op`` with boto3; ListSecrets follows NextToken and merges the pages."""
    method = getattr(client, xform_name(op))
    response: dict[str, Any] = method(**params)
    if op == "ListSecrets":
        token = response.get("NextToken")
        while token:
            page: dict[str, Any] = method(**params, NextToken=token)
            response["SecretList"].extend(page["SecretList"])
            token = page.get("NextToken")
        response.pop("NextToken", None)
    return response


def run_setup(client: Any, row: Row, ph: Placeholders) -> None:
    """Make the row's setup calls in order and save the placeholders they name."""
    for step in row["setup"]:
        response = call(client, step["op"], ph.resolve(step["params"]))
        ph.save(response, step.get("save") or {})


# ---- checks ---------------------------------------------------------------------------------
def label_set(labels: Iterable[str] | None) -> frozenset[str]:
    """Label lists compare as sets (SM-133: recorded order is not an AWS fact)."""
    return frozenset(labels or ())


#: Members whose list value is a set of staging labels (SM-133).
_LABEL_KEYS = frozenset({"VersionStages"})


def _same(key: str, actual: Any, expected: Any) -> bool:
    if key in _LABEL_KEYS and isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(set(actual)) and label_set(actual) == label_set(expected)
    return bool(actual == expected)


def _top_keys(response: Mapping[str, Any]) -> set[str]:
    return set(response) - {"ResponseMetadata"}


def _stage_map(response: Mapping[str, Any]) -> dict[str, list[str] | None]:
    """Version id → labels, from VersionIdsToStages (Describe) or Versions (ListSecretVersionIds)."""
    if "Versions" in response:
        return {v["VersionId"]: v.get("VersionStages") for v in response["Versions"]}
    stages: dict[str, list[str] | None] = dict(response.get("VersionIdsToStages") or {})
    return stages


def _version_entry(response: Mapping[str, Any], vid: str) -> dict[str, Any]:
    for entry in response.get("Versions") or ():
        if entry["VersionId"] == vid:
            found: dict[str, Any] = entry
            return found
    raise AssertionError(f"version {vid} is not in Versions")


def _list_entry(response: Mapping[str, Any], name: str) -> dict[str, Any]:
    for entry in response.get("SecretList") or ():
        if entry["Name"] == name:
            found: dict[str, Any] = entry
            return found
    raise AssertionError(f"secret {name!r} is not in SecretList")


class _Checker:
    """Runs the checks of one ``expect`` block; collects failures and counts comparisons."""

    def __init__(self, response: Mapping[str, Any], ph: Placeholders, expect: Mapping[str, Any]) -> None:
        self.response = response
        self.ph = ph
        self.spec = expect
        self.failures: list[str] = []
        self.comparisons = 0

    def expect(self, ok: bool, what: str) -> None:
        self.comparisons += 1
        if not ok:
            self.failures.append(what)

    def keys(self, spec: list[str]) -> None:
        actual = _top_keys(self.response)
        self.expect(actual == set(spec), f"keys: expected {sorted(spec)}, got {sorted(actual)}")

    def keys_include(self, spec: list[str]) -> None:
        for key in spec:
            self.expect(key in self.response, f"keys_include: {key!r} missing")

    def keys_exclude(self, spec: list[str]) -> None:
        for key in spec:
            self.expect(key not in self.response, f"keys_exclude: {key!r} present")

    def equals(self, spec: dict[str, Any]) -> None:
        for key, raw in spec.items():
            expected = self.ph.resolve(raw)
            actual = self.response.get(key, _MISSING)
            self.expect(_same(key, actual, expected), f"equals {key}: expected {expected!r}, got {actual!r}")

    def set_equals(self, spec: dict[str, Any]) -> None:
        for key, raw in spec.items():
            expected = self.ph.resolve(raw)
            actual = self.response.get(key)
            ok = isinstance(actual, list) and len(actual) == len(set(actual)) and set(actual) == set(expected)
            self.expect(ok, f"set_equals {key}: expected {sorted(expected)}, got {actual!r}")

    def not_equals(self, spec: dict[str, Any]) -> None:
        for key, raw in spec.items():
            expected = self.ph.resolve(raw)
            actual = self.response.get(key, _MISSING)
            self.expect(
                actual is not _MISSING and actual != expected,
                f"not_equals {key}: got {actual!r}, which must differ from {expected!r}",
            )

    def stages(self, spec: dict[str, list[str] | None]) -> None:
        by_version = _stage_map(self.response)
        for vp, labels in spec.items():
            vid = self.ph.resolve(vp)
            actual = by_version.get(vid)
            if labels is None:
                # null: the version carries no label (absent, or listed without VersionStages).
                self.expect(not actual, f"stages {vp}: expected no labels, got {actual!r}")
            else:
                self.expect(
                    actual is not None and _same("VersionStages", actual, labels),
                    f"stages {vp}: expected {sorted(labels)}, got {actual!r}",
                )

    def versions_present(self, spec: list[str]) -> None:
        present = {v["VersionId"] for v in self.response.get("Versions") or ()}
        for vp in spec:
            self.expect(self.ph.resolve(vp) in present, f"versions_present: {vp} not listed")

    def _entries(self, spec: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any] | None, Any]]:
        for vp, value in spec.items():
            try:
                entry: dict[str, Any] | None = _version_entry(self.response, self.ph.resolve(vp))
            except AssertionError:
                entry = None
            yield vp, entry, value

    def version_entry_keys(self, spec: dict[str, list[str]]) -> None:
        for vp, entry, keys in self._entries(spec):
            actual = set(entry) if entry is not None else None
            self.expect(actual == set(keys), f"version_entry_keys {vp}: expected {sorted(keys)}, got {actual}")

    def version_entry_keys_include(self, spec: dict[str, list[str]]) -> None:
        for vp, entry, keys in self._entries(spec):
            for key in keys:
                self.expect(entry is not None and key in entry, f"version_entry_keys_include {vp}: {key!r} missing")

    def version_entry_keys_exclude(self, spec: dict[str, list[str]]) -> None:
        for vp, entry, keys in self._entries(spec):
            for key in keys:
                self.expect(
                    entry is not None and key not in entry,
                    f"version_entry_keys_exclude {vp}: {key!r} present (or version missing)",
                )

    def version_entry_equals(self, spec: dict[str, dict[str, Any]]) -> None:
        for vp, entry, fields in self._entries(spec):
            for key, raw in fields.items():
                expected = self.ph.resolve(raw)
                actual = entry.get(key, _MISSING) if entry is not None else _MISSING
                self.expect(
                    _same(key, actual, expected),
                    f"version_entry_equals {vp}.{key}: expected {expected!r}, got {actual!r}",
                )

    def _names(self) -> set[str]:
        return {entry["Name"] for entry in self.response.get("SecretList") or ()}

    def names_include(self, spec: list[str]) -> None:
        names = self._names()
        for raw in spec:
            name = self.ph.resolve(raw)
            self.expect(name in names, f"names_include: {name!r} not listed (got {sorted(names)})")

    def names_exclude(self, spec: list[str]) -> None:
        self.expect("SecretList" in self.response, "names_exclude: the response has no SecretList")
        names = self._names()
        for raw in spec:
            name = self.ph.resolve(raw)
            self.expect(name not in names, f"names_exclude: {name!r} listed")

    def list_entry_keys(self, spec: dict[str, list[str]]) -> None:
        for raw, keys in spec.items():
            name = self.ph.resolve(raw)
            try:
                actual: set[str] | None = set(_list_entry(self.response, name))
            except AssertionError:
                actual = None
            self.expect(actual == set(keys), f"list_entry_keys {name}: expected {sorted(keys)}, got {actual}")

    def secret_value_names(self, spec: list[str]) -> None:
        names = [entry["Name"] for entry in self.response.get("SecretValues") or ()]
        expected = [self.ph.resolve(raw) for raw in spec]
        self.expect(
            sorted(names) == sorted(expected),
            f"secret_value_names: expected {sorted(expected)}, got {sorted(names)}",
        )

    def error_codes(self, spec: dict[str, str]) -> None:
        by_id = {entry.get("SecretId"): entry.get("ErrorCode") for entry in self.response.get("Errors") or ()}
        for raw, code in spec.items():
            secret_id = self.ph.resolve(raw)
            actual = by_id.get(secret_id)
            self.expect(actual == code, f"error_codes {secret_id}: expected {code}, got {actual}")

    def arn_prefix(self, spec: str) -> None:
        prefix = self.ph.resolve(spec)
        arn = str(self.response.get("ARN", ""))
        self.expect(arn.startswith(prefix), f"arn_prefix: {arn!r} does not start with {prefix!r}")

    def arn_suffix_len(self, spec: int) -> None:
        # Paired with arn_prefix (AWS_BEHAVIOUR.md): the random suffix after "<name>-".
        arn = str(self.response.get("ARN", ""))
        prefix = self.ph.resolve(self.spec["arn_prefix"]) if "arn_prefix" in self.spec else None
        if prefix is not None:
            suffix = arn[len(prefix) :] if arn.startswith(prefix) else ""
        else:
            suffix = arn.rsplit("-", 1)[-1] if "-" in arn else ""
        self.expect(
            len(suffix) == spec and suffix.isalnum() and suffix.isascii(),
            f"arn_suffix_len: suffix {suffix!r} of {arn!r} is not {spec} letters/digits",
        )

    def midnight(self, spec: list[str]) -> None:
        for key in spec:
            value = self.response.get(key)
            ok = isinstance(value, datetime) and value.astimezone(timezone.utc).time() == datetime.min.time()
            self.expect(ok, f"midnight {key}: {value!r} is not 00:00:00 UTC")

    def random_password(self, spec: dict[str, Any]) -> None:
        password = self.response.get("RandomPassword")
        self.expect(isinstance(password, str), f"random_password: got {password!r}")
        if not isinstance(password, str):
            return
        self.expect(len(password) == spec["length"], f"random_password: length {len(password)} != {spec['length']}")
        banned = sorted(set(password) & set(spec.get("exclude", "")))
        self.expect(not banned, f"random_password: contains excluded characters {banned}")


_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()

#: Check kind → method of :class:`_Checker` (AWS_BEHAVIOUR.md "expect").
CHECK_KINDS: dict[str, Callable[[_Checker, Any], None]] = {
    name: getattr(_Checker, name)
    for name in (
        "keys",
        "keys_include",
        "keys_exclude",
        "equals",
        "set_equals",
        "not_equals",
        "stages",
        "versions_present",
        "version_entry_keys",
        "version_entry_keys_include",
        "version_entry_keys_exclude",
        "version_entry_equals",
        "names_include",
        "names_exclude",
        "list_entry_keys",
        "secret_value_names",
        "error_codes",
        "arn_prefix",
        "arn_suffix_len",
        "midnight",
        "random_password",
    )
}


def check_expect(response: Mapping[str, Any], expect: Mapping[str, Any], ph: Placeholders) -> int:
    """Check a success response against an ``expect`` block; returns the comparisons made.

    Raises AssertionError listing every failed check, or for an unknown check kind.
    """
    unknown = set(expect) - set(CHECK_KINDS)
    assert not unknown, f"unknown expect kinds {sorted(unknown)}: teach the replay engine first"
    checker = _Checker(response, ph, expect)
    for kind, spec in expect.items():
        before = checker.comparisons
        CHECK_KINDS[kind](checker, spec)
        # A non-empty check that compared nothing would pass vacuously: refuse it. (An empty
        # spec, e.g. SM-112's names_include [], legitimately expects nothing.)
        assert checker.comparisons > before or spec in ([], {}), f"{kind} compared nothing: {spec!r}"
    if checker.failures:
        raise AssertionError("; ".join(checker.failures))
    return checker.comparisons
