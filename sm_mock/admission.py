"""Admission: what may answer a request before its operation runs (faults, then quotas)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import AwsError

__all__ = ["Admission"]


@dataclass(frozen=True, slots=True)
class Admission:
    """A refusal: the error to answer and why (an injected fault or a rate quota)."""

    error: AwsError | BaseException
    injected: bool = False
    throttled: bool = False
