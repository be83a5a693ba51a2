"""Staging-label moves and version retention: the one module that enforces the invariants.

Every rule here cites SPEC §D (D4–D10) or a recorded row. Each public function validates
first and mutates last, so a request that fails changes nothing (a failed call is retried
by botocore and must be repeatable, SPEC A8).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ..errors import AwsError, invalid_parameter, invalid_request
from ..limits import Limits
from .secret import AWSCURRENT, AWSPENDING, AWSPREVIOUS, Secret, SecretVersion

__all__ = ["add_version", "check_invariants", "move_stage", "prunable", "prune"]


def _label_limit(limits: Limits) -> AwsError:
    return AwsError(
        "LimitExceededException",
        f"A secret can have at most {limits.max_labels} staging labels across its versions. "
        "Remove labels you no longer need with UpdateSecretVersionStage(RemoveFromVersionId=...).",
    )


def _version_limit(limits: Limits) -> AwsError:
    hours = limits.prune_min_age_seconds // 3600
    return AwsError(
        "LimitExceededException",
        f"You have exceeded the maximum number of versions ({limits.max_versions}) for this "
        f"secret. Versions without staging labels are pruned once they are {hours} hours old; "
        "write less often (at most one value every 10 minutes is the sustained guidance).",
    )


def _plan_new_version(secret: Secret, version_id: str, stages: Sequence[str] | None) -> dict[str, str]:
    """The label map after a value write (SPEC D5–D7, SM-090, SM-094)."""
    old_current = secret.stages.get(AWSCURRENT)
    wanted = list(dict.fromkeys(stages)) if stages is not None else [AWSCURRENT]
    if old_current is None and AWSCURRENT not in wanted:
        # SPEC D5 / SM-086: the first version always gets AWSCURRENT.
        wanted.append(AWSCURRENT)
    planned = dict(secret.stages)
    for label in wanted:
        planned[label] = version_id
    if AWSCURRENT in wanted and old_current is not None and old_current != version_id:
        # SPEC D6 / SM-090: AWSPREVIOUS follows the version that just lost AWSCURRENT.
        planned[AWSPREVIOUS] = old_current
        if AWSPENDING not in wanted:
            # SM-094 (recorded): a write that takes AWSCURRENT drops AWSPENDING, whether it sat
            # on the old current version or on an in-flight rotation's version (SPEC H19).
            planned.pop(AWSPENDING, None)
    if planned.get(AWSPREVIOUS) == planned.get(AWSCURRENT):
        # DESIGN invariant: AWSPREVIOUS is never on the AWSCURRENT version (a first version
        # written with VersionStages=["AWSPREVIOUS"] also gets AWSCURRENT by D5).
        planned.pop(AWSPREVIOUS, None)
    return planned


def prunable(secret: Secret, planned: dict[str, str], now: datetime, limits: Limits) -> list[str]:
    """Oldest-first deprecated versions that may be pruned under ``planned`` labels (SPEC D10)."""
    excess = len(secret.versions) - limits.max_versions
    if excess <= 0:
        return []
    labelled = set(planned.values())
    cutoff = now - timedelta(seconds=limits.prune_min_age_seconds)
    out: list[str] = []
    for vid, version in secret.versions.items():  # creation order: oldest first
        if vid not in labelled and version.created <= cutoff:
            out.append(vid)
            if len(out) == excess:
                break
    return out


def add_version(
    secret: Secret,
    version: SecretVersion,
    stages: Sequence[str] | None,
    now: datetime,
    limits: Limits,
) -> None:
    """Attach a new version and move labels for a value write (Create/Put/UpdateSecret)."""
    planned = _plan_new_version(secret, version.version_id, stages)
    if len(planned) > limits.max_labels:
        raise _label_limit(limits)
    secret.versions[version.version_id] = version
    doomed = prunable(secret, planned, now, limits)
    if len(secret.versions) - len(doomed) > limits.max_versions:
        del secret.versions[version.version_id]
        raise _version_limit(limits)
    secret.stages = planned
    for vid in doomed:
        del secret.versions[vid]


def fill_placeholder(secret: Secret, version: SecretVersion, stages: Sequence[str] | None, limits: Limits) -> None:
    """Give the empty AWSPENDING placeholder its value (SPEC E5): rotation's createSecret step."""
    planned = dict(secret.stages)
    for label in stages or ():
        planned[label] = version.version_id
    if AWSCURRENT in (stages or ()):
        old = secret.stages.get(AWSCURRENT)
        if old is not None and old != version.version_id:
            planned[AWSPREVIOUS] = old
    if len(planned) > limits.max_labels:
        raise _label_limit(limits)
    secret.versions[version.version_id] = version
    secret.stages = planned


