"""The grammar of a secret's identifiers: names, and ARNs built, parsed and matched
(SPEC B4, B5, B7, B8, B11, SM-003).

``arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>``: the suffix is
six random characters that AWS appends to the name (SPEC B4). Every place that reads or
writes a secret ARN, or checks a name, goes through this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import validation_error

__all__ = [
    "INVALID_NAME",
    "NAME_PATTERN",
    "SUFFIX_LENGTH",
    "SUFFIX_TAIL",
    "Partition",
    "Partitions",
    "SecretArn",
    "check_name",
    "check_secret_id",
    "designates",
    "name_part",
    "parse",
    "partial_name",
    "region_of",
    "same_prefix",
    "secret_arn",
    "with_region",
]

#: SM-003: names are letters, digits and / _ + = . @ - (and ! for service-managed names, as
#: the recorded message lists it).
NAME_PATTERN = re.compile(r"[A-Za-z0-9/_+=.@!-]+")
#: An ARN as a SecretId: the name's characters, and ':' (SM-004..SM-012).
_ARN_PATTERN = re.compile(r"arn:[A-Za-z0-9/_+=.@!:-]+")
#: The recorded text for a name or SecretId with characters AWS does not allow (SM-003).
INVALID_NAME = (
    "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
)

#: SPEC B4: the random suffix is six characters.
SUFFIX_LENGTH = 6
#: SPEC B8: the last part of an ARN that looks like a random suffix ("-" and six characters).
SUFFIX_TAIL = re.compile(r"-[A-Za-z0-9]{6}$")
#: The number of ':'-separated fields of a secret ARN (the name may hold more ':').
_FIELDS = 7
_SECRET = ":secret:"


@dataclass(frozen=True, slots=True)
class SecretArn:
    """The fields of a secret ARN. ``resource`` is the name with its suffix, when it has one."""

    partition: str
    region: str
    account_id: str
    resource: str

    @property
    def name_without_suffix(self) -> str:
        """The name, taking a trailing "-XXXXXX" as the random suffix (SPEC B5, B8)."""
        return SUFFIX_TAIL.sub("", self.resource)


def check_name(name: str) -> None:
    """Reject a secret name with characters AWS does not allow (SM-003)."""
    if NAME_PATTERN.fullmatch(name) is None:
        raise validation_error(INVALID_NAME)


def check_secret_id(secret_id: str) -> None:
    """A SecretId is a name or an ARN (SPEC B7); invalid characters fail first (SM-004..012)."""
    pattern = _ARN_PATTERN if secret_id.startswith("arn:") else NAME_PATTERN
    if pattern.fullmatch(secret_id) is None:
        raise validation_error(INVALID_NAME)


def secret_arn(region: str, account_id: str, name: str, suffix: str, *, partition: str = "aws") -> str:
    """``arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>`` (SPEC B5);
    the partition is the region's (:class:`Partitions`)."""
    return f"arn:{partition}:secretsmanager:{region}:{account_id}:secret:{name}-{suffix}"


@dataclass(frozen=True, slots=True)
class Partition:
    """One AWS partition: its id (the ARN's second field), its known regions and the pattern of
    region names it owns (botocore's endpoint data)."""

    name: str
    regions: frozenset[str] = frozenset()
    region_pattern: re.Pattern[str] | None = None

    def owns(self, region: str) -> bool:
        """Whether ``region`` is one of this partition's regions."""
        return region in self.regions


@dataclass(frozen=True, slots=True)
class Partitions:
    """Which partition a region belongs to: a region a partition lists, else the first whose
    region pattern matches (botocore resolves endpoints the same way), else ``aws``.

    Data only (no botocore here): :mod:`sm_mock.protocol.partitions` fills it from botocore's
    endpoint data. The default table knows only ``aws``.
    """

    partitions: tuple[Partition, ...] = (Partition("aws"),)
    _cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of_list(cls, partitions: Iterable[Partition]) -> Partitions:
        """A table of ``partitions``, in the order their patterns are tried."""
        return cls(tuple(partitions))

    def of(self, region: str) -> str:
        """The partition id of ``region`` (``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""
        found = self._cache.get(region)
        if found is None:
            found = self._resolve(region)
            self._cache[region] = found
        return found

    def _resolve(self, region: str) -> str:
        for partition in self.partitions:
            if partition.owns(region):
                return partition.name
        for partition in self.partitions:
            if partition.region_pattern is not None and partition.region_pattern.match(region):
                return partition.name
        return "aws"


def parse(arn: str) -> SecretArn | None:
    """The fields of ``arn``, or None when it is not a secret ARN."""
    if not arn.startswith("arn:"):
        return None
    parts = arn.split(":", _FIELDS - 1)
    if len(parts) != _FIELDS or parts[5] != "secret":
        return None
    return SecretArn(parts[1], parts[3], parts[4], parts[6])


def with_region(arn: str, region: str) -> str:
    """The same secret's ARN in another region, suffix kept (a replica's ARN, SPEC B11)."""
    parsed = parse(arn)
    assert parsed is not None, arn
    return secret_arn(
        region,
        parsed.account_id,
        parsed.resource[: -SUFFIX_LENGTH - 1],
        parsed.resource[-SUFFIX_LENGTH:],
        partition=parsed.partition,
    )


def region_of(arn: str) -> str:
    """The region field of a secret ARN."""
    parsed = parse(arn)
    assert parsed is not None, arn
    return parsed.region


def name_part(secret_id: str) -> str:
    """The name part of an ARN (suffix included), or the identifier itself (SPEC B7)."""
    parsed = parse(secret_id)
    return parsed.resource if parsed is not None else secret_id


def partial_name(secret_id: str) -> str | None:
    """The name a partial ARN (an ARN without its suffix, SPEC B8) stands for, or None.

    A tail that looks like "-XXXXXX" is taken as a random suffix (SM-016), so a partial ARN of
    a name that ends in "-" and six characters never resolves.
    """
    _, sep, name = secret_id.partition(_SECRET)
    if not sep or SUFFIX_TAIL.search(name):
        return None
    return name


def same_prefix(secret_id: str, full_arn: str) -> bool:
    """True when the partial ARN ``secret_id`` has ``full_arn``'s partition, region and account."""
    head, sep, _ = secret_id.partition(_SECRET)
    return full_arn.startswith(head + sep)


def designates(secret_id: str, name: str) -> bool:
    """True when ``secret_id`` (a name, a full or a partial ARN) names the secret ``name``."""
    if secret_id == name:
        return True
    resource = name_part(secret_id)
    return resource == name or (len(resource) == len(name) + SUFFIX_LENGTH + 1 and resource.startswith(name + "-"))
