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
    "ASYNC_BACKOFF_YIELDS",
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
    "OLDEST_BOTOCORE",
    "PARAMETER_STORE_ANSWER_404",
    "PURGE_AT_DELETION_DATE",
    "RESTORE_NOT_DELETED_IS_NOOP",
    "ROTATION_RETRIES",
    "SCHEDULED_SECRETS_COUNT_TOWARD_QUOTA",
    "SERVER_BAD_REGION_CODE",
    "SERVER_BODY_TOO_LARGE_CODE",
    "SERVER_MAX_BODY_BYTES",
    "SERVER_PROTOCOL_CODE",
    "TAG_LIMIT_CODE",
    "TYPE_VIOLATION_CODE",
    "UNKNOWN_OPERATION_CODE",
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

#: A request whose X-Amz-Target is missing or names no operation of the service (issue 18, item
#: 15; only raw HTTP callers send one). AWS's JSON 1.1 services answer it with their framework's
#: UnknownOperationException (botocore's JSON parser reads the code from ``__type``), HTTP 400.
UNKNOWN_OPERATION_CODE = "UnknownOperationException"

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

# ---- the current API (issue 17: botocore 1.44's 26 operations) -----------------------------
# Each rests on a documentation string of botocore 1.44's secretsmanager model (quoted).

#: PutResourcePolicy / DeleteResourcePolicy: "You can only attach the default policy; if you
#: specify any other name, the operation returns an InvalidParameterException." The name is a
#: parameter of the request, so it is checked before the secret is looked up (a wrong name with
#: a missing secret answers InvalidParameterException).
POLICY_NAME_CHECKED_FIRST = True

#: ListResourcePolicies: "Secrets Manager lists default first, followed by any other policies in
#: alphabetical order." It lists attached policies only: a secret with no default policy lists
#: no ``default`` (GetResourcePolicy of ``default`` then answers without ResourcePolicy, SPEC J5).
LIST_POLICIES_DEFAULT_ONLY_WHEN_ATTACHED = True

__all__ += [
    "LIST_POLICIES_DEFAULT_ONLY_WHEN_ATTACHED",
    "POLICY_NAME_CHECKED_FIRST",
]

#: SPEC Q1's quota table predates ListResourcePolicies and the cross-account operations. They
#: join the groups of their kind: ListResourcePolicies the resource-policy group (50/s),
#: AssociateCrossAccountReplica and DisassociateCrossAccountReplica the replication writes
#: (50/s, with ReplicateSecretToRegions and StopReplicationToReplica).
NEW_OPERATIONS_QUOTA_GROUPS = True

__all__ += ["NEW_OPERATIONS_QUOTA_GROUPS"]

#: Replication across partitions. The User Guide: "You can't replicate a secret in your enabled
#: AWS Regions to a specialized Region or replicate secrets from a specialized region to a
#: commercial region." It names no error; a replica region outside the primary's partition is a
#: bad parameter of the request, refused before anything changes (like a region named twice,
#: SPEC I11), not a replica with Status Failed.
CROSS_PARTITION_REPLICA_CODE = "InvalidParameterException"

#: ARNs of secrets and KMS keys carry the partition of their region, taken from botocore's
#: endpoint data (a region a partition lists, else the first whose regionRegex matches, as
#: botocore resolves endpoints; else "aws"). A lookup by an ARN of another partition finds
#: nothing (ResourceNotFoundException), as a lookup by an ARN of another region does; a KMS key
#: ARN of another partition is refused like one of another region (SPEC F6).
ARN_PARTITION_FROM_ENDPOINT_DATA = True

__all__ += ["ARN_PARTITION_FROM_ENDPOINT_DATA", "CROSS_PARTITION_REPLICA_CODE"]

#: Put/Get/DeleteResourcePolicy answer PolicyName only when the request named a policy. Row
#: SM-129 (confidence A) records answers without it (keys ARN and Name; ARN, Name and
#: ResourcePolicy) for requests without PolicyName; botocore 1.44's model says of the answer's
#: PolicyName "If you didn't specify PolicyName in the request, this is default". The recorded
#: row wins for requests without a name, the documentation for requests with one.
POLICY_NAME_ECHOED = "when requested"

__all__ += ["POLICY_NAME_ECHOED"]

#: Managed external secrets (botocore 1.41+): "The exact string that identifies the partner that
#: holds the external secret" (Type); ExternalSecretRotationRoleArn is "the role that allows
#: Secrets Manager to rotate a secret held by a third-party partner"; RotationLambdaARN: "For
#: secrets that use managed rotation, omit this field." The mock has no partner, so the test
#: plays it: sm.register_external_rotation(Type, handler), and handler(request) returns the new
#: value. RotateSecret (and each scheduled window) puts an empty AWSPENDING version, calls the
#: handler once, stores its value there and moves AWSCURRENT to it: the same events, retries and
#: records as a Lambda rotation (sm.rotations), the role ARN standing where a function ARN
#: stands in Invocation records. With no handler registered for the Type the rotation fails in
#: the background (RotationFailed, saying how to register one) and RotateSecret still answers
#: success, as it does when a Lambda fails (SPEC H17). RotateImmediately=false saves the
#: configuration and runs only the (empty) testSecret step; the partner is not called.
EXTERNAL_ROTATION = "registered handler per Type"

