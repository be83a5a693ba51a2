"""Every behaviour choice made where neither the recordings nor SPEC.md settle a point.

One place, so that a later live check against AWS changes one line. Each entry cites the
SPEC item (AMBIGUOUS) or recorded row it follows.
"""

from __future__ import annotations

__all__ = [
    "AGENT_CONNECTION_LIMIT",
    "AGENT_ERROR_BODY_ESCAPED",
    "AGENT_EXPIRED_ENTRY_CHECK",
    "AGENT_IGNORE_TRANSIENT_ERRORS",
    "AGENT_PATH_ID_NOT_DECODED",
    "AGENT_SDK_ATTEMPTS",
    "AGENT_TOKEN_WHEN_UNSET",
    "AGENT_TRANSPORT_FAILURE_STATUS",
    "AGENT_TTL_ZERO_ALWAYS_EXPIRED",
    "AGENT_WIRE_FOR_LAMBDA_EXTENSION",
    "BATCH_FILTERS_INCLUDE_PLANNED_DELETION",
    "BATCH_FILTER_ERROR_SECRET_ID",
    "BATCH_MISSING_IN_ERRORS",
    "BATCH_PAGE_SIZE",
    "DESCRIBE_UPDATES_LAST_ACCESSED",
    "EMPTY_VERSION_STAGES_OMITTED",
    "ENUM_VIOLATION_CODE",
    "LAMBDA_EXTENSION_NO_CACHE_MEANS_NO_STORE",
    "LIST_PAGE_SIZE",
    "LIST_SORT_ORDER",
    "LIST_UNSET_DATES_FIRST",
    "MODEL_VIOLATION_CODE",
    "PARAMETER_STORE_ANSWER_404",
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

#: A request that breaks a maximum length, range, pattern or required member of the botocore
#: model (checks botocore skips; SPEC A3 left the code AMBIGUOUS). AWS answers such model
#: violations with the "1 validation error detected: ..." text as a ValidationException (SM-053
#: records it for an enum; issue 18 item 6 asks for that code consistently), so every check that
#: prints that text uses this code. Rows that record their own text and code for a member
#: (SM-042 AutomaticallyAfterDays, SM-045 RecoveryWindowInDays: InvalidParameterException) keep it.
MODEL_VIOLATION_CODE = "ValidationException"

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

#: SPEC C2 (AMBIGUOUS between InvalidParameterException and ValidationException): the value's
#: maximum is the model's own (SecretString / SecretBinary max 65536), so an oversized value is a
#: model violation: the same code as :data:`MODEL_VIOLATION_CODE`, also when a test lowers the limit.
VALUE_SIZE_CODE = MODEL_VIOLATION_CODE

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


# ---- the local secrets endpoint (sm_mock/agent/, issue 20) ---------------------------------
# The reference is the open-source Agent, aws/aws-secretsmanager-agent (read, not copied), and
# the User Guide's sections "Secrets Manager Agent" and "AWS Parameters and Secrets Lambda
# Extension". Where the two products differ the style decides; where the closed-source Lambda
# extension is undocumented, it answers as the Agent does (AGENT_WIRE_FOR_LAMBDA_EXTENSION).

#: cache_manager.rs fetches through the caching crate, whose refresh_secret_value, for an
#: expired entry, first asks is_current: "describe_secret().secret_id(cached_value.arn)", then
#: "If no version stage was passed, check AWSCURRENT" and "Only version id is given, then check
#: if the version id still exists". A current entry is written back and served without a
#: GetSecretValue ("Re-up the entry freshness (TTL, cache rank) by writing the same data back
#: to the cache"). sm_mock makes the same DescribeSecret call through its own pipeline, so
#: the call log shows it.
AGENT_EXPIRED_ENTRY_CHECK = "DescribeSecret"

#: config.rs DEFAULT_IGNORE_TRANSIENT_ERRORS = true: "Whether the agent should serve cached
#: data on transient refresh errors". error.rs counts timeouts, I/O and response errors and
#: "ServiceError(serr) if serr.raw().status().is_server_error()" as transient: a 5xx from the
#: DescribeSecret check counts as current, from the GetSecretValue refresh serves the cached
#: answer (and writes it back, as refresh_secret_value does).
AGENT_IGNORE_TRANSIENT_ERRORS = True

#: The Agent calls Secrets Manager with the AWS SDK for Rust, whose standard retry mode makes
#: at most 3 attempts for throttling codes (aws-runtime THROTTLING_ERRORS), transient codes and
#: HTTP 500/502/503/504, and network failures. sm_mock makes the attempts (each one a call-log
#: record with its attempt number) without sleeping between them.
AGENT_SDK_ATTEMPTS = 3

#: memory_store: an entry is expired when "gsv.last_updated_at.elapsed() > self.ttl"; with
#: ttl_seconds 0 ("0 indicates that there is no caching", Agent README) a real clock always
#: moves on, so every entry is expired at once. The mock's clock may stand still (ManualClock,
#: freezegun), so TTL 0 is "always expired" outright: every read is checked with DescribeSecret.
AGENT_TTL_ZERO_ALWAYS_EXPIRED = True

#: User Guide, Lambda extension: PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED "Set to false for no
#: caching", SECRETS_MANAGER_TTL "A value of 0 means there is no caching", CACHE_SIZE "A value
#: of 0 means there is no caching". In the lambda-extension style any of them keeps nothing:
#: every read is a GetSecretValue (the extension's source is not public; no DescribeSecret
#: check is assumed).
LAMBDA_EXTENSION_NO_CACHE_MEANS_NO_STORE = True

#: The Lambda extension's wire is not published beyond the User Guide's requests and its token
#: header ("add the X-AWS-Parameters-Secrets-Token to the request header"). Its status codes,
#: texts and error bodies are taken from the Agent, which the User Guide offers as the way "to
#: standardize consumption of secrets ... across environments such as AWS Lambda".
AGENT_WIRE_FOR_LAMBDA_EXTENSION = True

#: Parameter Store paths (/systemsmanager/...): the Agent has no such route and answers its
#: plain 404 "Not found" (server.rs), which the agent style keeps. The Lambda extension serves
#: them ("The extension can retrieve both Secrets Manager secrets and Parameter Store
#: parameters"); sm_mock cannot, so that style answers 404 with a text saying why.
PARAMETER_STORE_ANSWER_404 = True

#: utils.rs get_token returns an error when none of the token variables is set, and the Agent
#: does not start. A mock that refused would only get in the way: sm_mock makes a random token
#: (sm.agent.token; the sm_agent_url fixture exports it as AWS_SESSION_TOKEN, "which is
#: provided by Lambda for all running functions").
AGENT_TOKEN_WHEN_UNSET = "generated"

#: parse.rs try_from_path_query takes the secret id from "url.path()", the URL's path as
#: serialized, which is not percent-decoded: GET /v1/my%2Fsecret asks for "my%2Fsecret". The
#: query form decodes its values (query_pairs is form-urlencoded).
AGENT_PATH_ID_NOT_DECODED = True

#: utils.rs err_response writes the message into its JSON text unescaped
#: ("{\"__type\":\"{err_code}\", \"message\":\"{msg}\"}"), which is invalid JSON for a message
#: holding a quote. sm_mock keeps the layout (the space after the comma included) and
#: JSON-escapes the two values, so the body always parses; they agree for every message
#: without a quote, a backslash or a control character.
AGENT_ERROR_BODY_ESCAPED = True

#: cache_manager.rs svc_err: a timeout is answered 504 {"TimeoutError", "Timeout"}, an I/O
#: failure 502 {"ConnectionError", "Read Error"}. Injected ConnectTimeout and ReadTimeout are
#: timeouts; ConnectionError and ConnectionClosed are I/O failures.
AGENT_TRANSPORT_FAILURE_STATUS = {
    "ConnectTimeout": 504,
    "ReadTimeout": 504,
    "ConnectionError": 502,
    "ConnectionClosed": 502,
}

#: server.rs validate_max_conn answers 429 "Connection limit exceeded" past max_conn (800)
#: concurrent connections. sm_mock has no such limit: a test suite does not open 800
#: connections, and a limit would only make a slow test flaky.
AGENT_CONNECTION_LIMIT = None
