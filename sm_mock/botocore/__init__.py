"""Every touch of botocore: the hook, direct mode, recorded retry sleeps and credentials.

Nothing else in sm_mock imports botocore, apart from reading the Secrets Manager service
model through :func:`sm_mock.protocol.validation.service_model`. The rest of the package
speaks in wire dicts and :class:`~sm_mock.session.Session` objects; this package turns
botocore's requests into those and the answers back into what botocore expects.

* :mod:`.hook`: the ``before-send`` handler (the HTTP transport) and its registration;
* :mod:`.direct`: the ``before-call`` handler (``transport="direct"``);
* :mod:`.responses`: request ids, HTTP answers and botocore's exceptions for injected
  network failures;
* :mod:`.guard`: containment: what nothing mocks never leaves the process; sm_mock's answer
  to a Secrets Manager request wins over another mock's; fake keys sign what it serves or stops;
* :mod:`.retries`: botocore's retry back-off and rate-limiter waits, recorded not slept;
* :mod:`.credentials`: fake credentials for every session while a mock is active;
* :mod:`.aio`: the same for aiobotocore's endpoint, signer and rate limiter (async clients).
"""

from __future__ import annotations

from .. import session as sessions
from ..session import Session
from . import aio, credentials, guard, retries
from .credentials import FAKE_CREDENTIALS
from .hook import attach, install

__all__ = ["activate", "attach", "configured_region", "deactivate", "install"]


def activate(session: Session) -> None:
    """Make ``session`` the innermost active one and put the botocore patches in place."""
    install()
    credentials.hide(FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"], FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    sessions.push(session)
    retries.activate()
    guard.activate()
    aio.activate()


def deactivate(session: Session) -> bool:
    """Undo :func:`activate`; returns True when no session is active any more."""
    last = sessions.remove(session)
    credentials.reveal()
    retries.deactivate()
    guard.deactivate()
    aio.deactivate()
    return last


def configured_region() -> str | None:
    """The region a new botocore session would use (environment, then config file), or None."""
    import botocore.session

    try:
        region = botocore.session.Session().get_config_variable("region")
    except Exception:  # a broken config file: nothing usable is configured
        return None
    return str(region) if region else None
