"""Stateful model check: random API sequences against a small reference model (issue 7, item 1).

A Hypothesis ``RuleBasedStateMachine`` drives sm_mock through a real boto3 client with random
CreateSecret, PutSecretValue (with and without VersionStages and ClientRequestTokens, reusing
tokens with the same and with different values), UpdateSecret, UpdateSecretVersionStage,
DeleteSecret (window or force), RestoreSecret, TagResource/UntagResource, reads, and jumps of
an injected clock. Every response and every error code (and the recorded messages) is
compared with :class:`Reference`, a deliberately plain model written from SPEC §D, §E, §G, §K
and the recorded rows. It imports nothing from sm_mock. After every step the DESIGN.md model
invariants are checked (``sm_mock.model.labels.check_invariants`` on every secret, plus the
checks in :meth:`SecretsManagerMachine.backend_matches_reference`).

Small limits (6 versions, 6 labels, 4 tags) make the quota and pruning paths reachable in
short runs. Where neither SPEC nor a recorded row settles the order of two checks, the
reference states the order it expects in a comment; that order is the mock's contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from async_support import FAKE_KEYS, BlockingClient, needs_aio
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from support import client as shared_client

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.model.labels import check_invariants

# ---- the reference model: plain Python, nothing from sm_mock ---------------------------------
REGION = "us-east-1"
#: Where secrets are replicated (SPEC §I; issue 18, items 3, 4, 7, 8).
REPLICA_REGION = "eu-west-1"
ACCOUNT = "123456789012"
ARN_PREFIX = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:"
MAX_VERSIONS = 6  # SPEC D10 quota, lowered so pruning and the version limit are reachable
MAX_LABELS = 6  # SPEC D4 quota, lowered
MAX_TAGS = 4  # SPEC K5 quota, lowered
PRUNE_MIN_AGE = timedelta(hours=24)  # SPEC D10
DEFAULT_WINDOW_DAYS = 30  # SPEC G1
CURRENT, PREVIOUS, PENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"

NOT_FOUND = "Secrets Manager can't find the specified secret."  # SM-013
MARKED = "You can't perform this operation on the secret because it was marked for deletion."  # SM-023
_SUFFIX_TAIL = re.compile(r"-[A-Za-z0-9]{6}$")  # SPEC B8 / SM-016


class Refused(Exception):
    """The reference expects this AWS error (``message`` None: only the code is compared)."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Matches:
    """An expected string that is only known by shape (a random ARN suffix)."""

    pattern: str


class Both:
    """Sentinel value: send SecretString and SecretBinary together (SPEC C1)."""

    def __repr__(self) -> str:
        return "BOTH"


BOTH = Both()
Value = str | bytes


@dataclass
class RefVersion:
    value: Value
    created: datetime
    accessed: date | None = None


@dataclass
class RefSecret:
    name: str
    arn: str
    created: datetime
    changed: datetime
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    tags_touched: bool = False
    versions: dict[str, RefVersion] = field(default_factory=dict)  # creation order
    labels: dict[str, str] = field(default_factory=dict)  # label -> version id
    accessed: date | None = None
    deleted_at: datetime | None = None
    deletion_date: datetime | None = None
    #: Replicated to REPLICA_REGION (SPEC I1).
    replicated: bool = False
    #: Once replicated, DescribeSecret names the primary region, also after the replica is
    #: removed (SPEC I12; as a promoted replica keeps PrimaryRegion, SPEC I8).
    shows_primary_region: bool = False

    def labels_of(self, vid: str) -> list[str]:
        return sorted(label for label, holder in self.labels.items() if holder == vid)


