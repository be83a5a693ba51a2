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


@functools.lru_cache(maxsize=8)
def _fake_resolver_factory(access_key: str, secret_key: str) -> Any:
    from botocore.credentials import CredentialProvider, CredentialResolver, Credentials

    class _FakeCredentials(CredentialProvider):  # type: ignore[misc]
        METHOD = "sm-mock"
        CANONICAL_NAME = "sm-mock"

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
    global _depth, _original
    import botocore.credentials

    with _lock:
        if _depth == 0:
            _original = botocore.credentials.create_credential_resolver
            botocore.credentials.create_credential_resolver = _fake_resolver_factory(access_key, secret_key)
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
