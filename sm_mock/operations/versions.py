"""ListSecretVersionIds and UpdateSecretVersionStage."""

from __future__ import annotations

from typing import Any

from ..model.secret import Secret
from .base import RequestContext, operation
from .paging import decode_offset, encode_token

__all__: list[str] = []


def _version_rows(secret: Secret, include_deprecated: bool) -> list[dict[str, Any]]:
    """Versions with labels; deprecated ones only with IncludeDeprecated (SPEC M, D9).

    Versions holding no value (the AWSPENDING placeholder of a rotation, SPEC D12) are left
    out: "ListSecretVersionIds only returns versions that contain a secret value" (botocore
    1.44's model; DescribeSecret's VersionIdsToStages still shows them).
    """
    by_version = secret.versions_to_stages()
    rows: list[dict[str, Any]] = []
    for vid, version in secret.versions.items():
        if not version.has_value:
            continue
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
    return rows


@operation("ListSecretVersionIds")
def list_secret_version_ids(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """A page of a secret's versions (SM-058: works while deletion is scheduled)."""
    include_deprecated = bool(p.get("IncludeDeprecated"))
    limit = p.get("MaxResults") or 100
    start = decode_offset("versions", p["NextToken"]) if p.get("NextToken") else 0
    secret, rows = ctx.service.view(ctx, p["SecretId"], lambda s: (s, _version_rows(s, include_deprecated)))
    out: dict[str, Any] = {"Versions": rows[start : start + limit]}
    if start + limit < len(rows):
        out["NextToken"] = encode_token("versions", {"o": start + limit})
    out["ARN"] = secret.arn
    out["Name"] = secret.name
    return out


@operation("UpdateSecretVersionStage")
def update_secret_version_stage(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Move or remove a staging label (SPEC D8)."""
    secret = ctx.service.update_secret_version_stage(
        ctx, p["SecretId"], p["VersionStage"], p.get("MoveToVersionId"), p.get("RemoveFromVersionId")
    )
    return {"ARN": secret.arn, "Name": secret.name}
