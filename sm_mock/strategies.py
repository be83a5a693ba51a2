"""Hypothesis strategies for property-testing code that uses Secrets Manager (needs Hypothesis).

Every strategy draws from the rules sm_mock itself enforces, so "valid" means what the mock
(and AWS, as far as recorded) accepts: names from :mod:`sm_mock.model.arn` and
:class:`~sm_mock.limits.Limits`, value sizes from ``Limits.max_value_size``, ListSecrets filters
and tag sizes from botocore's service model, rotation rules checked by
:func:`sm_mock.model.schedule.parse_rotation_rules`.

>>> from hypothesis import given
>>> from sm_mock import strategies
>>> @given(strategies.secret_names())          # doctest: +SKIP
... def test_my_loader_accepts_any_name(name): ...

``import sm_mock`` never imports this module; install the ``hypothesis`` extra to use it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "sm_mock.strategies needs Hypothesis: pip install 'sm-mock[hypothesis]' (or pip install hypothesis)"
    ) from error

from .errors import AwsError
from .limits import Limits
from .model import arn as arns
from .model.schedule import parse_rotation_rules

__all__ = [
    "NAME_CHARACTERS",
    "CreatedSecret",
    "SecretHistory",
    "binary_values",
    "durations",
    "full_arns",
    "invalid_secret_names",
    "list_secrets_filters",
    "partial_arns",
    "rotation_rules",
    "schedule_expressions",
    "secret_histories",
    "secret_names",
    "secret_strings",
    "suffix_like_names",
    "tags",
]

_LIMITS: Final = Limits()
#: Every printable ASCII character a secret name may hold (SM-003's pattern, ``arn.NAME_PATTERN``).
NAME_CHARACTERS: Final = "".join(ch for ch in map(chr, range(32, 127)) if arns.NAME_PATTERN.fullmatch(ch))
_SUFFIX_CHARACTERS: Final = string.ascii_letters + string.digits
#: Characters AWS documents for tag keys and values (letters, digits, spaces and _ . : / = + - @).
_TAG_CHARACTERS: Final = string.ascii_letters + string.digits + " _.:/=+-@"
#: ListSecrets filter keys and the pattern of their values (botocore's FilterValueStringType:
#: an optional leading "!" negates, then letters, digits, spaces and : _ @ / + = . - !).
_FILTER_KEYS: Final = ("description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all")
_FILTER_CHARACTERS: Final = string.ascii_letters + string.digits + " :_@/+=.-!"
_REGIONS: Final = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")


# ---- names and ARNs ---------------------------------------------------------------------------
def secret_names(*, max_size: int = 64) -> st.SearchStrategy[str]:
    """Names CreateSecret accepts: 1 to ``max_size`` (at most 512) of :data:`NAME_CHARACTERS`,
    names ending in "-" and six characters included (SPEC B8's pitfall)."""
    size = min(max_size, _LIMITS.max_name)
    plain = st.text(NAME_CHARACTERS, min_size=1, max_size=size)
    return st.one_of(plain, suffix_like_names(max_size=size))


def suffix_like_names(*, max_size: int = 64) -> st.SearchStrategy[str]:
    """Valid names that end in "-" and six letters or digits, which look like an ARN's random
    suffix: a partial ARN of such a name does not find the secret (SPEC B8, SM-016)."""
    head = st.text(NAME_CHARACTERS, min_size=1, max_size=max(1, min(max_size, _LIMITS.max_name) - 7))
    tail = st.text(_SUFFIX_CHARACTERS, min_size=arns.SUFFIX_LENGTH, max_size=arns.SUFFIX_LENGTH)
    return st.builds(lambda h, t: f"{h}-{t}", head, tail)


def invalid_secret_names() -> st.SearchStrategy[str]:
    """Names CreateSecret refuses: a character outside :data:`NAME_CHARACTERS` (SM-003), or
    longer than 512 characters (SPEC B1)."""
    bad = st.characters(codec="utf-8", exclude_characters=NAME_CHARACTERS, exclude_categories=["Cs"])
    with_bad = st.builds(
        lambda before, ch, after: before + ch + after,
        st.text(NAME_CHARACTERS, max_size=20),
        bad,
        st.text(NAME_CHARACTERS, max_size=20),
    )
    too_long = st.text(NAME_CHARACTERS, min_size=_LIMITS.max_name + 1, max_size=_LIMITS.max_name + 40)
    return st.one_of(with_bad, too_long)


def _suffixes() -> st.SearchStrategy[str]:
    return st.text(_SUFFIX_CHARACTERS, min_size=arns.SUFFIX_LENGTH, max_size=arns.SUFFIX_LENGTH)


def full_arns(
    names: st.SearchStrategy[str] | None = None,
    *,
    regions: Sequence[str] = _REGIONS,
    account_ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[str]:
    """Full secret ARNs: ``arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>``."""
    accounts = account_ids if account_ids is not None else st.text(string.digits, min_size=12, max_size=12)
    return st.builds(
        arns.secret_arn,
        st.sampled_from(list(regions)),
        accounts,
        names if names is not None else secret_names(),
        _suffixes(),
    )


def partial_arns(
    names: st.SearchStrategy[str] | None = None,
    *,
    regions: Sequence[str] = _REGIONS,
    account_ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[str]:
    """Partial ARNs (a full ARN without its random suffix, SPEC B7). Of a name that itself ends in
    "-" and six characters they don't resolve (SPEC B8); draw ``names`` from
    ``secret_names().filter(...)`` to avoid those."""
    accounts = account_ids if account_ids is not None else st.text(string.digits, min_size=12, max_size=12)
    return st.builds(
        lambda region, account, name: f"arn:aws:secretsmanager:{region}:{account}:secret:{name}",
        st.sampled_from(list(regions)),
        accounts,
        names if names is not None else secret_names(),
    )


# ---- values ---------------------------------------------------------------------------------------
def secret_strings(*, max_size: int = 256) -> st.SearchStrategy[str]:
    """SecretString values: 1 to ``max_size`` characters (the service allows 65,536, SPEC C2)."""
    return st.text(min_size=1, max_size=min(max_size, _LIMITS.max_value_size))


def binary_values(*, max_size: int = 256) -> st.SearchStrategy[bytes]:
    """SecretBinary values: 1 to ``max_size`` bytes (the service allows 65,536, SPEC C2)."""
    return st.binary(min_size=1, max_size=min(max_size, _LIMITS.max_value_size))


# ---- tags and filters ---------------------------------------------------------------------------
def tags(*, max_tags: int = 5) -> st.SearchStrategy[list[dict[str, str]]]:
    """``Tags`` lists: distinct keys of 1-128 characters that don't start with "aws:" (SPEC K1,
    K5), values of 0-256, at most ``max_tags`` (the service allows 50)."""
    key = st.text(_TAG_CHARACTERS, min_size=1, max_size=_LIMITS.max_tag_key).filter(
        lambda k: not k.lower().startswith("aws:")
    )
    value = st.text(_TAG_CHARACTERS, max_size=_LIMITS.max_tag_value)
    pairs = st.dictionaries(key, value, max_size=min(max_tags, _LIMITS.max_tags))
    return pairs.map(lambda d: [{"Key": k, "Value": v} for k, v in d.items()])


def list_secrets_filters(*, max_filters: int = 3) -> st.SearchStrategy[list[dict[str, Any]]]:
    """ListSecrets ``Filters``: up to ``max_filters`` (the service allows 10) of a Key and 1-10
    values of up to 512 characters from the model's pattern (a leading "!" negates)."""
    values = st.lists(st.text(_FILTER_CHARACTERS, max_size=40), min_size=1, max_size=10)
    one = st.fixed_dictionaries({"Key": st.sampled_from(_FILTER_KEYS), "Values": values})
    return st.lists(one, max_size=min(max_filters, 10))


# ---- rotation rules -----------------------------------------------------------------------------
def _valid_rules(rules: Mapping[str, Any]) -> bool:
    try:
        parse_rotation_rules(
            rules.get("AutomaticallyAfterDays"), rules.get("ScheduleExpression"), rules.get("Duration")
        )
    except AwsError:
        return False
    return True


def durations() -> st.SearchStrategy[str]:
    """``Duration`` values the model's pattern allows: "1h" to "24h" (a window ends by the end of
    its UTC day, SPEC H6)."""
    return st.integers(1, 24).map(lambda hours: f"{hours}h")


def schedule_expressions() -> st.SearchStrategy[str]:
    """``ScheduleExpression`` values: ``rate(N days)``, ``rate(N hours)`` (at least 4 hours apart)
    and ``cron()`` expressions firing daily, on days of the month, on weekdays or every few hours,
    each accepted by :func:`~sm_mock.model.schedule.parse_rotation_rules`."""
    hours = st.integers(0, 23)
    rate_days = st.integers(1, 999).map(lambda n: f"rate({n} {'day' if n == 1 else 'days'})")
    rate_hours = st.integers(4, 999 * 24).map(lambda n: f"rate({n} hours)")
    daily = hours.map(lambda h: f"cron(0 {h} * * ? *)")
    monthly = st.tuples(hours, st.lists(st.integers(1, 28), min_size=1, max_size=3, unique=True)).map(
        lambda t: f"cron(0 {t[0]} {','.join(map(str, sorted(t[1])))} * ? *)"
    )
    weekly = st.tuples(hours, st.sampled_from(["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN", "MON-FRI"])).map(
        lambda t: f"cron(0 {t[0]} ? * {t[1]} *)"
    )
    every = st.tuples(st.integers(0, 3), st.integers(4, 12)).map(lambda t: f"cron(0 {t[0]}/{t[1]} * * ? *)")
    expressions = st.one_of(rate_days, rate_hours, daily, monthly, weekly, every)
    return expressions.filter(lambda e: _valid_rules({"ScheduleExpression": e}))


def rotation_rules() -> st.SearchStrategy[dict[str, Any]]:
    """``RotationRules`` RotateSecret accepts: AutomaticallyAfterDays (1-1000) or a
    ScheduleExpression, with or without a Duration that fits the schedule (SPEC H2-H6)."""
    days = st.fixed_dictionaries({"AutomaticallyAfterDays": st.integers(1, 1000)})
    expression = st.fixed_dictionaries({"ScheduleExpression": schedule_expressions()})
    base = st.one_of(days, expression)
    with_duration = st.tuples(base, st.one_of(st.none(), durations())).map(
        lambda t: {**t[0], "Duration": t[1]} if t[1] is not None else t[0]
    )
    return with_duration.filter(_valid_rules)


# ---- secrets with a history, ready in a mock ----------------------------------------------------
@dataclass(frozen=True)
class CreatedSecret:
    """A secret :meth:`SecretHistory.create` made: its ARN and which version holds which label."""

    arn: str
    name: str
    #: Version ids, oldest first.
    version_ids: list[str]
    #: Label → version id, as ``VersionIdsToStages`` would show it inverted.
    labels: dict[str, str]


@dataclass(frozen=True)
class SecretHistory:
    """A secret to create through a client: a name, values written one after another (each becomes
    AWSCURRENT; the one before it AWSPREVIOUS), and custom labels put on some versions."""

    name: str
    values: list[str | bytes]
    #: Custom label → index into :attr:`values` of the version that carries it.
    custom_labels: dict[str, int] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)

    def create(self, client: Any) -> CreatedSecret:
        """Create it with ``client`` (a boto3 ``secretsmanager`` client inside an active mock)."""

        def value(v: str | bytes) -> dict[str, Any]:
            return {"SecretBinary": v} if isinstance(v, bytes) else {"SecretString": v}

        first, *rest = self.values
        extra = {"Tags": self.tags} if self.tags else {}
        answer = client.create_secret(Name=self.name, **value(first), **extra)
        ids = [answer["VersionId"]]
        for item in rest:
            ids.append(client.put_secret_value(SecretId=answer["ARN"], **value(item))["VersionId"])
        for label, index in self.custom_labels.items():
            client.update_secret_version_stage(SecretId=answer["ARN"], VersionStage=label, MoveToVersionId=ids[index])
        stages = client.describe_secret(SecretId=answer["ARN"])["VersionIdsToStages"]
        labels = {label: version for version, names in stages.items() for label in names}
        return CreatedSecret(answer["ARN"], answer["Name"], ids, labels)


def secret_histories(*, max_versions: int = 5, binary: bool | None = None) -> st.SearchStrategy[SecretHistory]:
    """Secrets with 1 to ``max_versions`` values and up to three custom labels, to
    :meth:`~SecretHistory.create` in a mock. ``binary``: only binary values (True), only strings
    (False), or either, one kind per secret (None)."""
    kinds = [False, True] if binary is None else [binary]
    label = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=20).filter(
        lambda text: not text.startswith("AWS")
    )

    @st.composite
    def build(draw: Any) -> SecretHistory:
        is_binary = draw(st.sampled_from(kinds))
        values_strategy: Any = binary_values(max_size=64) if is_binary else secret_strings(max_size=64)
        values = draw(st.lists(values_strategy, min_size=1, max_size=max_versions, unique=True))
        labels = draw(st.dictionaries(label, st.integers(0, len(values) - 1), max_size=3))
        return SecretHistory(draw(secret_names(max_size=40)), values, labels, draw(tags(max_tags=3)))

    return build()