def _with_stages(out: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    # SPEC A9 / row SM-108: a version without labels answers no VersionStages at all
    # (the mock's choices.EMPTY_VERSION_STAGES_OMITTED; spelled out here, not imported).
    if labels:
        out["VersionStages"] = labels
    return out


def _replication_status() -> list[dict[str, str]]:
    return [
        {
            "Region": REPLICA_REGION,
            "KmsKeyId": "alias/aws/secretsmanager",
            "Status": "InSync",
            "StatusMessage": "Replication succeeded",
        }
    ]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


class Reference:
    """What Secrets Manager should answer, written straight from the rules."""

    def __init__(self) -> None:
        self.secrets: dict[str, RefSecret] = {}
        self.retired_arns: set[str] = set()

    # -- lookups ------------------------------------------------------------------------
    def expire(self, now: datetime) -> None:
        """SPEC G7: a secret is gone once the clock reaches its DeletionDate."""
        for name, secret in list(self.secrets.items()):
            if secret.deletion_date is not None and now >= secret.deletion_date:
                self._forget(name)

    def _forget(self, name: str) -> None:
        self.retired_arns.add(self.secrets.pop(name).arn)

    def resolve(self, secret_id: str, now: datetime) -> RefSecret | None:
        """Name, full ARN or partial ARN (SPEC B7, B8)."""
        self.expire(now)
        if not secret_id.startswith("arn:"):
            return self.secrets.get(secret_id)
        for secret in self.secrets.values():
            if secret.arn == secret_id:
                return secret
        tail = secret_id.partition(":secret:")[2]
        if _SUFFIX_TAIL.search(tail):
            return None  # SM-016: looks like a full ARN, so no name fallback
        named = self.secrets.get(tail)
        if named is not None and named.arn[: -len("-XXXXXX")] == secret_id:
            return named
        return None

    def _existing(self, secret_id: str, now: datetime) -> RefSecret:
        secret = self.resolve(secret_id, now)
        if secret is None:
            raise Refused("ResourceNotFoundException", NOT_FOUND)
        return secret

    @staticmethod
    def _writable(secret: RefSecret) -> None:
        if secret.deleted_at is not None:
            raise Refused("InvalidRequestException", MARKED)  # SPEC G4

    # -- shared rules ---------------------------------------------------------------------
    @staticmethod
    def _same(version: RefVersion, value: Value) -> bool:
        """SPEC E2: same token + same value (and same kind, string or binary) is a no-op."""
        return type(version.value) is type(value) and version.value == value

    @staticmethod
    def _token_in_use(token: str, secret: RefSecret) -> Refused:
        return Refused(  # SM-034 / SM-035
            "ResourceExistsException",
            f"You can't use ClientRequestToken {token} because that value is already in use for a "
            f"version of secret {secret.arn}.",
        )

    @staticmethod
    def _check_tags(tags: list[tuple[str, str]], existing: dict[str, str]) -> dict[str, str]:
        merged = dict(existing)
        for key, value in tags:
            if key.lower().startswith("aws:"):
                raise Refused("InvalidParameterException")  # SPEC K5: reserved prefix
            merged[key] = value  # SPEC K2: an existing key takes the new value
        if len(merged) > MAX_TAGS:
            raise Refused("InvalidParameterException")  # SPEC K5
        return merged

    @staticmethod
    def _prunable(secret: RefSecret, labels: dict[str, str], count: int, now: datetime) -> list[str]:
        """SPEC D10: oldest unlabelled versions at least 24 h old, only beyond the quota."""
        excess = count - MAX_VERSIONS
        if excess <= 0:
            return []
        labelled = set(labels.values())
        old = [
            vid
            for vid, version in secret.versions.items()
            if vid not in labelled and version.created <= now - PRUNE_MIN_AGE
        ]
        return old[:excess]

    def _add_version(self, secret: RefSecret, vid: str, value: Value, stages: list[str] | None, now: datetime) -> None:
        """A value write: SPEC D5–D7, D10, SM-090, SM-094."""
        wanted = list(dict.fromkeys(stages)) if stages is not None else [CURRENT]
        old_current = secret.labels.get(CURRENT)
        if old_current is None and CURRENT not in wanted:
            wanted.append(CURRENT)  # D5: the first version always gets AWSCURRENT
        labels = dict(secret.labels)
        for label in wanted:
            labels[label] = vid  # D7: each listed label leaves its old holder
        if CURRENT in wanted and old_current is not None and old_current != vid:
            labels[PREVIOUS] = old_current  # D6
            if PENDING not in wanted:
                labels.pop(PENDING, None)  # SM-094 / SPEC H19: the write abandons AWSPENDING
        if labels.get(PREVIOUS) is not None and labels.get(PREVIOUS) == labels.get(CURRENT):
            del labels[PREVIOUS]  # DESIGN: AWSPREVIOUS is never on the AWSCURRENT version
        if len(labels) > MAX_LABELS:
            raise Refused("LimitExceededException")  # D4
        doomed = self._prunable(secret, labels, len(secret.versions) + 1, now)
        if len(secret.versions) + 1 - len(doomed) > MAX_VERSIONS:
            raise Refused("LimitExceededException")  # D10
        for gone in doomed:
            del secret.versions[gone]
        secret.versions[vid] = RefVersion(value, now)
        secret.labels = labels
        secret.changed = now

    # -- operations -----------------------------------------------------------------------
    def create(
        self,
        name: str,
        value: Value | Both | None,
        token: str,
        description: str | None,
        tags: list[tuple[str, str]] | None,
        arn: str | None,
        now: datetime,
    ) -> dict[str, Any]:
        # Order: the request's own parameters, then the name's state (there is no secret yet).
        if value is BOTH:
            raise Refused("InvalidParameterException")  # SM-050
        merged = self._check_tags(tags or [], {})
        existing = self.resolve(name, now)
        if existing is not None:
            if existing.deleted_at is not None:
                raise Refused(  # SM-002
                    "InvalidRequestException",
                    "You can't create this secret because a secret with this name is already scheduled for deletion.",
                )
            if value is not None and token in existing.versions:
                assert isinstance(value, (str, bytes))
                if self._same(existing.versions[token], value):
                    return {"ARN": existing.arn, "Name": name, "VersionId": token}  # SPEC E2
                raise self._token_in_use(token, existing)
            raise Refused(  # SM-001
                "ResourceExistsException", f"The operation failed because the secret {name} already exists."
            )
        # A new secret: its ARN has a fresh random suffix (SPEC B5, B6), checked by the caller.
        assert arn is not None
        secret = RefSecret(
            name, arn, now, now, description=description or None, tags=merged, tags_touched=tags is not None
        )
        out: dict[str, Any] = {"ARN": arn, "Name": name}
        if value is not None:
            assert isinstance(value, (str, bytes))
            self._add_version(secret, token, value, None, now)
            out["VersionId"] = token
        self.secrets[name] = secret
        return out

    def put(
        self, secret_id: str, value: Value | Both, token: str, stages: list[str] | None, now: datetime
    ) -> dict[str, Any]:
        # Order: the value parameters (the request's shape, SM-134), then SecretId resolution,
        # then the secret's state.
        if value is BOTH:
            raise Refused("InvalidParameterException")  # SM-050
        assert isinstance(value, (str, bytes))
        secret = self._existing(secret_id, now)
        self._writable(secret)  # SM-025
        if token in secret.versions:
            if self._same(secret.versions[token], value):
                pass  # SM-093: idempotent, nothing moves
            else:
                raise self._token_in_use(token, secret)  # SM-034
        else:
            self._add_version(secret, token, value, stages, now)
        return _with_stages({"ARN": secret.arn, "Name": secret.name, "VersionId": token}, secret.labels_of(token))

    def update(
        self, secret_id: str, value: Value | Both | None, token: str, description: str | None, now: datetime
    ) -> dict[str, Any]:
        secret = self._existing(secret_id, now)
        if value is BOTH:
            raise Refused("InvalidParameterException")
        self._writable(secret)  # SM-026
        out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
        if value is not None:
            assert isinstance(value, (str, bytes))
            if token in secret.versions:
                if self._same(secret.versions[token], value):
                    return {**out, "VersionId": token}  # SM-099: a retry changes nothing
                raise self._token_in_use(token, secret)  # SM-035
            self._add_version(secret, token, value, None, now)
            out["VersionId"] = token
        if description is not None:
            secret.description = description or None
        secret.changed = now
        return out

    def move_stage(
        self, secret_id: str, label: str, move_to: str | None, remove_from: str | None, now: datetime
    ) -> dict[str, Any]:
        """UpdateSecretVersionStage, SPEC D8 and rows SM-036..SM-039, SM-100..SM-104."""
        secret = self._existing(secret_id, now)
        self._writable(secret)  # SM-027
        for vid in (move_to, remove_from):
            if vid is not None and vid not in secret.versions:
                raise Refused("InvalidParameterException")  # SM-039
        holder = secret.labels.get(label)
        labels = dict(secret.labels)
        if move_to is None:
            if remove_from is None:
                raise Refused("InvalidParameterException")
            if label == CURRENT:
                raise Refused("InvalidParameterException")  # SM-037: AWSCURRENT can only move
            if holder != remove_from:
                raise Refused("InvalidParameterException")
            del labels[label]
        else:
            if holder is not None and holder != move_to:
                if remove_from is None:
                    raise Refused(  # SM-036
                        "InvalidParameterException",
                        f"The parameter RemoveFromVersionId can't be empty. Staging label {label} is currently "
                        f"attached to version {holder}, so you must explicitly reference that version in "
                        "RemoveFromVersionId.",
                    )
                if remove_from != holder:
                    raise Refused("InvalidParameterException")  # SM-038
            if label == PREVIOUS and secret.labels.get(CURRENT) == move_to:
                raise Refused("InvalidParameterException")  # DESIGN: never AWSPREVIOUS on current
            labels[label] = move_to
            if label == CURRENT and holder is not None and holder != move_to:
                labels[PREVIOUS] = holder  # D8d; AWSPENDING stays on the target (SM-100)
            if len(labels) > MAX_LABELS:
                raise Refused("LimitExceededException")  # D4
        secret.labels = labels
        for gone in self._prunable(secret, labels, len(secret.versions), now):
            del secret.versions[gone]
        secret.changed = now
        return {"ARN": secret.arn, "Name": secret.name}

    def delete(self, secret_id: str, window: int | None, force: bool | None, now: datetime) -> dict[str, Any]:
        # Order: the parameters first, since a forced delete of a missing secret succeeds.
        if force and window is not None:
            raise Refused("InvalidParameterException")  # SM-046
        if window is not None and not 7 <= window <= 30:
            raise Refused("InvalidParameterException")  # SM-045
        secret = self.resolve(secret_id, now)
        if secret is None:
            if not force:
                raise Refused("ResourceNotFoundException", NOT_FOUND)  # SM-048
            if secret_id.startswith("arn:"):  # SM-082: answers as if it had deleted it
                # The name is the ARN's resource part without its random suffix (SPEC B5, B8).
                name = _SUFFIX_TAIL.sub("", secret_id.partition(":secret:")[2])
                return {"ARN": secret_id, "Name": name, "DeletionDate": now}
            pattern = re.escape(ARN_PREFIX + secret_id) + r"-[A-Za-z0-9]{6}"
            return {"ARN": Matches(pattern), "Name": secret_id, "DeletionDate": now}
        if secret.replicated:  # SM-137
            raise Refused(
                "InvalidParameterException",
                f"You can't delete secret {secret.arn} that still has replica regions [{REPLICA_REGION}].",
            )
        if force:
            self._forget(secret.name)  # SPEC G3: gone at once
            return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": now}
        if secret.deleted_at is not None:
            raise Refused(  # SM-047
                "InvalidRequestException",
                "You tried to perform the operation on a secret that's currently marked deleted.",
            )
        secret.deleted_at = now
        secret.deletion_date = now + timedelta(days=window if window is not None else DEFAULT_WINDOW_DAYS)
        return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": secret.deletion_date}

    def restore(self, secret_id: str, now: datetime) -> dict[str, Any]:
        secret = self._existing(secret_id, now)
        secret.deleted_at = secret.deletion_date = None  # SPEC G6 (not deleted: a no-op)
        return {"ARN": secret.arn, "Name": secret.name}

    def tag(self, secret_id: str, tags: list[tuple[str, str]], now: datetime) -> dict[str, Any]:
        secret = self._existing(secret_id, now)
        self._writable(secret)
        secret.tags = self._check_tags(tags, secret.tags)
        secret.tags_touched = True
        secret.changed = now
        return {}

    def untag(self, secret_id: str, keys: list[str], now: datetime) -> dict[str, Any]:
        secret = self._existing(secret_id, now)
        self._writable(secret)  # SM-023
        for key in keys:
            secret.tags.pop(key, None)  # SPEC K3: missing keys are ignored
        secret.tags_touched = True
        secret.changed = now
        return {}

    def get_value(self, secret_id: str, vid: str | None, stage: str | None, now: datetime) -> dict[str, Any]:
        """SPEC P4, P5, D2, D9 (deprecated versions stay readable by id until pruned)."""
        secret = self._existing(secret_id, now)
        self._writable(secret)  # SM-024
        if vid is not None:
            if vid not in secret.versions:
                raise Refused(  # SM-018
                    "ResourceNotFoundException",
                    f"Secrets Manager can't find the specified secret value for VersionId: {vid}",
                )
            if stage is not None and secret.labels.get(stage) != vid:
                raise Refused(  # SM-021
                    "InvalidRequestException",
                    "You provided a VersionStage that is not associated to the provided VersionId.",
                )
        else:
            label = stage or CURRENT
            if label not in secret.labels:
                raise Refused(  # SM-017, SM-019
                    "ResourceNotFoundException",
                    f"Secrets Manager can't find the specified secret value for staging label: {label}",
                )
            vid = secret.labels[label]
        version = secret.versions[vid]
        version.accessed = secret.accessed = now.date()  # SPEC P3: date precision
        kind = "SecretBinary" if isinstance(version.value, bytes) else "SecretString"
        out = {"ARN": secret.arn, "Name": secret.name, "VersionId": vid, kind: version.value}
        out = _with_stages(out, secret.labels_of(vid))
        out["CreatedDate"] = version.created
        return out

    def describe(self, secret_id: str, now: datetime) -> dict[str, Any]:
        """SPEC P1; works while deletion is scheduled (SM-073)."""
        secret = self._existing(secret_id, now)
        out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
        if secret.description:
            out["Description"] = secret.description  # SM-064
        out["LastChangedDate"] = secret.changed
        if secret.accessed is not None:
            out["LastAccessedDate"] = _midnight(secret.accessed)
        if secret.deleted_at is not None:
            out["DeletedDate"] = secret.deleted_at  # SPEC G5 recommendation
        if secret.tags or secret.tags_touched:
            out["Tags"] = [{"Key": k, "Value": v} for k, v in secret.tags.items()]  # SM-076, SM-077
        stages = {vid: secret.labels_of(vid) for vid in set(secret.labels.values())}
        if stages:
            out["VersionIdsToStages"] = stages
        out["CreatedDate"] = secret.created
        if secret.shows_primary_region:
            out["PrimaryRegion"] = REGION
        if secret.replicated:
            out["ReplicationStatus"] = _replication_status()
        return out

    def replicate(self, secret_id: str, now: datetime) -> dict[str, Any]:
        """SPEC I1, I3 (ReplicateSecretToRegions to REPLICA_REGION with the default key)."""
        secret = self._existing(secret_id, now)
        self._writable(secret)
        if secret.replicated:
            raise Refused("InvalidParameterException")  # already InSync there
        secret.replicated = secret.shows_primary_region = True
        return {"ARN": secret.arn, "ReplicationStatus": _replication_status()}

    def remove_replica(self, secret_id: str, now: datetime) -> dict[str, Any]:
        """SPEC I9: the replica goes at once."""
        secret = self._existing(secret_id, now)
        if not secret.replicated:
            raise Refused("InvalidParameterException")
        secret.replicated = False
        return {"ARN": secret.arn, "ReplicationStatus": []}

    def write_to_replica(self, name: str, now: datetime) -> dict[str, Any]:
        """A write sent to the replica's region (SM-136)."""
        self.expire(now)
        secret = self.secrets.get(name)
        if secret is None or not secret.replicated:
            raise Refused("ResourceNotFoundException", NOT_FOUND)
        raise Refused(
            "InvalidParameterException",
            "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
        )

    def list_versions(self, secret_id: str, include_deprecated: bool, now: datetime) -> dict[str, Any]:
        """SPEC M, D9, SM-105..SM-108 (works while deletion is scheduled, SM-058)."""
        secret = self._existing(secret_id, now)
        rows = []
        for vid, version in secret.versions.items():
            labels = secret.labels_of(vid)
            if not labels and not include_deprecated:
                continue
            entry: dict[str, Any] = {"VersionId": vid}
            if labels:
                entry["VersionStages"] = labels
            if version.accessed is not None:
                entry["LastAccessedDate"] = _midnight(version.accessed)
            entry["CreatedDate"] = version.created
            entry["KmsKeyIds"] = ["DefaultEncryptionKey"]
            rows.append(entry)
        return {"Versions": rows, "ARN": secret.arn, "Name": secret.name}

    def batch_get(self, secret_ids: list[str], now: datetime) -> dict[str, Any]:
        """BatchGetSecretValue by id: each id answers as GetSecretValue would, failures go to
        Errors and the rest succeed (SPEC N2, N3, N6; SM-056, SM-057)."""
        values, errors = [], []
        for secret_id in secret_ids:
            try:
                values.append(self.get_value(secret_id, None, None, now))
            except Refused as refused:
                errors.append({"SecretId": secret_id, "ErrorCode": refused.code, "Message": refused.message})
        return {"SecretValues": values, "Errors": errors}

    def list_names(self, include_planned_deletion: bool, now: datetime) -> dict[str, dict[str, list[str]]]:
        """ListSecrets, reduced to name -> SecretVersionsToStages (SPEC L, G4)."""
        self.expire(now)
        return {
            secret.name: {vid: secret.labels_of(vid) for vid in set(secret.labels.values())}
            for secret in self.secrets.values()
            if include_planned_deletion or secret.deleted_at is None
        }


# ---- comparing answers ----------------------------------------------------------------------
def _normalise(value: Any, key: str = "") -> Any:
    """Label lists and version lists compare as sets (SM-133)."""
    if isinstance(value, dict):
        if key.endswith("ToStages"):  # VersionIdsToStages: version id -> label list
            return {k: sorted(v) for k, v in value.items()}
        return {k: _normalise(v, k) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        items = [_normalise(v) for v in value]
        if key == "VersionStages":
            return sorted(items)
        if key == "Versions":
            return sorted(items, key=lambda entry: entry["VersionId"])
        return items
    return value


def _assert_same(actual: Any, expected: Any, path: str = "") -> None:
    if isinstance(expected, Matches):
        assert isinstance(actual, str) and re.fullmatch(expected.pattern, actual), (path, actual, expected)
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), (path, actual, expected)
        assert sorted(actual) == sorted(expected), (path, sorted(actual), sorted(expected))
        for k in expected:
            _assert_same(actual[k], expected[k], f"{path}.{k}")
        return
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (path, actual, expected)
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _assert_same(a, e, f"{path}[{i}]")
        return
    assert actual == expected, (path, actual, expected)


Outcome = tuple[str, Any]  # ("ok", response) or ("error", (code, message))


def _call(fn: Any, **kwargs: Any) -> Outcome:
    try:
        return "ok", fn(**kwargs)
    except ClientError as error:
        err = error.response["Error"]
        return "error", (err["Code"], err.get("Message"))


def _expect(actual: Outcome, run_reference: Any) -> Any:
    """Run the reference and compare; returns the actual response (or None on error)."""
    try:
        expected = run_reference()
    except Refused as refused:
        assert actual[0] == "error", f"reference expected {refused.code}, sm_mock answered {actual[1]!r}"
        code, message = actual[1]
        assert code == refused.code, f"reference expected {refused.code}, sm_mock answered {code}: {message}"
        if refused.message is not None:
            assert message == refused.message
        return None
    assert actual[0] == "ok", f"reference expected success {expected!r}, sm_mock answered {actual[1]!r}"
    _assert_same(_normalise(actual[1]), _normalise(expected))
    return actual[1]


# ---- the state machine ----------------------------------------------------------------------
NAMES = ["alpha", "team/beta", "svc-abcdef"]  # the last one ends like an ARN suffix (SPEC B8)
LABELS = [CURRENT, PREVIOUS, PENDING, "L1", "L2", "L3", "L4"]
TOKENS = [f"token-{i}-" + "0123456789abcdef" * 2 for i in range(3)]  # 32+ characters (SPEC D1)
UNKNOWN_VERSION = "ffffffff-0000-4000-8000-000000000000"
STRING_VALUES = ["v-one", "v-two", '{"user": "admin", "password": "p"}', "ünïcode ✓"]
BINARY_VALUES = [b"v-one", b"\x00\x01\x02", b"\xff\xfe binary"]
JUMPS = [
    timedelta(seconds=1),
    timedelta(minutes=10),
    timedelta(hours=23),
    timedelta(hours=25),
    timedelta(days=7),
    timedelta(days=8),
    timedelta(days=31),
]


def _mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``common`` about five times in six, ``rare`` otherwise (keeps error paths a minority)."""
    return st.one_of(common, common, common, common, common, rare)


values = st.sampled_from([*STRING_VALUES, *BINARY_VALUES])
maybe_values = _mostly(st.one_of(st.none(), values, values), st.just(BOTH))
tokens = st.one_of(st.none(), st.sampled_from(TOKENS))
# (name index, form): 0 name, 1 full ARN, 2 partial ARN, 3 an ARN the name had before, 4 unknown.
secret_ids = st.tuples(st.integers(0, len(NAMES) - 1), st.sampled_from([0, 0, 0, 0, 0, 1, 1, 2, 3, 4]))
# Which version a request names: an index into the secret's known versions (modulo), the
# current holder of the label in question, or a version id the secret never had.
VersionRef = int | str | None
version_refs = _mostly(st.integers(0, MAX_VERSIONS - 1), st.just("unknown"))
move_targets = _mostly(version_refs, st.none())
remove_sources = st.one_of(st.none(), st.just("holder"), st.just("holder"), version_refs)
stage_lists = st.one_of(st.none(), st.lists(st.sampled_from(LABELS), min_size=1, max_size=3))
tag_keys = _mostly(st.sampled_from(["team", "env", "owner", "cost", "app"]), st.just("aws:reserved"))
tag_lists = st.lists(st.tuples(tag_keys, st.sampled_from(["", "a", "b"])), max_size=3)
descriptions = st.one_of(st.none(), st.sampled_from(["", "first description", "second"]))


class SteppingClock:
    """The injected clock: time moves only when the machine says so."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


class SecretsManagerMachine(RuleBasedStateMachine):
    """Random API sequences, each answer compared with :class:`Reference`."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = SteppingClock(datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc))
        self.mock: SecretsManagerMock = mock_secretsmanager(
            clock=self.clock, max_versions=MAX_VERSIONS, max_labels=MAX_LABELS, max_tags=MAX_TAGS
        ).start()
        # One client for every example: clients made before an activation are served too, and a
        # client costs far more than a call.
        self.client = shared_client(REGION)
        self.replica_client = shared_client(REPLICA_REGION)
        self.ref = Reference()
        #: Every ARN each name has had (to address a secret by a stale ARN, SPEC B6).
        self.arns: dict[str, list[str]] = {name: [] for name in NAMES}

    def teardown(self) -> None:
        self.mock.stop()

    @property
    def now(self) -> datetime:
        return self.clock.current

    # -- helpers --------------------------------------------------------------------------
    def secret_id(self, ref: tuple[int, int]) -> str:
        name = NAMES[ref[0]]
        live = self.ref.secrets.get(name)
        form = ref[1]
        if form == 1 and live is not None:
            return live.arn
        if form == 2:
            return ARN_PREFIX + name
        if form == 3 and self.arns[name]:
            return self.arns[name][0]
        if form == 4:
            return name + "-missing"
        return name

    def version(self, ref: tuple[int, int], choice: VersionRef, label: str | None = None) -> str | None:
        secret = self.ref.secrets.get(NAMES[ref[0]])
        if choice is None or secret is None:
            return None if choice is None else UNKNOWN_VERSION
        if choice == "holder":
            return secret.labels.get(label or CURRENT)
        if choice == "unknown" or not secret.versions:
            return UNKNOWN_VERSION
        known = list(secret.versions)
        return known[int(choice) % len(known)]

    @staticmethod
    def value_params(value: Value | Both | None) -> dict[str, Any]:
        if value is None:
            return {}
        if isinstance(value, Both):
            return {"SecretString": "both-s", "SecretBinary": b"both-b"}
        return {"SecretBinary": value} if isinstance(value, bytes) else {"SecretString": value}

    @staticmethod
    def token_params(token: str | None) -> dict[str, Any]:
        return {} if token is None else {"ClientRequestToken": token}

    @staticmethod
    def sent_token(token: str | None, actual: Outcome) -> str:
        """The token the request carried: boto3 fills in a fresh UUID when none is given (SPEC A4)."""
        if token is not None:
            return token
        if actual[0] == "ok" and "VersionId" in actual[1]:
            return str(actual[1]["VersionId"])
        return "auto-token-never-seen-before-0000"

    def check_new_arn(self, name: str, actual: Outcome) -> str:
        """SPEC B5/B6: a new secret's ARN is the name plus a fresh 6-character suffix."""
        if actual[0] != "ok":
            return "<sm_mock answered an error>"
        arn = str(actual[1]["ARN"])
        if self.ref.resolve(name, self.now) is None:
            assert re.fullmatch(re.escape(ARN_PREFIX + name) + r"-[A-Za-z0-9]{6}", arn), arn
            assert arn not in self.ref.retired_arns, "a re-created secret reused an old ARN"
            self.arns[name].append(arn)
        return arn

    def labels_before(self) -> dict[str, str | None]:
        return {name: (s.labels.get(CURRENT) if (s := self.ref.secrets.get(name)) else None) for name in NAMES}

    def check_previous_follows_current(self, before: dict[str, str | None]) -> None:
        """DESIGN: AWSPREVIOUS is on the version that last lost AWSCURRENT."""
        for name, old in before.items():
            secret = self.ref.secrets.get(name)
            if secret is None or old is None or old not in secret.versions:
                continue
            new = secret.labels.get(CURRENT)
            if new is not None and new != old:
                assert secret.labels.get(PREVIOUS) == old, (name, secret.labels)

    # -- rules: writes --------------------------------------------------------------------
    @initialize(first=st.lists(st.tuples(values, tokens), min_size=len(NAMES), max_size=len(NAMES)))
    def create_every_name(self, first: list[tuple[Value, str | None]]) -> None:
        """Start with every name holding a value, so most rules reach deep states."""
        for name, (value, token) in zip(NAMES, first, strict=True):
            self.create(name, value, token, None, None)

    @rule(
        name=st.sampled_from(NAMES),
        value=maybe_values,
        token=tokens,
        description=descriptions,
        tags=_mostly(st.none(), tag_lists),
    )
    def create(
        self, name: str, value: Value | Both | None, token: str | None, description: str | None, tags: Any
    ) -> None:
        params: dict[str, Any] = {"Name": name, **self.value_params(value), **self.token_params(token)}
        if description is not None:
            params["Description"] = description
        if tags is not None:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in tags]
        actual = _call(self.client.create_secret, **params)
        arn = self.check_new_arn(name, actual)
        sent = self.sent_token(token, actual)
        _expect(actual, lambda: self.ref.create(name, value, sent, description, tags, arn, self.now))

    @rule(sid=secret_ids, value=_mostly(values, st.just(BOTH)), token=tokens, stages=stage_lists)
    def put(self, sid: tuple[int, int], value: Value | Both, token: str | None, stages: list[str] | None) -> None:
        self.put_value(sid, value, token, stages)

    @rule(sid=secret_ids, value=values, token=tokens)
    def put_without_stages(self, sid: tuple[int, int], value: Value, token: str | None) -> None:
        """Plain value writes, weighted up so that versions pile up (pruning, SPEC D10)."""
        self.put_value(sid, value, token, None)

    @rule(sid=secret_ids, value=values, stages=st.lists(st.sampled_from(LABELS), min_size=1, max_size=3))
    def put_with_stages(self, sid: tuple[int, int], value: Value, stages: list[str]) -> None:
        self.put_value(sid, value, None, stages)

    def put_value(self, sid: tuple[int, int], value: Value | Both, token: str | None, stages: list[str] | None) -> None:
        before = self.labels_before()
        secret_id = self.secret_id(sid)
        params: dict[str, Any] = {"SecretId": secret_id, **self.value_params(value), **self.token_params(token)}
        if stages is not None:
            params["VersionStages"] = stages
        actual = _call(self.client.put_secret_value, **params)
        sent = self.sent_token(token, actual)
        _expect(actual, lambda: self.ref.put(secret_id, value, sent, stages, self.now))
        self.check_previous_follows_current(before)

    @rule(sid=secret_ids, value=maybe_values, token=tokens, description=descriptions)
    def update(
        self, sid: tuple[int, int], value: Value | Both | None, token: str | None, description: str | None
    ) -> None:
        before = self.labels_before()
        secret_id = self.secret_id(sid)
        params: dict[str, Any] = {"SecretId": secret_id, **self.value_params(value), **self.token_params(token)}
        if description is not None:
            params["Description"] = description
        actual = _call(self.client.update_secret, **params)
        sent = self.sent_token(token, actual)
        _expect(actual, lambda: self.ref.update(secret_id, value, sent, description, self.now))
        self.check_previous_follows_current(before)

    @rule(sid=secret_ids, label=st.sampled_from(LABELS), move_to=move_targets, remove_from=remove_sources)
    def move_stage(self, sid: tuple[int, int], label: str, move_to: VersionRef, remove_from: VersionRef) -> None:
        before = self.labels_before()
        secret_id = self.secret_id(sid)
        params: dict[str, Any] = {"SecretId": secret_id, "VersionStage": label}
        to, source = self.version(sid, move_to, label), self.version(sid, remove_from, label)
        if to is not None:
            params["MoveToVersionId"] = to
        if source is not None:
            params["RemoveFromVersionId"] = source
        actual = _call(self.client.update_secret_version_stage, **params)
        _expect(actual, lambda: self.ref.move_stage(secret_id, label, to, source, self.now))
        self.check_previous_follows_current(before)

    @rule(
        sid=secret_ids,
        window=st.one_of(st.none(), st.sampled_from([7, 10, 30, 5, 31])),
        force=st.one_of(st.none(), st.booleans()),
    )
    def delete(self, sid: tuple[int, int], window: int | None, force: bool | None) -> None:
        secret_id = self.secret_id(sid)
        params: dict[str, Any] = {"SecretId": secret_id}
        if window is not None:
            params["RecoveryWindowInDays"] = window
        if force is not None:
            params["ForceDeleteWithoutRecovery"] = force
        actual = _call(self.client.delete_secret, **params)
        _expect(actual, lambda: self.ref.delete(secret_id, window, force, self.now))

    @rule(sid=secret_ids)
    def replicate(self, sid: tuple[int, int]) -> None:
        secret_id = self.secret_id(sid)
        actual = _call(
            self.client.replicate_secret_to_regions, SecretId=secret_id, AddReplicaRegions=[{"Region": REPLICA_REGION}]
        )
        _expect(actual, lambda: self.ref.replicate(secret_id, self.now))

    @rule(sid=secret_ids)
    def remove_replica(self, sid: tuple[int, int]) -> None:
        secret_id = self.secret_id(sid)
        actual = _call(
            self.client.remove_regions_from_replication, SecretId=secret_id, RemoveReplicaRegions=[REPLICA_REGION]
        )
        _expect(actual, lambda: self.ref.remove_replica(secret_id, self.now))

    @rule(name=st.sampled_from(NAMES), value=values)
    def write_to_replica(self, name: str, value: Value) -> None:
        actual = _call(self.replica_client.put_secret_value, SecretId=name, **self.value_params(value))
        _expect(actual, lambda: self.ref.write_to_replica(name, self.now))

    @rule(sid=secret_ids)
    def restore(self, sid: tuple[int, int]) -> None:
        secret_id = self.secret_id(sid)
        actual = _call(self.client.restore_secret, SecretId=secret_id)
        _expect(actual, lambda: self.ref.restore(secret_id, self.now))

    @rule(sid=secret_ids, tags=tag_lists)
    def tag(self, sid: tuple[int, int], tags: list[tuple[str, str]]) -> None:
        secret_id = self.secret_id(sid)
        actual = _call(self.client.tag_resource, SecretId=secret_id, Tags=[{"Key": k, "Value": v} for k, v in tags])
        _expect(actual, lambda: self.ref.tag(secret_id, tags, self.now))

    @rule(sid=secret_ids, keys=st.lists(tag_keys, max_size=3))
    def untag(self, sid: tuple[int, int], keys: list[str]) -> None:
        secret_id = self.secret_id(sid)
        actual = _call(self.client.untag_resource, SecretId=secret_id, TagKeys=keys)
        _expect(actual, lambda: self.ref.untag(secret_id, keys, self.now))

    @rule(jump=st.sampled_from(JUMPS))
    def advance_clock(self, jump: timedelta) -> None:
        self.clock.current += jump

    # -- rules: reads ---------------------------------------------------------------------
    @rule(sid=secret_ids, vid=st.one_of(st.none(), version_refs), stage=st.one_of(st.none(), st.sampled_from(LABELS)))
    def get_value(self, sid: tuple[int, int], vid: VersionRef, stage: str | None) -> None:
        secret_id = self.secret_id(sid)
        version_id = self.version(sid, vid)
        params: dict[str, Any] = {"SecretId": secret_id}
        if version_id is not None:
            params["VersionId"] = version_id
        if stage is not None:
            params["VersionStage"] = stage
        actual = _call(self.client.get_secret_value, **params)
        _expect(actual, lambda: self.ref.get_value(secret_id, version_id, stage, self.now))

    @rule(sid=secret_ids, include_deprecated=st.booleans())
    def describe_and_list_versions(self, sid: tuple[int, int], include_deprecated: bool) -> None:
        secret_id = self.secret_id(sid)
        actual = _call(self.client.describe_secret, SecretId=secret_id)
        _expect(actual, lambda: self.ref.describe(secret_id, self.now))
        actual = _call(self.client.list_secret_version_ids, SecretId=secret_id, IncludeDeprecated=include_deprecated)
        _expect(actual, lambda: self.ref.list_versions(secret_id, include_deprecated, self.now))

    @rule(sids=st.lists(secret_ids, min_size=1, max_size=3))
    def batch_get(self, sids: list[tuple[int, int]]) -> None:
        ids = [self.secret_id(sid) for sid in sids]
        actual = _call(self.client.batch_get_secret_value, SecretIdList=ids)
        _expect(actual, lambda: self.ref.batch_get(ids, self.now))

    @rule(include_planned_deletion=st.booleans())
    def list_secrets(self, include_planned_deletion: bool) -> None:
        pages = self.client.get_paginator("list_secrets").paginate(IncludePlannedDeletion=include_planned_deletion)
        seen = {
            entry["Name"]: {vid: sorted(labels) for vid, labels in entry.get("SecretVersionsToStages", {}).items()}
            for page in pages
            for entry in page["SecretList"]
        }
        assert seen == self.ref.list_names(include_planned_deletion, self.now)

    # -- invariants -----------------------------------------------------------------------
    @invariant()
    def model_invariants_hold(self) -> None:
        """DESIGN.md "Model invariants", checked in the model's own module, on every secret."""
        for secret in self.mock.backend.secrets():
            check_invariants(secret, self.mock.limits)
            assert len(secret.versions) <= MAX_VERSIONS
            assert len(secret.stages) <= MAX_LABELS
            assert all(version.envelope is not None for version in secret.versions.values())

    @invariant()
    def backend_matches_reference(self) -> None:
        """The backend holds exactly the reference's secrets, versions, labels and values."""
        backend = self.mock.backend
        self.ref.expire(self.now)
        for secret in backend.secrets(ACCOUNT, REGION):
            expected = self.ref.secrets.get(secret.name)
            if expected is None:
                # Only an expired secret that no request has touched yet may linger (SPEC G7
                # is lazy); it must already be unreachable.
                assert secret.deletion_date is not None and self.now >= secret.deletion_date
                assert backend.find(secret.name, ACCOUNT, REGION) is None
                continue
            assert secret.arn == expected.arn
            assert list(secret.versions) == list(expected.versions), "versions differ (or their order)"
            assert secret.stages == expected.labels
            assert (secret.deleted_at, secret.deletion_date) == (expected.deleted_at, expected.deletion_date)
            for vid, version in expected.versions.items():
                # Versions are immutable: each still decrypts to the value it was written with.
                stored = backend.reveal(secret.arn, account_id=ACCOUNT, region=REGION, version_id=vid)
                assert stored == version.value and type(stored) is type(version.value)
                assert secret.versions[vid].created == version.created
        for name in self.ref.secrets:
            assert backend.find(name, ACCOUNT, REGION) is not None, f"{name} is missing from the backend"

    @invariant()
    def replicas_mirror_their_primary(self) -> None:
        """SPEC I7: every write to a primary has reached its replica (issue 18, items 7, 8)."""
        backend = self.mock.backend
        for name, expected in self.ref.secrets.items():
            replica = backend.find(name, ACCOUNT, REPLICA_REGION)
            if not expected.replicated:
                assert replica is None, f"{name} has a replica the reference does not"
                continue
            assert replica is not None, f"the replica of {name} is missing"
            assert list(replica.versions) == list(expected.versions)
            assert replica.stages == expected.labels
            for vid, version in expected.versions.items():
                stored = backend.reveal(replica.arn, account_id=ACCOUNT, region=REPLICA_REGION, version_id=vid)
                assert stored == version.value