def move_stage(
    secret: Secret,
    label: str,
    move_to: str | None,
    remove_from: str | None,
    now: datetime,
    limits: Limits,
) -> None:
    """UpdateSecretVersionStage (SPEC D8, rows SM-036..SM-039, SM-100..SM-104)."""
    holder = secret.stages.get(label)
    for vid in (move_to, remove_from):
        if vid is not None and vid not in secret.versions:
            # SM-039 (text provisional).
            raise invalid_parameter(f"Not a valid version: {vid}")
    planned = dict(secret.stages)
    if move_to is None:
        if remove_from is None:
            raise invalid_parameter("You must specify MoveToVersionId, RemoveFromVersionId, or both.")
        if label == AWSCURRENT:
            # SM-037 (quoted with a typographic apostrophe).
            raise invalid_parameter(
                "You can only move staging label AWSCURRENT to a different secret version. "
                "It can\u2019t be completely removed."
            )
        if holder != remove_from:
            raise invalid_parameter(
                f"Staging label {label} is not attached to version {remove_from}, so it can't be "
                "removed from it. Call ListSecretVersionIds to see where the label is."
            )
        del planned[label]
    else:
        if holder is not None and holder != move_to:
            if remove_from is None:
                # SM-036.
                raise invalid_parameter(
                    f"The parameter RemoveFromVersionId can't be empty. Staging label {label} is "
                    f"currently attached to version {holder}, so you must explicitly reference "
                    "that version in RemoveFromVersionId."
                )
            if remove_from != holder:
                # SM-038 (code recorded; text provisional).
                raise invalid_parameter(
                    f"When you move staging label {label}, if you specify RemoveFromVersionId, it "
                    f"must be set to the version that currently has the staging label {label} "
                    f"({holder})."
                )
        if label == AWSPREVIOUS and secret.stages.get(AWSCURRENT) == move_to:
            raise invalid_parameter(
                f"Version {move_to} has AWSCURRENT, so it can't also have AWSPREVIOUS. AWSPREVIOUS "
                "follows automatically when you move AWSCURRENT to another version."
            )
        if label == AWSCURRENT and not secret.versions[move_to].has_value:
            raise invalid_request(
                f"Version {move_to} has no secret value yet, so it can't become AWSCURRENT. "
                "Put a value into it first (PutSecretValue with ClientRequestToken set to that id)."
            )
        planned[label] = move_to
        if label == AWSCURRENT and holder is not None and holder != move_to:
            # SPEC D8d: AWSPREVIOUS goes to the version that lost AWSCURRENT; AWSPENDING stays
            # on the target (SM-100, SM-102).
            planned[AWSPREVIOUS] = holder
        if len(planned) > limits.max_labels:
            raise _label_limit(limits)
    secret.stages = planned
    for vid in prunable(secret, planned, now, limits):
        del secret.versions[vid]


def prune(secret: Secret, now: datetime, limits: Limits) -> list[str]:
    """Prune what SPEC D10 allows now; returns the pruned version ids."""
    doomed = prunable(secret, secret.stages, now, limits)
    for vid in doomed:
        del secret.versions[vid]
    return doomed


def check_invariants(secret: Secret, limits: Limits) -> None:
    """Assert the docs/design.md model invariants (used by tests and the stateful model check)."""
    assert len(secret.stages) <= limits.max_labels, "more labels than the quota"
    for label, vid in secret.stages.items():
        assert vid in secret.versions, f"label {label} points at missing version {vid}"
    current = secret.stages.get(AWSCURRENT)
    if any(v.has_value for v in secret.versions.values()):
        assert current is not None, "a secret with a value has no AWSCURRENT"
    if current is not None:
        assert secret.versions[current].has_value, "AWSCURRENT is on a version without a value"
        assert secret.stages.get(AWSPREVIOUS) != current, "AWSPREVIOUS sits on AWSCURRENT's version"
    else:
        assert AWSPREVIOUS not in secret.stages, "AWSPREVIOUS without AWSCURRENT"
