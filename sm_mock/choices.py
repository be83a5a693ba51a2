"""Every behaviour choice made where neither the recordings nor SPEC.md settle a point.

One place, so that a later live check against AWS changes one line. Each entry cites the
SPEC item (AMBIGUOUS) or recorded row it follows.
"""

from __future__ import annotations

__all__ = [
    "ASYNC_BACKOFF_YIELDS",
    "BATCH_FILTERS_INCLUDE_PLANNED_DELETION",
    "BATCH_FILTER_ERROR_SECRET_ID",
    "BATCH_MISSING_IN_ERRORS",
    "BATCH_PAGE_SIZE",
    "DESCRIBE_UPDATES_LAST_ACCESSED",
    "EMPTY_VERSION_STAGES_OMITTED",
    "ENUM_VIOLATION_CODE",
    "LIST_PAGE_SIZE",
    "LIST_SORT_ORDER",
    "LIST_UNSET_DATES_FIRST",
    "MODEL_VIOLATION_CODE",
    "OLDEST_BOTOCORE",
    "PURGE_AT_DELETION_DATE",
    "RESTORE_NOT_DELETED_IS_NOOP",
    "SCHEDULED_SECRETS_COUNT_TOWARD_QUOTA",
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

#: Row SM-108 (A) shows ListSecretVersionIds leaving VersionStages out for a deprecated
#: version, and SPEC A9 leaves out members without a value. No row records GetSecretValue,
#: BatchGetSecretValue or an idempotent PutSecretValue retry on a deprecated version; by the same
#: rule their answers leave VersionStages out too, instead of sending an empty list.
EMPTY_VERSION_STAGES_OMITTED = True

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

#: SPEC Q1 is silent on whether a secret in its recovery window counts against "Secrets per
#: region". It still exists (its name is taken, SM-002, and RestoreSecret brings it back), so
#: it counts until purged; ForceDeleteWithoutRecovery frees the slot at once. A secret whose
#: DeletionDate has passed never counts (SPEC G7: it is gone, even if nothing purged it yet).
SCHEDULED_SECRETS_COUNT_TOWARD_QUOTA = True

#: SPEC G6/G7 say "before the window ends" and "once the clock passes DeletionDate": the
#: instant DeletionDate itself is the first one at which the secret is gone (RestoreSecret
#: works up to a microsecond before). Purging stays lazy: the next lookup at or after that
#: instant removes the secret (no background thread).
PURGE_AT_DELETION_DATE = True

#: SPEC N3 (recommendation): a missing id in BatchGetSecretValue's SecretIdList is reported
#: in Errors, not raised for the whole call (row SM-056).
BATCH_MISSING_IN_ERRORS = True

# ---- ListSecrets and BatchGetSecretValue ---------------------------------------------------

#: SPEC L9 (default direction AMBIGUOUS): without SortOrder, ListSecrets lists oldest first
#: ("asc"). The model only says secrets are listed by CreatedDate; ascending keeps the order in
#: which a test created its secrets, which is what most test code written against other mocks
#: expects. Ties on the sort value (e.g. LastAccessedDate has date precision) fall back to
#: creation order; "desc" reverses the whole order, ties included.
LIST_SORT_ORDER = "asc"

#: SPEC L10 (default AMBIGUOUS): ListSecrets without MaxResults returns up to 100 secrets per
#: page, the model's maximum, so code that never pages sees as much as it could on AWS.
LIST_PAGE_SIZE = 100

#: SPEC L9: secrets without a LastAccessedDate (never read) or LastChangedDate sort as the
#: oldest: first in ascending order, last in descending order.
LIST_UNSET_DATES_FIRST = True

#: SPEC N1: BatchGetSecretValue with Filters and without MaxResults returns up to 20 values
#: per page (the model's maximum for MaxResults).
BATCH_PAGE_SIZE = 20

#: SPEC N4 (recommendation): with Filters, secrets scheduled for deletion are left out, as in a
#: ListSecrets without IncludePlannedDeletion.
BATCH_FILTERS_INCLUDE_PLANNED_DELETION = False

#: SPEC N3: with Filters, a secret that matched but could not be read (no AWSCURRENT value,
#: DecryptionFailure) is reported in Errors under this member of the secret: its "ARN" (the
#: SecretIdList form reports the id exactly as the caller gave it, SM-056).
BATCH_FILTER_ERROR_SECRET_ID = "ARN"


# ---- async clients and the botocore versions supported (issue 15) ---------------------------

#: Issue 15: "The back-off [aiobotocore] asks for is recorded in sm.sleeps and not slept". A
#: real ``asyncio.sleep`` is also a point where other tasks run; the recorded back-off still
#: awaits ``asyncio.sleep(0)`` once, so concurrent tasks interleave around a retry as they would
#: (only the waiting is skipped).
ASYNC_BACKOFF_YIELDS = True

#: The oldest botocore sm_mock supports and CI tests (pyproject's floor, .ci/run's oldest pin):
#: containment signs what it serves with fake keys through the ``request_credentials`` argument
#: of ``RequestSigner.get_auth_instance``, which botocore has from 1.34.70 on (1.34.69 and
#: earlier fail the focused set there). No upper bound is declared: aioboto3 and boto3 pin
#: botocore themselves, and CI tests the newest.
OLDEST_BOTOCORE = "1.34.70"
