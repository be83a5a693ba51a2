"""Replication operations: not modelled yet; they answer with a clear error."""

from __future__ import annotations

from typing import Any

from ..errors import AwsError
from .base import RequestContext, operation

__all__ = ["not_supported"]


def not_supported(what: str) -> AwsError:
    """An HTTP 501 answer naming the unsupported feature (botocore does not retry 501)."""
    return AwsError(
        "NotImplemented",
        f"sm_mock does not implement {what} yet. Leave it out of the test, or open an issue "
        "describing the behaviour you need.",
        status=501,
    )


def _unsupported(name: str) -> None:
    @operation(name)
    def handler(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        raise not_supported(name)


for _name in ("ReplicateSecretToRegions", "RemoveRegionsFromReplication", "StopReplicationToReplica"):
    _unsupported(_name)
