"""sm_mock: an in-process, high-fidelity mock of AWS Secrets Manager for boto3 tests.

>>> from sm_mock import mock_secretsmanager
>>> with mock_secretsmanager() as sm:
...     pass
"""

from __future__ import annotations

from .botocore import attach, install
from .calls import CallLog, CallRecord
from .clock import Clock, ManualClock
from .errors import (
    AwsError,
    BlockedServiceError,
    NoActiveMockError,
    RotationFailureWarning,
    SmMockError,
    UnknownSecretError,
)
from .faults import Fault, FaultPlan
from .limits import Limits
from .mock import SecretsManagerMock, current, mock_secretsmanager
from .model.seeding import SecretSpec, SeedError
from .options import MockOptions, OptionError
from .quotas import Quotas
from .sleeps import SleepLog, SleepRecord

__all__ = [
    "AwsError",
    "BlockedServiceError",
    "CallLog",
    "CallRecord",
    "Clock",
    "Fault",
    "FaultPlan",
    "Limits",
    "ManualClock",
    "MockOptions",
    "NoActiveMockError",
    "OptionError",
    "Quotas",
    "RotationFailureWarning",
    "SecretSpec",
    "SecretsManagerMock",
    "SeedError",
    "SleepLog",
    "SleepRecord",
    "SmMockError",
    "UnknownSecretError",
    "attach",
    "current",
    "mock_secretsmanager",
]

__version__ = "0.1.0"

install()
