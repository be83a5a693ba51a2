"""TagResource and UntagResource (SPEC §K)."""

from __future__ import annotations

from typing import Any

from .base import RequestContext, operation, tag_pairs

__all__ = ["tag_resource", "untag_resource"]


@operation("TagResource")
def tag_resource(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Add or overwrite tags; the response body is empty (SM-078)."""
    ctx.service.tag_resource(ctx, p["SecretId"], tag_pairs(p["Tags"]))
    return {}


@operation("UntagResource")
def untag_resource(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Remove tags by key; keys that are not there are ignored (SPEC K3)."""
    ctx.service.untag_resource(ctx, p["SecretId"], p["TagKeys"])
    return {}
