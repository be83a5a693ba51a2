"""sm_mock: an in-process, high-fidelity mock of AWS Secrets Manager for boto3 tests.

>>> from sm_mock import mock_secretsmanager
>>> with mock_secretsmanager() as sm:
...     pass
"""

from __future__ import annotations

from .calls import CallLog, CallRecord
from .errors import AwsError, BlockedServiceError, NoActiveMockError, SmMockError
from .hook import attach, install
from .limits import Limits
from .mock import SecretsManagerMock, current, mock_secretsmanager

__all__ = [
    "AwsError",
    "BlockedServiceError",
    "CallLog",
    "CallRecord",
    "Limits",
    "NoActiveMockError",
    "SecretsManagerMock",
    "SmMockError",
    "attach",
    "current",
    "mock_secretsmanager",
]

__version__ = "0.1.0"

install()
