"""Wire shapes shared by several operations (DescribeSecret and ListSecrets entries).

Members without a value are left out, never sent as null (SPEC A9); which keys appear
follows the recordings (SM-064, SM-068..SM-073, SM-109, SM-125).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..crypto import DEFAULT_KEY_ALIAS
from ..model.schedule import RotationSchedule
from ..model.secret import Secret
from ..model.service import ReplicaRequest

__all__ = [
    "cross_account_fields",
    "replica_requests",
    "replication_status",
    "rotation_fields",
    "rotation_rules",
    "rotation_schedule_from_wire",
    "secret_metadata",
]


def rotation_schedule_from_wire(rules: Mapping[str, object]) -> RotationSchedule:
    """Build a schedule from a request's ``RotationRules`` dict (unknown keys are ignored)."""
    after_days = rules.get("AutomaticallyAfterDays")
    expression = rules.get("ScheduleExpression")
    duration = rules.get("Duration")
    # The types are checked in RotationSchedule.__post_init__; the wire may carry anything
    # when the client turned parameter validation off.
    return RotationSchedule(after_days, expression, duration)  # type: ignore[arg-type]


def rotation_rules(schedule: RotationSchedule) -> dict[str, object]:
    """``RotationRules`` as DescribeSecret returns them: only the keys that were given."""
    wire: dict[str, object] = {}
    if schedule.automatically_after_days is not None:
        wire["AutomaticallyAfterDays"] = schedule.automatically_after_days
    if schedule.schedule_expression is not None:
        wire["ScheduleExpression"] = schedule.schedule_expression
    if schedule.duration is not None:
        wire["Duration"] = schedule.duration
    return wire


def replica_requests(regions: list[dict[str, Any]]) -> list[ReplicaRequest]:
    """A request's ``AddReplicaRegions`` (an entry without a Region keeps "", which the model
    refuses)."""
    return [ReplicaRequest(entry.get("Region") or "", entry.get("KmsKeyId") or None) for entry in regions]


def replication_status(secret: Secret) -> list[dict[str, Any]]:
    """``ReplicationStatus`` of a primary (SPEC I4)."""
    return [
        {
            "Region": status.region,
            "KmsKeyId": DEFAULT_KEY_ALIAS if status.kms_key.is_default else status.kms_key.arn,
            "Status": status.status,
            "StatusMessage": status.message,
        }
        for status in secret.replicas.values()
    ]


def rotation_fields(secret: Secret, out: dict[str, Any], now: datetime) -> None:
    """RotationEnabled, RotationLambdaARN, RotationRules, LastRotatedDate, NextRotationDate."""
    rotation = secret.rotation
    if rotation is None:
        return
    out["RotationEnabled"] = rotation.enabled
    if rotation.lambda_arn:
        out["RotationLambdaARN"] = rotation.lambda_arn
    if rotation.external_metadata is not None:  # a managed external secret's rotation
        out["ExternalSecretRotationMetadata"] = [{"Key": k, "Value": v} for k, v in rotation.external_metadata]
    if rotation.external_role_arn is not None:
        out["ExternalSecretRotationRoleArn"] = rotation.external_role_arn
    if rotation.rules is not None:
        rules = rotation_rules(rotation.rules)
        days = rotation.rules.display_days()
        if "AutomaticallyAfterDays" not in rules and days is not None:
            # SPEC H26: the example reports 14 days for cron(0 16 1,15 * ? *).
            rules["AutomaticallyAfterDays"] = days
        out["RotationRules"] = rules
    if rotation.enabled:
        if rotation.last_rotated is not None:
            out["LastRotatedDate"] = rotation.last_rotated
        nxt = rotation.next_date()
        if nxt is not None:
            out["NextRotationDate"] = nxt


def cross_account_fields(secret: Secret, out: dict[str, Any]) -> None:
    """DescribeSecret's CrossAccountPrimary (on a replica) and CrossAccountReplicas (on a primary)."""
    link = secret.cross_account_primary
    if link is not None:
        primary: dict[str, Any] = {"PrimarySecretARN": link.primary_arn, "ReplicationStatus": link.status}
        if link.message:
            primary["StatusMessage"] = link.message
        out["CrossAccountPrimary"] = primary
    if secret.cross_account_replicas:
        entries = []
        for link in secret.cross_account_replicas.values():
            entry: dict[str, Any] = {"ReplicaSecretARN": link.replica_arn}
            if link.role_arn is not None:
                entry["ReplicationRoleARN"] = link.role_arn
            entry["ReplicationStatus"] = link.status
            if link.message:
                entry["StatusMessage"] = link.message
            entries.append(entry)
        out["CrossAccountReplicas"] = entries


def secret_metadata(secret: Secret, now: datetime, *, stages_key: str) -> dict[str, Any]:
    """The DescribeSecret body; ListSecrets uses it with ``stages_key="SecretVersionsToStages"``."""
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if secret.type is not None:
        out["Type"] = secret.type
    if secret.description:
        out["Description"] = secret.description  # SM-064: an empty description is omitted
    if secret.kms_key_explicit:
        out["KmsKeyId"] = secret.kms_key.arn  # SPEC F5: never for the default key
    if secret.rotation is not None:  # (checked here too: a ListSecrets page has 100 entries)
        rotation_fields(secret, out, now)
    if secret.last_changed is not None:
        out["LastChangedDate"] = secret.last_changed
    if secret.last_accessed is not None:
        out["LastAccessedDate"] = secret.last_accessed
    if secret.deleted_at is not None:
        out["DeletedDate"] = secret.deleted_at
    if secret.tags or secret.tags_touched:
        out["Tags"] = [{"Key": k, "Value": v} for k, v in secret.tags.items()]  # SM-076, SM-077
    stages = secret.versions_to_stages()
    if stages:
        out[stages_key] = stages
    if secret.owning_service is not None:
        out["OwningService"] = secret.owning_service
    out["CreatedDate"] = secret.created
    if secret.primary_region is not None:
        out["PrimaryRegion"] = secret.primary_region
    if secret.replicas and stages_key == "VersionIdsToStages":  # not in SecretListEntry
        out["ReplicationStatus"] = replication_status(secret)
    return out
