"""GetSecretValue and PutSecretValue."""

from __future__ import annotations

from typing import Any

from .. import choices
from ..model.secret import Secret, SecretVersion
from .base import RequestContext, operation, require_token
from .secrets import version_answer

__all__ = ["value_answer"]


def value_answer(secret: Secret, version: SecretVersion, raw: bytes) -> dict[str, Any]:
    """The GetSecretValue shape of a decrypted version (also a BatchGetSecretValue entry)."""
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name, "VersionId": version.version_id}
    if version.binary:
        out["SecretBinary"] = raw
    else:
        out["SecretString"] = raw.decode("utf-8")
    stages = secret.labels_of(version.version_id)
    if stages or not choices.EMPTY_VERSION_STAGES_OMITTED:
        out["VersionStages"] = stages
    out["CreatedDate"] = version.created
    return out


@operation("GetSecretValue")
def get_secret_value(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Read a version's value by id, label, or AWSCURRENT by default."""
    return value_answer(*ctx.service.get_secret_value(ctx, p["SecretId"], p.get("VersionId"), p.get("VersionStage")))


@operation("PutSecretValue")
def put_secret_value(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Write a new version (SPEC D6, D7), idempotently per ClientRequestToken (SPEC E1–E5)."""
    token = require_token(p)  # SM-031
    written = ctx.service.put_secret_value(
        ctx,
        p["SecretId"],
        token=token,
        secret_string=p.get("SecretString"),
        secret_binary=p.get("SecretBinary"),
        stages=p.get("VersionStages"),
        rotation_token=p.get("RotationToken"),
    )
    return version_answer(written.secret, written.version_id)
