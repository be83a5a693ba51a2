"""RotateSecret and CancelRotateSecret (SPEC §H)."""

from __future__ import annotations

from typing import Any

from .base import RequestContext, operation, require_token
from .shapes import rotation_schedule_from_wire

__all__: list[str] = []


@operation("RotateSecret")
def rotate_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Save the rotation configuration and rotate now (the default) or test it (SPEC H1-H21).

    The rotation runs synchronously (SPEC H10, AMBIGUOUS: recommended for deterministic tests)
    but answers like the asynchronous service: success, even when the Lambda fails (SPEC H17).
    """
    token = require_token(p, "InvalidParameterException")  # SM-032: checked before existence
    wire_rules = p.get("RotationRules")
    # SPEC H2-H8: invalid rules are InvalidParameterException (SPEC H5 recommendation).
    rules = rotation_schedule_from_wire(wire_rules) if wire_rules is not None else None
    immediately = p.get("RotateImmediately")
    secret = ctx.service.rotate_secret(
        ctx,
        p["SecretId"],
        token=token,
        lambda_arn=p.get("RotationLambdaARN") or None,
        rules=rules,
        immediately=True if immediately is None else bool(immediately),  # SPEC H1
        external_role_arn=p.get("ExternalSecretRotationRoleArn"),
        external_metadata=(
            [(item.get("Key", ""), item.get("Value", "")) for item in p["ExternalSecretRotationMetadata"]]
            if "ExternalSecretRotationMetadata" in p
            else None
        ),
    )
    # SM-124: VersionId is the token, the id of the new version.
    return {"ARN": secret.arn, "Name": secret.name, "VersionId": token}


@operation("CancelRotateSecret")
def cancel_rotate_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Turn rotation off; keep the Lambda ARN and rules; leave the labels alone (SPEC H27)."""
    secret, version_id = ctx.service.cancel_rotate_secret(ctx, p["SecretId"])
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if version_id is not None:
        out["VersionId"] = version_id  # SPEC H27: the version of the rotation in progress
    return out
