"""TagResource and UntagResource (SPEC §K)."""

from __future__ import annotations

from typing import Any

from .. import choices
from ..errors import AwsError
from ..limits import Limits
from .base import RequestContext, check_not_deleted, find_secret, operation

__all__ = ["check_tags", "tag_resource", "untag_resource"]


def check_tags(tags: list[dict[str, Any]], existing: dict[str, str], limits: Limits) -> dict[str, str]:
    """Merge ``tags`` onto ``existing`` (SPEC K2: a key present takes the new value), checked
    against the tag limits (SPEC K1, K5) before anything changes."""
    merged = dict(existing)
    for tag in tags:
        key = tag.get("Key")
        value = tag.get("Value", "")
        if key is None:
            raise AwsError(choices.TAG_LIMIT_CODE, "Every tag needs a Key.")
        limits.check_tag(key, value)
        merged[key] = value
    limits.check_tag_count(len(merged))
    return merged


@operation("TagResource")
def tag_resource(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Add or overwrite tags; the response body is empty (SM-078)."""
    secret = find_secret(ctx, p["SecretId"])
    with ctx.store_of(secret).lock:
        check_not_deleted(secret)
        secret.tags = check_tags(p["Tags"], secret.tags, ctx.session.limits)
        secret.tags_touched = True
        secret.last_changed = ctx.now
    return {}


@operation("UntagResource")
def untag_resource(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Remove tags by key; keys that are not there are ignored (SPEC K3)."""
    secret = find_secret(ctx, p["SecretId"])
    with ctx.store_of(secret).lock:
        check_not_deleted(secret)  # SM-023
        for key in p["TagKeys"]:
            secret.tags.pop(key, None)
        secret.tags_touched = True
        secret.last_changed = ctx.now
    return {}
