"""Tags: merging a request's tags onto a secret's, within the limits (SPEC K1, K2, K5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .. import choices
from ..errors import AwsError
from ..limits import Limits

__all__ = ["merge_tags"]


def merge_tags(existing: Mapping[str, str], tags: Iterable[tuple[str | None, str]], limits: Limits) -> dict[str, str]:
    """``existing`` with ``tags`` merged on (SPEC K2: a key present takes the new value), each
    tag and the count checked against the limits (SPEC K1, K5) before anything changes.

    A key of None is a tag the request sent without a Key (the model makes no member of a Tag
    required, so it reaches the service).
    """
    merged = dict(existing)
    for key, value in tags:
        if key is None:
            raise AwsError(choices.TAG_LIMIT_CODE, "Every tag needs a Key.")
        limits.check_tag(key, value)
        merged[key] = value
    limits.check_tag_count(len(merged))
    return merged
