"""What every operation handler shares: the request context and the wire-level checks.

Handlers take ``(ctx, params)`` where ``params`` are the validated wire parameters
(PascalCase keys, blobs already decoded to bytes) and return the wire result dict. They
translate: wire parameters into one call of the domain API (:mod:`sm_mock.model.service`),
its result into the answer. The rules, the locks, rotation and replication are the model's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import AwsError
from ..model.service import SecretsService

__all__ = [
    "OPERATIONS",
    "Handler",
    "RequestContext",
    "operation",
    "require_token",
    "tag_pairs",
]

Handler = Callable[["RequestContext", dict[str, Any]], dict[str, Any]]

#: Operation name → handler. Filled by the @operation decorator in each module.
OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for the API operation ``name``."""

    def register(fn: Handler) -> Handler:
        OPERATIONS[name] = fn
        return fn

    return register


@dataclass(slots=True)
class RequestContext:
    """One request: who is calling, where, and when (one clock reading per request).

    It is the :class:`~sm_mock.model.service.Caller` the domain API's methods take.
    """

    service: SecretsService
    account_id: str
    region: str
    now: datetime
    operation: str
    #: GetRandomPassword's random source (seeded by the mock's ``seed``).
    password_rng: random.Random


def require_token(params: dict[str, Any], code: str = "InvalidRequestException") -> str:
    """ClientRequestToken is required on the wire (SM-029..SM-032; boto3 always adds one)."""
    token = params.get("ClientRequestToken")
    if not token:
        raise AwsError(code, "You must provide a ClientRequestToken value. We recommend a UUID-type value.")
    return str(token)


def tag_pairs(tags: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    """A request's ``Tags`` as (key, value) pairs; a tag without a Key keeps None (the model
    answers it)."""
    return [(tag.get("Key"), tag.get("Value", "")) for tag in tags]
