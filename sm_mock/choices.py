"""Every behaviour choice made where neither the recordings nor SPEC.md settle a point.

One place, so that a later live check against AWS changes one line. Each entry cites the
SPEC item (AMBIGUOUS) or recorded row it follows.
"""

from __future__ import annotations

__all__ = [
    "BATCH_MISSING_IN_ERRORS",
    "DESCRIBE_UPDATES_LAST_ACCESSED",
    "ENUM_VIOLATION_CODE",
    "MODEL_VIOLATION_CODE",
    "RESTORE_NOT_DELETED_IS_NOOP",
    "TAG_LIMIT_CODE",
    "TYPE_VIOLATION_CODE",
    "VALUE_SIZE_CODE",
]

#: SPEC A3 (AMBIGUOUS, recommendation InvalidParameterException): a request that breaks a
#: maximum length, range or pattern from the botocore model (checks botocore skips).
MODEL_VIOLATION_CODE = "InvalidParameterException"

#: Row SM-053 (confidence E: code kept): an enum violation is a ValidationException with
#: AWS's "1 validation error detected: ..." text.
ENUM_VIOLATION_CODE = "ValidationException"

#: A member of the wrong JSON type, or a body that is not a JSON object (only reachable with
#: parameter validation off or raw HTTP). AWS's JSON protocol answers SerializationException.
TYPE_VIOLATION_CODE = "SerializationException"

#: SPEC C2 (AMBIGUOUS between InvalidParameterException and ValidationException): follow A3.
VALUE_SIZE_CODE = "InvalidParameterException"

#: SPEC K5 (recommendation InvalidParameterException) for too many tags or an aws: prefix.
TAG_LIMIT_CODE = "InvalidParameterException"

#: SPEC P3 (recommendation: no) and row SM-071's note: DescribeSecret does not set
#: LastAccessedDate.
DESCRIBE_UPDATES_LAST_ACCESSED = False

#: SPEC G6 (recommendation): RestoreSecret on a secret that is not deleted succeeds.
RESTORE_NOT_DELETED_IS_NOOP = True

#: SPEC N3 (recommendation): a missing id in BatchGetSecretValue's SecretIdList is reported
#: in Errors, not raised for the whole call (row SM-056).
BATCH_MISSING_IN_ERRORS = True
