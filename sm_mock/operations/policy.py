"""Resource policies: Put, Get, Delete, List and Validate (SPEC §J; named policies: model.policies)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..errors import AwsError
from ..model import arn as arns
from ..model import cross_account, policies
from ..model.secret import Secret
from .base import RequestContext, operation
from .paging import decode_offset, encode_token

__all__ = ["cross_account_replica_policy", "policy_allows", "policy_problems"]


def _statements(policy: str) -> list[dict[str, Any]]:
    try:
        doc = json.loads(policy)
    except ValueError:
        raise AwsError(
            "MalformedPolicyDocumentException",
            "The resource policy is not valid JSON. Check quotes, commas and braces.",
        ) from None
    except RecursionError:  # nested deeper than the parser goes: no policy is shaped like that
        raise AwsError(
            "MalformedPolicyDocumentException",
            "The resource policy nests too deeply. A policy is a Statement list of flat objects.",
        ) from None
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements or not all(isinstance(s, dict) for s in statements):
        raise AwsError(
            "MalformedPolicyDocumentException",
            "The resource policy needs a Statement: an object or a non-empty list of objects.",
        )
    for statement in statements:
        has_action = "Action" in statement or "NotAction" in statement
        if statement.get("Effect") not in ("Allow", "Deny") or not has_action:
            raise AwsError(
                "MalformedPolicyDocumentException",
                "Every policy statement needs an Effect of Allow or Deny and an Action.",
            )
    return statements


def _is_public(statement: dict[str, Any]) -> bool:
    # SPEC J3 heuristic: an Allow with a wildcard principal and no Condition is public.
    # The wildcard may stand alone or among other principals: {"AWS": ["arn:...", "*"]} still
    # grants every principal access.
    principal = statement.get("Principal")
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    wildcard = principal == "*" or aws == "*" or (isinstance(aws, list) and "*" in aws)
    return statement.get("Effect") == "Allow" and wildcard and not statement.get("Condition")


def policy_problems(policy: str) -> list[dict[str, str]]:
    """ValidateResourcePolicy's findings (SPEC J4)."""
    try:
        statements = _statements(policy)
    except AwsError as error:
        return [{"CheckName": "JSON_SYNTAX", "ErrorMessage": error.message}]
    return [
        {"CheckName": "BROAD_ACCESS", "ErrorMessage": "The policy grants access to every principal ('*')."}
        for statement in statements
        if _is_public(statement)
    ]


def cross_account_replica_policy(primary_arn: str) -> str:
    """The resource policy a cross-account replica gets at creation: the primary's account may
    accept replication into it (choices.CROSS_ACCOUNT_REPLICA_POLICY_NAME)."""
    parsed = arns.parse(primary_arn)
    partition, account = (parsed.partition, parsed.account_id) if parsed is not None else ("aws", "")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                    "Action": cross_account.ACCEPT_ACTION,
                    "Resource": "*",
                }
            ],
        }
    )


def policy_allows(policies: Sequence[str], account_id: str, action: str) -> bool:
    """Whether resource policies let ``account_id`` perform ``action``: an explicit Deny wins,
    else an Allow is needed (IAM's evaluation, for the principals and actions resource policies
    of secrets use: "*", an account id or its root ARN; an action, "secretsmanager:*" or "*")."""
    allowed = False
    for text in policies:
        try:
            statements = _statements(text)
        except AwsError:
            continue
        for statement in statements:
            if not (_names_action(statement.get("Action"), action) and _names_account(statement, account_id)):
                continue
            if statement.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _names_action(actions: object, action: str) -> bool:
    return any(a in ("*", "secretsmanager:*", action) for a in _as_list(actions))


def _names_account(statement: dict[str, Any], account_id: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    return any(
        p in ("*", account_id) or (isinstance(p, str) and p.endswith(f"::{account_id}:root")) for p in _as_list(aws)
    )


@operation("PutResourcePolicy")
def put_resource_policy(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Attach (replace) the resource policy (SPEC J1–J3); only the one named ``default``."""
    name = policies.check_modifiable(p.get("PolicyName"))  # choices.POLICY_NAME_CHECKED_FIRST
    secret_id = p["SecretId"]
    ctx.service.find(ctx, secret_id)  # a missing secret answers before the document's checks
    policy = p["ResourcePolicy"]
    statements = _statements(policy)
    if p.get("BlockPublicPolicy") and any(_is_public(s) for s in statements):
        raise AwsError(
            "PublicPolicyException",
            "BlockPublicPolicy prevents this policy: it grants broad access (Principal '*' without "
            "a Condition). Name the principals or add a Condition.",
        )
    secret = ctx.service.put_resource_policy(ctx, secret_id, policy)
    return _named({"ARN": secret.arn, "Name": secret.name}, p, name)


def _named(out: dict[str, Any], p: dict[str, Any], name: str) -> dict[str, Any]:
    """The answer with PolicyName when the request named one (choices.POLICY_NAME_ECHOED)."""
    if "PolicyName" in p:
        out["PolicyName"] = name
    return out


@operation("GetResourcePolicy")
def get_resource_policy(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """The policy named PolicyName (default ``default``); ResourcePolicy is absent when no
    default policy is attached (SPEC J5), another name that is not attached is
    ResourceNotFoundException."""
    name = p.get("PolicyName") or policies.DEFAULT_POLICY

    def answer(secret: Secret) -> dict[str, Any]:
        text = policies.policy_named(secret, name)
        out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
        if text is not None:
            out["ResourcePolicy"] = text
        return _named(out, p, name)

    return ctx.service.view(ctx, p["SecretId"], answer)


@operation("DeleteResourcePolicy")
def delete_resource_policy(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Remove the policy; succeeds when there is none (SPEC J6); only the one named ``default``."""
    name = policies.check_modifiable(p.get("PolicyName"))  # choices.POLICY_NAME_CHECKED_FIRST
    secret = ctx.service.delete_resource_policy(ctx, p["SecretId"])
    return _named({"ARN": secret.arn, "Name": secret.name}, p, name)


@operation("ListResourcePolicies")
def list_resource_policies(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """The names of the attached policies, ``default`` first, then alphabetical, a page at a
    time (MaxResults 1-100, default 100; InvalidNextTokenException for a token not of ours)."""
    limit = p.get("MaxResults") or 100
    start = decode_offset("policies", p["NextToken"]) if p.get("NextToken") else 0
    names = ctx.service.view(ctx, p["SecretId"], policies.names)
    out: dict[str, Any] = {"ResourcePolicies": [{"PolicyName": name} for name in names[start : start + limit]]}
    if start + limit < len(names):
        out["NextToken"] = encode_token("policies", {"o": start + limit})
    return out


@operation("ValidateResourcePolicy")
def validate_resource_policy(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Check a policy without attaching it (SPEC J4); SecretId is optional."""
    if p.get("SecretId"):
        ctx.service.find(ctx, p["SecretId"])
    problems = policy_problems(p["ResourcePolicy"])
    return {"PolicyValidationPassed": not problems, "ValidationErrors": problems}
