"""AWS partitions from botocore's endpoint data (``partitions.json``, or ``endpoints.json`` on a
botocore without it): which partition (``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-iso``, ...) a
region belongs to, the second field of every ARN made there.

Like :func:`sm_mock.protocol.validation.service_model`, it reads botocore's data only
(docs/design.md, layering rules); the model gets a plain :class:`~sm_mock.model.arn.Partitions`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..model.arn import Partition, Partitions

__all__ = ["partitions"]


@functools.cache
def partitions() -> Partitions:
    """The partitions botocore knows, loaded once."""
    import botocore.loaders
    from botocore.exceptions import DataNotFoundError

    loader = botocore.loaders.create_loader()
    try:
        data: Any = loader.load_data("partitions")
        entries = [(p["id"], p.get("regions", {}), p.get("regionRegex")) for p in data["partitions"]]
    except DataNotFoundError:  # an older botocore has endpoints.json only
        data = loader.load_data("endpoints")
        entries = [(p["partition"], p.get("regions", {}), p.get("regionRegex")) for p in data["partitions"]]
    return Partitions.of_list(
        Partition(name, frozenset(regions), re.compile(pattern) if pattern else None)
        for name, regions, pattern in entries
    )
