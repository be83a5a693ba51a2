"""Named resource policies (botocore 1.44's PolicyName, ListResourcePolicies).

A secret has at most one policy a user may attach, change or delete, named ``default``
("You can only attach the default policy; if you specify any other name, the operation
returns an InvalidParameterException"). Other names are attached by Secrets Manager itself;
in the mock, the policy a cross-account replica gets when it is created
(:data:`sm_mock.choices.CROSS_ACCOUNT_REPLICA_POLICY_NAME`). GetResourcePolicy reads any of
them; ListResourcePolicies lists "default first, followed by any other policies in
alphabetical order".
"""

from __future__ import annotations

from ..errors import invalid_parameter, not_found
from .secret import Secret

__all__ = ["DEFAULT_POLICY", "check_modifiable", "names", "policy_named"]

#: "If you don't specify this field, Secrets Manager uses default."
DEFAULT_POLICY = "default"


def check_modifiable(name: str | None) -> str:
    """The policy name a Put or Delete acts on; any name but ``default`` is refused."""
    if name is None or name == DEFAULT_POLICY:
        return DEFAULT_POLICY
    raise invalid_parameter(
        f"You can only attach or delete the resource policy named {DEFAULT_POLICY!r}, not {name!r}. "
        "Leave PolicyName out or pass PolicyName='default'."
    )


def policy_named(secret: Secret, name: str | None) -> str | None:
    """The text of the policy ``name`` (default: ``default``); None when no default policy is
    attached; ResourceNotFoundException for another name that does not exist ("If you specify
    a name other than default and no policy with that name exists, the operation returns a
    ResourceNotFoundException")."""
    if name is None or name == DEFAULT_POLICY:
        return secret.policy
    text = secret.named_policies.get(name)
    if text is None:
        raise not_found(
            f"Secrets Manager can't find a resource policy named {name!r} on this secret. "
            "ListResourcePolicies lists the names it has."
        )
    return text


def names(secret: Secret) -> list[str]:
    """The names of the attached policies: ``default`` first (when attached), then the others in
    alphabetical order."""
    head = [DEFAULT_POLICY] if secret.policy is not None else []
    return head + sorted(secret.named_policies)
