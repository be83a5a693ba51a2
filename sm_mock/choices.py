"""Every behaviour choice made where neither the recordings nor SPEC.md settle a point.

One place, so that a later live check against AWS changes one line. Each entry cites the
SPEC item (AMBIGUOUS) or recorded row it follows.
"""

from __future__ import annotations

__all__ = [
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
    "PURGE_AT_DELETION_DATE",
    "RESTORE_NOT_DELETED_IS_NOOP",
    "SCHEDULED_SECRETS_COUNT_TOWARD_QUOTA",
    "SERVER_BAD_REGION_CODE",
    "SERVER_BODY_TOO_LARGE_CODE",
    "SERVER_MAX_BODY_BYTES",
    "SERVER_PROTOCOL_CODE",
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


#: Server mode (issue 16). A request the JSON 1.1 protocol cannot route: no or an unknown
#: ``X-Amz-Target``, a content type other than ``application/x-amz-json-1.1`` (SPEC A1: "Header
#: `X-Amz-Target: secretsmanager.<Operation>`, `Content-Type: application/x-amz-json-1.1`"), or a
#: method other than POST on the service path. No recorded row shows AWS's answer; AWS's JSON
#: services answer an unroutable request with HTTP 400 ``UnknownOperationException``, which every
#: SDK turns into its generic service error, so that is the answer here.
SERVER_PROTOCOL_CODE = "UnknownOperationException"

#: Server mode: the largest request body read. The largest Secrets Manager request is a
#: CreateSecret with a 65,536-byte SecretBinary (SPEC C2's value limit), about 88 KiB once
#: base64-encoded with its other members; 1 MiB leaves room for any valid request and bounds
#: what one connection can make the server hold. A larger body is not read.
SERVER_MAX_BODY_BYTES = 1024 * 1024

#: Server mode: the code of the HTTP 413 answer to a body over SERVER_MAX_BODY_BYTES. AWS's
#: front end answers an oversized request before any service sees it, with no recorded body;
#: HTTP's own name for the status is used, as a JSON 1.1 error so SDKs parse it.
SERVER_BODY_TOO_LARGE_CODE = "RequestEntityTooLargeException"

#: Server mode: a SigV4 credential scope whose region is not a region name (the in-process
#: path never sees one: botocore checks region names before signing). AWS's front end refuses a
#: request scoped to an invalid region before the service sees it, as a signature error (HTTP
#: 403, "Credential should be scoped to a valid region."); unrecorded here, so the code is the
#: one SDKs know for signature failures.
SERVER_BAD_REGION_CODE = "InvalidSignatureException"
