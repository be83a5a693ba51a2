"""GetRandomPassword: build a password from character pools (SPEC O1–O6, row SM-130).

Pure and stateless (SPEC O6): all randomness comes from the ``rng`` argument, so the caller
decides between a cryptographic source (``secrets.SystemRandom()``) and a seeded
``random.Random(seed)`` that gives the same password for the same seed and options.

Decisions on AMBIGUOUS points (every one is an ``InvalidParameterException``, SPEC O1/O4/O5):

* Space is never a *required* type, even with ``IncludeSpace`` (SPEC O4, recommendation): it
  only joins the alphabet, so a password may or may not contain one.
* A pool emptied by ``ExcludeCharacters`` (e.g. all ten digits excluded) drops out quietly and is
  not required; only when no character at all is left does the call fail (SPEC O5).
* ``RequireEachIncludedType`` with a length shorter than the number of required pools fails
  (SPEC O4) rather than silently giving up a type.
"""

from __future__ import annotations

import random
import string

from sm_mock.errors import invalid_parameter

__all__ = [
    "DEFAULT_PASSWORD_LENGTH",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "PUNCTUATION",
    "generate_password",
]

#: SPEC O2: exactly the 32 ASCII punctuation characters ``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``.
PUNCTUATION: str = string.punctuation
#: SPEC O1 ([MODEL] PasswordLengthType and the GetRandomPassword default).
MIN_PASSWORD_LENGTH = 1
MAX_PASSWORD_LENGTH = 4096
DEFAULT_PASSWORD_LENGTH = 32


def generate_password(
    rng: random.Random,
    *,
    length: int = DEFAULT_PASSWORD_LENGTH,
    exclude_characters: str = "",
    exclude_numbers: bool = False,
    exclude_punctuation: bool = False,
    exclude_uppercase: bool = False,
    exclude_lowercase: bool = False,
    include_space: bool = False,
    require_each_included_type: bool = True,
) -> str:
    """A random password of exactly ``length`` characters, drawn with ``rng``.

    The alphabet is the union of the pools lowercase, uppercase, digits and punctuation (each
    unless excluded), plus space when ``include_space``; ``exclude_characters`` removes single
    characters from every pool (SPEC O2, O3). With ``require_each_included_type`` (the default,
    SPEC O4) the password holds at least one character of every non-empty pool except space, at
    random positions. Raises ``AwsError`` (``InvalidParameterException``) for a length outside
    1–4096, for options that leave no character, and for a length too short for the required
    types; each message says what to change.
    """
    if not MIN_PASSWORD_LENGTH <= length <= MAX_PASSWORD_LENGTH:
        raise invalid_parameter(
            f"PasswordLength {length} is out of range. Choose a PasswordLength from "
            f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} (the default is "
            f"{DEFAULT_PASSWORD_LENGTH})."
        )
    excluded = set(exclude_characters)
    # (description, pool, required): the order is fixed so a seeded rng is reproducible.
    candidates: list[tuple[str, str, bool]] = []
    if not exclude_lowercase:
        candidates.append(("lowercase letters", string.ascii_lowercase, True))
    if not exclude_uppercase:
        candidates.append(("uppercase letters", string.ascii_uppercase, True))
    if not exclude_numbers:
        candidates.append(("numbers", string.digits, True))
    if not exclude_punctuation:
        candidates.append(("punctuation", PUNCTUATION, True))
    if include_space:
        candidates.append(("space", " ", False))  # SPEC O4: space is never a required type

    pools = [
        (label, "".join(ch for ch in pool if ch not in excluded), required) for label, pool, required in candidates
    ]
    pools = [(label, pool, required) for label, pool, required in pools if pool]
    alphabet = "".join(pool for _, pool, _ in pools)
    if not alphabet:
        raise invalid_parameter(
            "The password options leave no characters to choose from: every character type is "
            "excluded or all its characters are in ExcludeCharacters. Allow at least one type "
            "(ExcludeLowercase, ExcludeUppercase, ExcludeNumbers, ExcludePunctuation set to false, "
            "or IncludeSpace true) and remove some characters from ExcludeCharacters."
        )

    required_pools = (
        [(label, pool) for label, pool, required in pools if required] if require_each_included_type else []
    )
    if length < len(required_pools):
        labels = ", ".join(label for label, _ in required_pools)
        raise invalid_parameter(
            f"PasswordLength {length} is too short to include each of the "
            f"{len(required_pools)} included character types ({labels}). Use a PasswordLength of "
            f"at least {len(required_pools)}, exclude some character types, or set "
            "RequireEachIncludedType to false."
        )

    # rng.choice draws without modulo bias (randbelow), also from SystemRandom.
    chars = [rng.choice(pool) for _, pool in required_pools]
    chars.extend(rng.choice(alphabet) for _ in range(length - len(chars)))
    # The required characters must not sit at fixed positions (brief; SPEC O4).
    rng.shuffle(chars)
    return "".join(chars)