def _profile_examples() -> int:
    """The loaded profile's example budget (conftest.py: "quick" 30, "ci" 120)."""
    assert settings.default is not None
    return int(settings.default.max_examples)


def _scaled() -> settings:
    """ "quick" (local) keeps runs short; "ci" explores more, bounded well under a minute."""
    examples = _profile_examples()
    return settings(
        max_examples=examples,
        stateful_step_count=40 if examples >= 100 else 25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


SecretsManagerMachine.TestCase.settings = _scaled()
#: pytest runs this as ``TestSecretsManagerMatchesTheReferenceModel::runTest``.
TestSecretsManagerMatchesTheReferenceModel = pytest.mark.slow(SecretsManagerMachine.TestCase)


# ---- the same machine through an aiobotocore client (issue 15) ---------------------------------
_ASYNC_CLIENTS: list[Any] = []


def async_client() -> Any:
    """One aiobotocore client for every example, behind boto3's blocking interface."""
    if not _ASYNC_CLIENTS:
        _ASYNC_CLIENTS.append(BlockingClient(REGION, **FAKE_KEYS))
    return _ASYNC_CLIENTS[0]


class AsyncClientMachine(SecretsManagerMachine):
    """Every request through aiobotocore's endpoint, retry handler and parser."""

    def __init__(self) -> None:
        super().__init__()
        self.client = async_client()


AsyncClientMachine.TestCase.settings = settings(
    _scaled(), max_examples=max(10, _profile_examples() // 2), stateful_step_count=25
)
#: pytest runs this as ``TestAsyncClientMatchesTheReferenceModel::runTest``.
TestAsyncClientMatchesTheReferenceModel = needs_aio(pytest.mark.slow(AsyncClientMachine.TestCase))
