"""KMS keys and envelope encryption: the backend never holds a plaintext secret value.

Each version's value is sealed with its own fresh 256-bit data key (AES-256-GCM); the data
key is wrapped by the KMS key's master key, and the encryption context
``{"SecretARN", "SecretVersionId"}`` is bound as associated data to both layers (SPEC F1–F3).
A changed byte anywhere (ciphertext, nonce, wrapped key, context) makes AES-GCM's tag check
fail, which surfaces as ``DecryptionFailure``, never as a wrong value.

Key material is drawn from ``os.urandom`` regardless of the mock's ``seed``.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import CANNOT_DECRYPT, AwsError
from .ids import IdSource

__all__ = [
    "DEFAULT_KEY_ALIAS",
    "DEFAULT_KEY_LABEL",
    "KEY_ACCESS_CHECK",
    "Envelope",
    "Keyring",
    "KmsKey",
    "WrappedKey",
    "check_key_access",
    "open_envelope",
    "rewrap",
    "seal",
]

#: The AWS managed key Secrets Manager uses when no KmsKeyId is given (SPEC F5).
DEFAULT_KEY_ALIAS = "alias/aws/secretsmanager"
#: How ListSecretVersionIds names the default key in ``KmsKeyIds`` (recorded row SM-105).
DEFAULT_KEY_LABEL = "DefaultEncryptionKey"

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/(.+)$")
_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias/.+)$")


@dataclass(slots=True, eq=False)
class KmsKey:
    """A symmetric KMS key as far as Secrets Manager can see it."""

    key_id: str
    arn: str
    account_id: str
    region: str
    is_default: bool = False
    enabled: bool = True
    symmetric: bool = True
    _material: bytes = field(default_factory=lambda: os.urandom(32), repr=False)
    _aead: AESGCM | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """The id ListSecretVersionIds reports in ``KmsKeyIds`` (SM-105)."""
        return DEFAULT_KEY_LABEL if self.is_default else self.arn

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            self._aead = AESGCM(self._material)
        return self._aead

    def __repr__(self) -> str:
        state = "enabled" if self.enabled else "disabled"
        return f"KmsKey({self.arn!r}, {state})"


@dataclass(slots=True, frozen=True)
class WrappedKey:
    """A data key encrypted under one KMS key."""

    nonce: bytes
    blob: bytes


@dataclass(slots=True, eq=False)
class Envelope:
    """A sealed value: ciphertext plus its data key wrapped under one or more KMS keys.

    Several wrappings exist after a key change re-wraps the AWS-labelled versions
    (SPEC F8a); ``wrapped`` maps the KMS key ARN to its wrapping.
    """

    nonce: bytes
    ciphertext: bytes
    wrapped: dict[str, WrappedKey]

    def __repr__(self) -> str:
        return f"Envelope(<{len(self.ciphertext)} encrypted bytes>, keys={list(self.wrapped)})"


def _context(secret_arn: str, version_id: str) -> bytes:
    # SPEC F3: the encryption context is bound as associated data, so a ciphertext moved
    # to another secret or version no longer decrypts.
    return f"SecretARN={secret_arn}\x00SecretVersionId={version_id}".encode()


def _unusable(key: KmsKey, code: str) -> AwsError | None:
    if not key.enabled:
        return AwsError(
            code,
            f"Access to KMS is not allowed: the KMS key {key.arn} is disabled. Enable it "
            "(sm.backend.keyring(...).enable_key) or choose another KmsKeyId.",
        )
    if not key.symmetric:
        # SPEC F6: only symmetric keys can generate data keys.
        return AwsError(code, "Cannot generate a data key with an asymmetric KMS key.")
    return None


def seal(plaintext: bytes, key: KmsKey, secret_arn: str, version_id: str) -> Envelope:
    """Encrypt ``plaintext`` under a fresh data key wrapped by ``key`` (SPEC F1)."""
    problem = _unusable(key, "EncryptionFailure")
    if problem is not None:
        raise problem
    aad = _context(secret_arn, version_id)
    # The 256-bit data key and both 96-bit nonces in one draw from the OS CSPRNG (three
    # separate draws were three system calls per write, profiled).
    material = os.urandom(56)
    data_key, nonce, wrap_nonce = material[:32], material[32:44], material[44:]
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, aad)
    blob = key._cipher().encrypt(wrap_nonce, data_key, aad)
    return Envelope(nonce, ciphertext, {key.arn: WrappedKey(wrap_nonce, blob)})


def _unwrap(envelope: Envelope, keys: list[KmsKey], aad: bytes) -> bytes:
    last: AwsError | None = None
    for key in keys:
        wrapped = envelope.wrapped.get(key.arn)
        if wrapped is None:
            continue
        if not (key.enabled and key.symmetric):  # the usual case skips building an error
            last = _unusable(key, "DecryptionFailure")
            continue
        try:
            return key._cipher().decrypt(wrapped.nonce, wrapped.blob, aad)
        except InvalidTag:
            last = _tampered()
    raise last or AwsError(
        "DecryptionFailure",
        f"{CANNOT_DECRYPT}: none of the keys that protect this version is available.",
    )


def _tampered() -> AwsError:
    return AwsError(
        "DecryptionFailure",
        f"{CANNOT_DECRYPT}: the ciphertext failed its integrity check.",
    )


def open_envelope(envelope: Envelope, keys: list[KmsKey], secret_arn: str, version_id: str) -> bytes:
    """Decrypt a value; ``keys`` are the candidate KMS keys (any one that wraps it works)."""
    aad = _context(secret_arn, version_id)
    data_key = _unwrap(envelope, keys, aad)
    try:
        return AESGCM(data_key).decrypt(envelope.nonce, envelope.ciphertext, aad)
    except InvalidTag:
        raise _tampered() from None


#: The version id of the throwaway data key that checks a key before it is set (SPEC F4).
KEY_ACCESS_CHECK = "RequestToValidateKeyAccess"


def check_key_access(key: KmsKey, secret_arn: str = "") -> None:
    """SPEC F4: setting or changing a secret's key first makes a test data key under it and
    decrypts it again (results thrown away), so an unusable key fails before anything changes:
    EncryptionFailure for a disabled or asymmetric key (SPEC F6, F10). ``secret_arn`` only goes
    into the throwaway encryption context (a secret being created has no ARN yet)."""
    open_envelope(seal(b"", key, secret_arn, KEY_ACCESS_CHECK), [key], secret_arn, KEY_ACCESS_CHECK)


def rewrap(envelope: Envelope, old: list[KmsKey], new: KmsKey, secret_arn: str, version_id: str) -> None:
    """Add a wrapping under ``new`` next to the existing ones (SPEC F8a: both keep working)."""
    aad = _context(secret_arn, version_id)
    data_key = _unwrap(envelope, old, aad)
    nonce = os.urandom(12)
    envelope.wrapped[new.arn] = WrappedKey(nonce, new._cipher().encrypt(nonce, data_key, aad))


class Keyring:
    """The KMS keys of one account in one region.

    The default ``aws/secretsmanager`` key is created on first use (SPEC F5). Customer keys
    can be created explicitly with :meth:`create_key`; a well-formed key id, key ARN, alias
    or alias ARN that is not known yet is created on first reference unless ``strict`` is
    set (SPEC F6 recommendation: accept any well-formed key in the same region).
    """

    def __init__(self, account_id: str, region: str, *, strict: bool = False, ids: IdSource | None = None) -> None:
        self.account_id = account_id
        self.region = region
        self.strict = strict
        #: Where new key ids come from (the mock's ``seed`` makes them reproducible).
        self._ids = ids if ids is not None else IdSource()
        self._keys: dict[str, KmsKey] = {}
        self._aliases: dict[str, str] = {}
        self._default: KmsKey | None = None
        #: What was created, in order, as (key id, alias or None): :meth:`undo` takes back what a
        #: failed request created (a failed request changes nothing, the keyring included: SPEC A8).
        self._journal: list[tuple[str, str | None]] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Keyring({self.account_id}/{self.region}, {len(self._keys)} keys)"

    @property
    def keys(self) -> list[KmsKey]:
        """All keys created so far."""
        return list(self._keys.values())

    def default_key(self) -> KmsKey:
        """The AWS managed ``aws/secretsmanager`` key, created on first use."""
        key = self._default
        if key is None:
            with self._lock:
                if self._default is None:
                    self._default = self._new(self._ids.uuid(), is_default=True, alias=DEFAULT_KEY_ALIAS)
                key = self._default
        return key

    def _new(
        self, key_id: str, *, is_default: bool = False, symmetric: bool = True, alias: str | None = None
    ) -> KmsKey:
        arn = f"arn:aws:kms:{self.region}:{self.account_id}:key/{key_id}"
        key = KmsKey(key_id, arn, self.account_id, self.region, is_default=is_default, symmetric=symmetric)
        self._keys[key_id] = key
        if alias is not None:
            self._aliases[alias] = key_id
        self._journal.append((key_id, alias))
        return key

    def create_key(self, *, alias: str | None = None, key_id: str | None = None, symmetric: bool = True) -> KmsKey:
        """Create a customer managed key, optionally with an alias (``alias/...``)."""
        with self._lock:
            name = None if alias is None else alias if alias.startswith("alias/") else f"alias/{alias}"
            return self._new(key_id or self._ids.uuid(), symmetric=symmetric, alias=name)

    def aliases(self) -> list[str]:
        """The alias names in use (``alias/...``), the default key's included once it exists."""
        return list(self._aliases)

    def mark(self) -> int:
        """A point to :meth:`undo` back to (taken when a write starts)."""
        return len(self._journal)

    def undo(self, mark: int) -> None:
        """Remove the keys and aliases created since ``mark``: the request that made them failed,
        and a failed request changes nothing, not even the keyring (SPEC A8; issue 18, item 14).
        Called with the store's lock held, like every key creation of a request."""
        with self._lock:
            while len(self._journal) > mark:
                key_id, alias = self._journal.pop()
                key = self._keys.pop(key_id, None)
                if alias is not None and self._aliases.get(alias) == key_id:
                    del self._aliases[alias]
                if key is not None and key is self._default:
                    self._default = None

    def disable_key(self, ref: str) -> None:
        """Disable a key: values it protects can no longer be read (SPEC F9)."""
        self.resolve(ref).enabled = False

    def enable_key(self, ref: str) -> None:
        """Enable a key again."""
        self.resolve(ref).enabled = True

    def resolve(self, ref: str) -> KmsKey:
        """Find (or, unless strict, create) the key a ``KmsKeyId`` parameter names."""
        ref = ref.strip()
        alias, key_id = self._parse(ref)
        if alias is not None:
            if alias == DEFAULT_KEY_ALIAS:
                return self.default_key()
            found = self._aliases.get(alias)
            if found is not None:
                return self._keys[found]
            if self.strict:
                raise self._unknown(ref)
            return self.create_key(alias=alias)
        assert key_id is not None
        key = self._keys.get(key_id)
        if key is not None:
            return key
        if self.strict:
            raise self._unknown(ref)
        with self._lock:
            return self._keys.get(key_id) or self._new(key_id)

    def check(self, ref: str) -> None:
        """Raise what :meth:`resolve` would raise for ``ref``, without creating any key: a
        request that fails later must leave the keyring as it was (SPEC A8)."""
        ref = ref.strip()
        alias, key_id = self._parse(ref)
        if not self.strict:
            return
        if alias is not None:
            if alias != DEFAULT_KEY_ALIAS and alias not in self._aliases:
                raise self._unknown(ref)
        elif key_id not in self._keys:
            raise self._unknown(ref)

    def _parse(self, ref: str) -> tuple[str | None, str | None]:
        """(alias, key id) of a KmsKeyId, one of them None; InvalidParameterException when it
        is neither, or names another account or region."""
        match = _KEY_ARN.match(ref)
        alias: str | None = None
        key_id: str | None = None
        if match:
            region, account, key_id = match.groups()
            self._check_home(ref, region, account)
        else:
            match = _ALIAS_ARN.match(ref)
            if match:
                region, account, alias = match.groups()
                self._check_home(ref, region, account)
            elif ref.startswith("alias/"):
                alias = ref
            elif _KEY_ID.match(ref):
                key_id = ref
            else:
                raise AwsError(
                    "InvalidParameterException",
                    f"KmsKeyId {ref!r} is not a key id, key ARN, alias name (alias/...) or alias ARN.",
                )
        return alias, key_id

    def _check_home(self, ref: str, region: str, account: str) -> None:
        # SPEC F6: the key must be in the secret's region.
        if region != self.region or account != self.account_id:
            raise AwsError(
                "InvalidParameterException",
                f"The KMS key {ref} is not in this secret's account and region "
                f"({self.account_id}, {self.region}). Use a key from the same region.",
            )

    def _unknown(self, ref: str) -> AwsError:
        return AwsError(
            "EncryptionFailure",
            f"Secrets Manager can't find the specified KMS key {ref}. Create it first with "
            "sm.backend.keyring(account, region).create_key(...), or turn off strict keys.",
        )
