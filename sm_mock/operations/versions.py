"""ListSecretVersionIds and UpdateSecretVersionStage."""

from __future__ import annotations

from typing import Any

from ..model import labels
from .base import RequestContext, check_not_deleted, find_secret, operation
from .paging import decode_offset, encode_token

__all__: list[str] = []


@operation("ListSecretVersionIds")
def list_secret_version_ids(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Versions with labels; deprecated ones only with IncludeDeprecated (SPEC M, D9)."""
    secret = find_secret(ctx, p["SecretId"])  # SM-058: works while deletion is scheduled
    include_deprecated = bool(p.get("IncludeDeprecated"))
    limit = p.get("MaxResults") or 100
    start = decode_offset("versions", p["NextToken"]) if p.get("NextToken") else 0
    with ctx.store_of(secret).lock:
        by_version = secret.versions_to_stages()
        rows: list[dict[str, Any]] = []
        for vid, version in secret.versions.items():
            stages = by_version.get(vid)
            if stages is None and not include_deprecated:
                continue
            entry: dict[str, Any] = {"VersionId": vid}
            if stages:
                entry["VersionStages"] = stages  # SM-108: absent for deprecated versions
            if version.last_accessed is not None:
                entry["LastAccessedDate"] = version.last_accessed  # SM-106
            entry["CreatedDate"] = version.created
            entry["KmsKeyIds"] = [key.label for key in version.keys]  # SM-105
            rows.append(entry)
    out: dict[str, Any] = {"Versions": rows[start : start + limit]}
    if start + limit < len(rows):
        out["NextToken"] = encode_token("versions", {"o": start + limit})
    out["ARN"] = secret.arn
    out["Name"] = secret.name
    return out


@operation("UpdateSecretVersionStage")
def update_secret_version_stage(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Move or remove a staging label (SPEC D8)."""
    secret = find_secret(ctx, p["SecretId"])
    with ctx.store_of(secret).lock:
        check_not_deleted(secret)  # SM-027
        labels.move_stage(
            secret,
            p["VersionStage"],
            p.get("MoveToVersionId"),
            p.get("RemoveFromVersionId"),
            ctx.now,
            ctx.session.limits,
        )
        secret.last_changed = ctx.now
    return {"ARN": secret.arn, "Name": secret.name}
