"""Backend seeding: put many secrets into a mock without going through a client.

A test that needs a large fixture (say 100,000 secrets for a listing or pagination test)
would spend most of its time in botocore's request pipeline if it called CreateSecret that
many times. These helpers write to the backend directly instead, through the very function
the CreateSecret operation uses (:meth:`RegionStore.create_secret`), so the state is the
same as the API would build: an ARN with a random 6-character suffix (SPEC B5), a first
version labelled AWSCURRENT (SPEC D5) sealed with AES-256-GCM under its own data key
(SPEC F1), CreatedDate and LastChangedDate from the mock clock, the name, description, tag
and value limits of :class:`~sm_mock.limits.Limits`, and the "name taken" / "scheduled for
deletion" / "too many secrets" refusals. Only the wire layer (JSON, parameter parsing,
ClientRequestToken idempotency, the call log, faults and rate quotas) is skipped.

Usage, inside an active mock::

    with mock_secretsmanager() as sm:
        sm.backend.create_secret("db/password", secret_string="hunter2", tags={"team": "a"})
        sm.backend.seed(100_000, name="app/{i:06d}", secret_string=lambda i: f'{{"n": {i}}}')
        sm.backend.create_secrets([SecretSpec("x", secret_binary=b"\\x00"), {"name": "y"}])

Each helper raises :class:`SeedError` (a ``ValueError``) carrying the AWS error code and text
that CreateSecret would have answered. The bulk helpers are all or nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import BOTH_VALUES, AwsError, SmMockError
from .secret import Secret

if TYPE_CHECKING:
    from .store import RegionStore

__all__ = ["SecretSpec", "SeedError", "generate_specs", "seed_many", "seed_one"]

#: SPEC D1 / [MODEL] ClientRequestTokenType: a version id is 32-64 characters.
_VERSION_ID_LENGTH = (32, 64)


class SeedError(SmMockError, ValueError):
    """A seeded secret that CreateSecret would refuse; ``code`` is the AWS error code."""

    def __init__(self, code: str, message: str, *, name: str | None = None, index: int | None = None) -> None:
        where = ""
        if index is not None:
            where = f"item {index} "
        if name is not None:
            where += f"({name!r}) "
        super().__init__(f"{where}{code}: {message}".strip())
        self.code = code
        self.message = message
        self.name = name
        self.index = index


@dataclass(frozen=True, slots=True)
class SecretSpec:
    """One secret to seed: the keyword arguments of ``Backend.create_secret`` as a record."""

    name: str
    secret_string: str | None = None
    secret_binary: bytes | None = None
    description: str | None = None
    #: None means "no Tags parameter"; an empty mapping is an empty Tags list (SM-077).
    tags: Mapping[str, str] | None = None
    kms_key_id: str | None = None
    #: The first version's id (CreateSecret's ClientRequestToken); a fresh UUID if None.
    version_id: str | None = None


_SPEC_FIELDS = frozenset(f.name for f in fields(SecretSpec))


def _as_spec(item: SecretSpec | Mapping[str, Any], index: int) -> SecretSpec:
    if isinstance(item, SecretSpec):
        return item
    unknown = set(item) - _SPEC_FIELDS
    if unknown or "name" not in item:
        raise TypeError(
            f"seed item {index}: expected a SecretSpec or a mapping with 'name' and any of "
            f"{sorted(_SPEC_FIELDS - {'name'})}; got keys {sorted(item)}"
        )
    return SecretSpec(**item)


def _value(spec: SecretSpec) -> tuple[bytes | None, bool]:
    """The (bytes, is_binary) first value, checked as the wire path checks it (SPEC C1, C2)."""
    if spec.secret_string is not None and spec.secret_binary is not None:
        # SM-050.
        raise AwsError("InvalidParameterException", BOTH_VALUES)
    if spec.secret_string is not None:
        if not spec.secret_string:
            # botocore refuses an empty SecretString client-side (min length 1, SPEC C2).
            raise AwsError("InvalidParameterException", "SecretString must have at least 1 character.")
        return spec.secret_string.encode("utf-8"), False
    if spec.secret_binary is not None:
        if not isinstance(spec.secret_binary, (bytes, bytearray)) or not spec.secret_binary:
            raise AwsError("InvalidParameterException", "SecretBinary must be non-empty bytes.")
        return bytes(spec.secret_binary), True
    return None, False


def _create(store: RegionStore, now: datetime, spec: SecretSpec) -> Secret:
    value, binary = _value(spec)
    if spec.version_id is not None and not _VERSION_ID_LENGTH[0] <= len(spec.version_id) <= _VERSION_ID_LENGTH[1]:
        lo, hi = _VERSION_ID_LENGTH
        raise AwsError("InvalidParameterException", f"version_id must have {lo} to {hi} characters (a UUID).")
    return store.create_secret(
        spec.name,
        now,
        version_id=spec.version_id if value is not None else None,
        value=value,
        binary=binary,
        description=spec.description,
        tags=spec.tags,
        kms_key_id=spec.kms_key_id,
    )


def seed_one(
    store: RegionStore,
    now: datetime,
    name: str,
    *,
    secret_string: str | None = None,
    secret_binary: bytes | None = None,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    kms_key_id: str | None = None,
    version_id: str | None = None,
) -> Secret:
    """Create one secret in ``store`` as CreateSecret would at time ``now``."""
    spec = SecretSpec(name, secret_string, secret_binary, description, tags, kms_key_id, version_id)
    try:
        return _create(store, now, spec)
    except AwsError as error:
        raise SeedError(error.code, error.message, name=name) from None


def seed_many(store: RegionStore, now: datetime, specs: Iterable[SecretSpec | Mapping[str, Any]]) -> list[Secret]:
    """Create every secret in ``specs`` under one hold of the store lock; all or nothing.

    If any item is refused (bad name, duplicate name, limit reached, unusable KMS key...),
    the secrets this call already created are purged again and :class:`SeedError` names the
    item.
    """
    items = [_as_spec(item, i) for i, item in enumerate(specs)]
    created: list[Secret] = []
    # A large batch allocates millions of small objects, none of them garbage; the cyclic
    # collector would rescan the growing heap again and again (about a quarter of the time
    # for 100,000 secrets). Pause it for the batch only.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with store.lock:
            try:
                for index, spec in enumerate(items):
                    try:
                        created.append(_create(store, now, spec))
                    except AwsError as error:
                        raise SeedError(error.code, error.message, name=spec.name, index=index) from None
            except BaseException:
                for secret in reversed(created):
                    store.purge(secret)
                raise
    finally:
        if collecting:
            gc.enable()
    return created


def generate_specs(
    count: int,
    *,
    name: str | Callable[[int], str] = "secret-{i:06d}",
    secret_string: str | Callable[[int], str] | None = None,
    secret_binary: bytes | Callable[[int], bytes] | None = None,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    kms_key_id: str | None = None,
) -> list[SecretSpec]:
    """``count`` specs: names from a ``{i}`` template or a function of the index ``i``;
    values fixed or a function of ``i`` (``f"value-{i}"`` when neither value is given)."""
    if count < 0:
        raise ValueError(f"count must be >= 0, not {count}")
    if isinstance(name, str) and count > 1 and name.format(i=0) == name.format(i=1):
        raise ValueError(f"name template {name!r} must contain '{{i}}' so that each secret gets its own name")

    def make_name(i: int) -> str:
        return name.format(i=i) if isinstance(name, str) else name(i)

    specs: list[SecretSpec] = []
    for i in range(count):
        string = secret_string(i) if callable(secret_string) else secret_string
        binary = secret_binary(i) if callable(secret_binary) else secret_binary
        if string is None and binary is None:
            string = f"value-{i}"
        specs.append(SecretSpec(make_name(i), string, binary, description, tags, kms_key_id))
    return specs
