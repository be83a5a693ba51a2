"""Reused ``secretsmanager`` clients for ``sm.client()`` and the ``sm_client`` fixture.

Building a boto3 client costs a millisecond or two, most of what a short test pays. A client
holds nothing of a mock's (sm_mock serves whichever mock is active), so one client per region
and set of options serves every test. What a test can leave on a client is put back each time
it is handed out: the event handlers (a spy, a Stubber left active) and standard retry mode's
retry quota. Clients are made from a session of their own, so boto3's default session is left
alone.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Hashable, Mapping
from typing import Any

__all__ = ["client"]

_lock = threading.Lock()
#: (keyword arguments) → (client, its event emitter as it was made).
_clients: dict[tuple[tuple[str, Hashable], ...], tuple[Any, Any]] = {}
_session: Any = None


#: Settings botocore reads from the environment when it makes a client: a client made under
#: other values is another client.
_ENVIRONMENT = (
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_DEFAULTS_MODE",
)


def _key(kwargs: Mapping[str, Any]) -> tuple[tuple[str, Hashable], ...] | None:
    """A cache key for plain keyword arguments and the environment botocore reads; None (not
    cached) for anything else, e.g. a ``Config``, whose identity says nothing of its content."""
    items: list[tuple[str, Hashable]] = [(f"${name}", os.environ.get(name)) for name in _ENVIRONMENT]
    for name, value in sorted(kwargs.items()):
        if value is not None and not isinstance(value, (str, bool, int)):
            return None
        items.append((name, value))
    return tuple(items)


def client(**kwargs: Any) -> Any:
    """A ``secretsmanager`` client made with ``kwargs``: the same one again for the same plain
    arguments, with its event handlers and retry quota as they were when it was made."""
    import boto3

    global _session
    key = _key(kwargs)
    if key is None:
        return boto3.session.Session().client("secretsmanager", **kwargs)
    with _lock:
        entry = _clients.get(key)
        if entry is None:
            if _session is None:
                _session = boto3.session.Session()
            made = _session.client("secretsmanager", **kwargs)
            entry = _clients[key] = (made, copy.copy(made.meta.events._emitter))
            made.meta.events._emitter = _fresh(entry[1])
        made, pristine = entry
        if made.meta.events._emitter._sm_mock_changed:  # handlers a test added or took off
            made.meta.events._emitter = _fresh(pristine)
        _reset_retry_quota(made)
        return made


def _fresh(pristine: Any) -> Any:
    """A copy of the client's emitter as it was made, which notes when handlers change (copying
    one costs about what a call does, so it is done only when a test changed the handlers)."""
    emitter = copy.copy(pristine)
    emitter.__class__ = _tracked_class()
    emitter._sm_mock_changed = False
    return emitter


_TRACKED: Any = None


def _tracked_class() -> Any:
    global _TRACKED
    if _TRACKED is None:
        from botocore.hooks import HierarchicalEmitter

        class Tracked(HierarchicalEmitter):  # type: ignore[misc]  # botocore is untyped
            """botocore's emitter, noting any change to its handlers."""

            def _register_section(self, *args: Any, **kwargs: Any) -> Any:
                self._sm_mock_changed = True
                return super()._register_section(*args, **kwargs)

            def unregister(self, *args: Any, **kwargs: Any) -> Any:
                self._sm_mock_changed = True
                return super().unregister(*args, **kwargs)

        _TRACKED = Tracked
    return _TRACKED


def _reset_retry_quota(made: Any) -> None:
    """Standard retry mode's retry quota is the client's own, spent by retries: full again."""
    for handler in made.meta.events._emitter._handlers.prefix_search("needs-retry.secrets-manager"):
        checker = getattr(getattr(handler, "__self__", None), "_retry_quota", None)
        quota = getattr(checker, "_quota", None)
        if quota is not None and hasattr(quota, "_max_capacity"):
            quota._available_capacity = quota._max_capacity