#: RotateSecret's checks of the external members, all InvalidParameterException before anything
#: changes: the members on a secret without Type; RotationLambdaARN on a managed external secret
#: ("omit this field"); a role that is not an IAM role ARN; no role given or configured before
#: (the partner cannot be reached without one); a metadata Key given twice ("A list of key value
#: pairs"). Key and Value lengths are the model's (1-256, 1-2048), checked with the model's code.
EXTERNAL_ROTATION_CHECKS = "InvalidParameterException"

__all__ += ["EXTERNAL_ROTATION", "EXTERNAL_ROTATION_CHECKS"]

# ---- cross-account replicas ------------------------------------------------------------------

#: CreateSecret with CrossAccountPrimaryARN attaches a resource policy to the replica (creating
#: one "also" needs "secretsmanager:PutResourcePolicy"), letting the primary's account perform
#: secretsmanager:AcceptCrossAccountReplication ("Secrets Manager calls
#: AcceptCrossAccountReplication on the replica secret on your behalf"). It is the one policy
#: under a name other than default ("You can modify only the default policy"); its name is not
#: documented, this is the mock's. StopReplicationToReplica removes it (that call "also" needs
#: "secretsmanager:DeleteResourcePolicy"). AssociateCrossAccountReplica checks the replica's
#: policies (explicit Deny wins, else an Allow is needed): AccessDeniedException otherwise.
CROSS_ACCOUNT_REPLICA_POLICY_NAME = "CrossAccountReplication"

#: What reaches a cross-account replica: versions and their labels (each value re-sealed under
#: the replica account's own key), Description and Type, which the replica "can't include" at
#: creation because they come from the primary. Tags, resource policies and the KMS key are the
#: replica account's own. Replication is synchronous (InSync at once); a replica whose key cannot
#: seal a value turns Failed with the reason (as a regional replica does, SPEC I5).
CROSS_ACCOUNT_REPLICATED_FIELDS = ("versions", "stages", "description", "type")

#: Statuses: Pending from CreateSecret until AssociateCrossAccountReplica; InSync after it;
#: Failed as above; Detached after DisassociateCrossAccountReplica (the replica stays a read-only
#: replica: it is not "a standalone secret" until StopReplicationToReplica) or after
#: StopReplicationToReplica (the primary keeps listing the replica, Detached, as "Secrets Manager
#: updates the primary secret's replication status to Detached for this replica"). A Detached
#: replica that was not promoted can be associated again ("call it again ... to repair
#: replication"). Only links that are not Detached count toward "at most one cross-account
#: replica" (LimitExceededException) and block DeleteSecret of the primary.
CROSS_ACCOUNT_STATUSES = ("Pending", "InSync", "Failed", "Detached")

#: Errors where the documentation names none: a forbidden member, a primary ARN of another
#: region, partition or the same account, or a missing customer managed key at creation:
#: InvalidParameterException; Associate/Disassociate not from the primary's account, on a
#: replica that was not created for this primary, on a secret scheduled for deletion:
#: InvalidRequestException; a replica ARN that exists nowhere, or Disassociate of a replica the
#: primary never linked: ResourceNotFoundException. The primary's existence is not checked at
#: creation (the replica's account can't read it); AssociateCrossAccountReplica checks the link.
#: Deleting a linked primary or an unstopped cross-account replica, and writing to the replica,
#: answer InvalidParameterException, the code AWS answers the regional analogues with (rows
#: SM-136, SM-137); the deletion refusals name the call that comes first.
CROSS_ACCOUNT_ERRORS = "InvalidParameterException / InvalidRequestException / ResourceNotFoundException"

#: ReplicaRestriction SameOrg ("the replica account [must] be in the same organization as the
#: primary account. This is the default"): the mock's accounts are all in one organization
#: unless a test puts them apart with sm.backend.set_organization(account_id, org_id); SameOrg
#: across organizations is InvalidRequestException, NoRestriction allows it.
ONE_ORGANIZATION_BY_DEFAULT = True

__all__ += [
    "CROSS_ACCOUNT_ERRORS",
    "CROSS_ACCOUNT_REPLICATED_FIELDS",
    "CROSS_ACCOUNT_REPLICA_POLICY_NAME",
    "CROSS_ACCOUNT_STATUSES",
    "ONE_ORGANIZATION_BY_DEFAULT",
]

#: Server mode (issue 16). A request the JSON 1.1 protocol cannot route: no or an unknown
#: ``X-Amz-Target``, a content type other than ``application/x-amz-json-1.1`` (SPEC A1: "Header
#: `X-Amz-Target: secretsmanager.<Operation>`, `Content-Type: application/x-amz-json-1.1`"), or a
#: method other than POST on the service path. No recorded row shows AWS's answer; AWS's JSON
#: services answer an unroutable request with HTTP 400 ``UnknownOperationException``, which every
#: SDK turns into its generic service error, so that is the answer here.
SERVER_PROTOCOL_CODE = UNKNOWN_OPERATION_CODE

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
# ---- the rotation checker (sm_mock.testing) ----------------------------------------------------

#: How many more times AWS runs a failed rotation, with the same ClientRequestToken, in
#: ``check_rotation_function``'s model: 2 (three attempts in all). The User Guide (seed 000,
#: ~L6162) says only "If any rotation step fails, Secrets Manager retries the entire rotation
#: process multiple times", and gives no number. "Multiple" is at least two retries; the
#: checker takes that smallest reading so that a plan can still disturb every attempt, which is
#: how it reaches the state AWS leaves when its retries run out (AWSPENDING kept, SPEC H17). The
#: next rotation window then retries with the same token (SPEC H18), and the checker plays that
#: window too, undisturbed, so a larger number would not let a wrong function pass.
ROTATION_RETRIES = 2

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
