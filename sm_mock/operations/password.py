"""GetRandomPassword (SPEC §O)."""

from __future__ import annotations

from typing import Any

from ..model.password import generate_password
from .base import RequestContext, operation

__all__: list[str] = []


@operation("GetRandomPassword")
def get_random_password(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """A random password from the mock's generator (reproducible under ``seed``)."""
    password = generate_password(
        ctx.password_rng,
        length=p.get("PasswordLength", 32),
        exclude_characters=p.get("ExcludeCharacters", ""),
        exclude_numbers=p.get("ExcludeNumbers", False),
        exclude_punctuation=p.get("ExcludePunctuation", False),
        exclude_uppercase=p.get("ExcludeUppercase", False),
        exclude_lowercase=p.get("ExcludeLowercase", False),
        include_space=p.get("IncludeSpace", False),
        require_each_included_type=p.get("RequireEachIncludedType", True),
    )
    return {"RandomPassword": password}
