"""ListSecrets and BatchGetSecretValue.

Both read a page from the caller's region store through its listing index
(:mod:`sm_mock.model.index`), so a page costs O(page + log n) whatever the number of secrets.
Filters follow :mod:`sm_mock.model.filters` (SPEC L3–L8, rows SM-110 … SM-121).

A NextToken is opaque to the caller; inside it is the key of the last secret returned (sort
value + creation sequence number) and the SortBy / SortOrder it belongs to. The next page
starts strictly after that key, so secrets created or deleted between pages never cause a
secret that existed throughout to be repeated or skipped. (A secret whose own sort value changes
between pages, e.g. its LastChangedDate under ``SortBy=last-changed-date``, moves in the order
and may be seen twice or not at all, as on any service that sorts by a live value.)

The mock is immediately consistent: a listing reflects every earlier write (SPEC L12 notes that
AWS may lag by up to five minutes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .. import choices
from ..errors import AwsError, invalid_parameter
from ..model.filters import SecretFilter, compile_filters
from ..model.index import SORT_KEYS, Page
from ..model.secret import Secret
from ..model.sorted import Key
from .base import RequestContext, operation
from .entries import list_entries
from .paging import decode_token, encode_token, invalid_token
from .values import value_answer

T = TypeVar("T")

__all__ = ["batch_get_secret_value", "list_secrets", "read_page"]

_DEFAULT_SORT = "created-date"  # [MODEL] ListSecrets.SortBy: "If not specified, ... CreatedDate"


def _filters(raw: list[dict[str, Any]] | None) -> SecretFilter:
    """Compile the request's ``Filters`` (keys and values already checked against the model).

    The result's ``name_prefixes`` describe it exactly when :func:`_only_name_prefixes` holds.
    """
    pairs: list[tuple[str, list[str]]] = []
    for position, item in enumerate(raw or (), 1):
        key = item.get("Key")
        if key is None:
            raise invalid_parameter(
                f"Filter {position} has no Key. Give each filter a Key (one of description, name, "
                "tag-key, tag-value, primary-region, owning-service, all) and 1 to 10 Values."
            )
        pairs.append((key, item.get("Values") or []))
    return compile_filters(pairs)


def _only_name_prefixes(raw: list[dict[str, Any]] | None) -> bool:
    """True for exactly one ``name`` filter with only plain values: then a secret matches if and
    only if its name starts with one of the values (SPEC L4), which the name index answers."""
    if not raw or len(raw) != 1 or raw[0].get("Key") != "name":
        return False
    return not any(value.startswith("!") for value in raw[0].get("Values") or ())


def read_page(
    ctx: RequestContext,
    kind: str,
    params: dict[str, Any],
    read: Callable[[list[Secret]], T],
    *,
    flt: SecretFilter,
    sort_by: str,
    order: str,
    include_planned: bool,
    limit: int,
    prefixes_exact: bool = False,
) -> tuple[T, str | None]:
    """``read`` of one page of the caller's secrets, and the NextToken for the next page (None:
    last page). ``read`` runs while the page is consistent (under the store's lock).

    ``kind`` names the operation the token belongs to (a ListSecrets token is refused by
    BatchGetSecretValue and the other way round).
    """
    sort = SORT_KEYS[sort_by]
    after: Key | None = None
    token = params.get("NextToken")
    if token is not None:
        state = decode_token(kind, token)
        if state.get("s") != sort_by or state.get("o") != order:
            raise invalid_token(
                f"This NextToken belongs to a listing with SortBy={state.get('s')!r} and "
                f"SortOrder={state.get('o')!r}. Pass the same SortBy and SortOrder as the request "
                "that returned it, or start again without NextToken."
            )
        after = sort.from_wire(state.get("a"))
        if after is None:
            raise invalid_token()

    def read_entries(page: Page) -> tuple[T, str | None]:
        next_token = None
        if page.more:
            last = page.entries[-1][0]
            next_token = encode_token(kind, {"s": sort_by, "o": order, "a": sort.to_wire(last)})
        return read([secret for _, secret in page.entries]), next_token

    return ctx.service.list_page(
        ctx,
        sort_by=sort_by,
        descending=order == "desc",
        include_planned=include_planned,
        flt=flt,
        after=after,
        limit=limit,
        prefixes_exact=prefixes_exact,
        read=read_entries,
    )


@operation("ListSecrets")
def list_secrets(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """A page of the caller's secrets in this region (SPEC L1–L11), metadata only."""
    store, now = ctx.service.backend.store(ctx.account_id, ctx.region), ctx.now

    def render(secrets: list[Secret]) -> list[dict[str, Any]]:
        # SM-109: the list entry names the stage map SecretVersionsToStages; never a value.
        return list_entries(store, secrets, now)

    entries, token = read_page(
        ctx,
        "ListSecrets",
        p,
        render,
        flt=_filters(p.get("Filters")),
        sort_by=p.get("SortBy") or _DEFAULT_SORT,
        order=p.get("SortOrder") or choices.LIST_SORT_ORDER,
        include_planned=bool(p.get("IncludePlannedDeletion")),
        limit=p.get("MaxResults") or choices.LIST_PAGE_SIZE,
        prefixes_exact=_only_name_prefixes(p.get("Filters")),
    )
    out: dict[str, Any] = {"SecretList": entries}
    if token is not None:
        out["NextToken"] = token
    return out


# ---- BatchGetSecretValue ---------------------------------------------------------------------
def _error(secret_id: str, error: AwsError) -> dict[str, str]:
    return {"SecretId": secret_id, "ErrorCode": error.code, "Message": error.message}


@operation("BatchGetSecretValue")
def batch_get_secret_value(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """The current values of up to 20 secrets named by id, or of a page of filtered secrets.

    Failures on single secrets go to ``Errors`` while the rest succeed (SPEC N3); every value
    returned stamps LastAccessedDate as GetSecretValue does (SPEC N6).
    """
    ids = p.get("SecretIdList")
    filters = p.get("Filters")
    if (ids is None) == (filters is None):
        # SM-051 (the same text when neither is given: it names both options).
        raise invalid_parameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
    values: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    if ids is not None:
        for name in ("MaxResults", "NextToken"):
            if name in p:
                # SM-052 (and its NextToken twin: both page through Filters results only).
                raise invalid_parameter(
                    f"'Filters' not specified. 'Filters' must also be specified when '{name}' is provided."
                )
        for secret_id in ids:
            try:
                # What GetSecretValue with only a SecretId answers (SPEC N2: AWSCURRENT).
                values.append(value_answer(*ctx.service.get_secret_value(ctx, secret_id, None, None)))
            except AwsError as error:
                if error.code == "ResourceNotFoundException" and not choices.BATCH_MISSING_IN_ERRORS:
                    raise
                errors.append(_error(secret_id, error))  # SM-056, SM-057
        return {"SecretValues": values, "Errors": errors}

    def read_values(secrets: list[Secret]) -> None:
        for secret in secrets:
            try:
                values.append(value_answer(*ctx.service.read_current(ctx, secret)))
            except AwsError as error:
                ident = secret.arn if choices.BATCH_FILTER_ERROR_SECRET_ID == "ARN" else secret.name
                errors.append(_error(ident, error))

    _, token = read_page(
        ctx,
        "BatchGetSecretValue",
        p,
        read_values,
        flt=_filters(filters),
        sort_by=_DEFAULT_SORT,
        order=choices.LIST_SORT_ORDER,
        include_planned=choices.BATCH_FILTERS_INCLUDE_PLANNED_DELETION,
        limit=p.get("MaxResults") or choices.BATCH_PAGE_SIZE,
        prefixes_exact=_only_name_prefixes(filters),
    )
    out: dict[str, Any] = {"SecretValues": values, "Errors": errors}
    if token is not None:
        out["NextToken"] = token
    return out
