"""Keep the user's real AWS credentials out of every session while a mock is active.

Putting fake keys in the environment (:mod:`sm_mock.mock`) covers the default credential chain, but
a session with an explicit profile (``boto3.Session(profile_name="prod")``) skips the
environment and reads the shared credentials file. While any mock is active, botocore's
credential resolver is swapped for one that only ever yields sm_mock's fake keys, so no real
key is read or used to sign a request. Credentials passed explicitly to a client
(``aws_access_key_id=...``) are unaffected: they are the test's own. Reference-counted so
nested activations restore the original exactly once.
"""

from __future__ import annotations

import functools
import sys
import threading
from typing import Any

__all__ = ["FAKE_CREDENTIALS", "hide", "reveal"]

#: Fake credentials put in the environment while a mock is active, so botocore never reads
#: (and a test never signs with) the user's real ones. Restored on exit.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIASMMOCKTESTING00",
    "AWS_SECRET_ACCESS_KEY": "sm-mock-fake-secret-access-key",
}

_lock = threading.Lock()
_depth = 0
_original: Any = None
#: boto3's default session when the first mock started (None: there was none).
_default_session: Any = None
#: The credential method name of sm_mock's fake keys.
_FAKE_METHOD = "sm-mock"


@functools.lru_cache(maxsize=8)
def _fake_resolver_factory(access_key: str, secret_key: str) -> Any:
    from botocore.credentials import CredentialProvider, CredentialResolver, Credentials

    class _FakeCredentials(CredentialProvider):  # type: ignore[misc]
        METHOD = _FAKE_METHOD
        CANONICAL_NAME = _FAKE_METHOD

        def load(self) -> Credentials:
            return Credentials(access_key, secret_key, method=self.METHOD)

    def create_credential_resolver(session: Any, cache: Any = None, region_name: Any = None) -> Any:
        # botocore's own providers stay in the chain, after sm_mock's: code that looks one up by
        # name (awscli asks for "assume-role" to give it a cache) still finds it, but the chain
        # stops at the first provider that yields credentials, which is always sm_mock's, so no
        # real provider is ever asked to load.
        try:
            real = list(_original(session, cache=cache, region_name=region_name).providers)
        except Exception:  # a broken profile or config file: only sm_mock's keys, as before
            real = []
        return CredentialResolver(providers=[_FakeCredentials(), *real])

    return create_credential_resolver


def hide(access_key: str, secret_key: str) -> None:
    """Swap botocore's credential resolver for sm_mock's fake one (nested-safe)."""
    global _depth, _original, _default_session
    import botocore.credentials

    with _lock:
        if _depth == 0:
            _original = botocore.credentials.create_credential_resolver
            botocore.credentials.create_credential_resolver = _fake_resolver_factory(access_key, secret_key)
            _default_session = _boto3_default_session()
        _depth += 1


def reveal() -> None:
    """Undo one :func:`hide`; the last one restores botocore's resolver."""
    global _depth, _original
    import botocore.credentials

    with _lock:
        if _depth == 0:
            return
        _depth -= 1
        if _depth == 0:
            botocore.credentials.create_credential_resolver = _original
            _original = None
            _restore_default_session()


def _boto3_default_session() -> Any:
    boto3 = sys.modules.get("boto3")
    return getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None


def _restore_default_session() -> None:
    """No leftovers: boto3's default session is the one it was before the first mock started
    (a session made meanwhile holds sm_mock's keys), and the fake keys a session that was there
    before cached meanwhile are dropped, so it resolves the user's own again."""
    global _default_session
    boto3 = sys.modules.get("boto3")
    if boto3 is not None and getattr(boto3, "DEFAULT_SESSION", None) is not _default_session:
        boto3.DEFAULT_SESSION = _default_session  # type: ignore[attr-defined]
    core: Any = getattr(_default_session, "_session", None)
    if core is not None:
        cached = getattr(core, "_credentials", None)
        if cached is not None and getattr(cached, "method", None) == _FAKE_METHOD:
            core._credentials = None
        # The resolver the session built meanwhile is sm_mock's: let it build botocore's again.
        locator: Any = getattr(core, "_components", None)
        resolver = getattr(locator, "_components", {}).get("credential_provider")
        if resolver is not None and any(getattr(p, "METHOD", None) == _FAKE_METHOD for p in resolver.providers):
            locator.lazy_register_component("credential_provider", core._create_credential_resolver)
    _default_session = None
