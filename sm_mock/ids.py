"""Random identifiers: ARN suffixes, version ids, request ids.

With a ``seed`` they are reproducible (``random.Random(seed)``); without one they come from
the operating system's CSPRNG. Key material and nonces never come from here: they always use
``os.urandom`` so a seed can never weaken the encryption (see :mod:`sm_mock.crypto`).
"""

from __future__ import annotations

import random
import secrets
import string
import uuid

__all__ = ["SUFFIX_ALPHABET", "IdSource"]

#: SPEC B5: the seed examples (a1b2c3, nutBrk, 5yKnKS) show mixed-case letters and digits.
SUFFIX_ALPHABET = string.ascii_letters + string.digits
_SUFFIX_SPACE = 62**6


class IdSource:
    """Draws ARN suffixes and UUIDs, deterministically when seeded."""

    __slots__ = ("_rng", "seed")

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._rng: random.Random = random.Random(seed) if seed is not None else secrets.SystemRandom()

    def derived(self, purpose: str) -> IdSource:
        """Another source for ``purpose``, seeded from this one's seed (unseeded: random), so
        drawing from it leaves this one's sequence as it was."""
        derived = IdSource()
        if self.seed is not None:
            derived.seed = self.seed
            derived._rng = random.Random(f"{purpose}:{self.seed}")
        return derived

    @property
    def rng(self) -> random.Random:
        """The underlying generator (seeded or system), for other deterministic draws."""
        return self._rng

    def suffix(self) -> str:
        """The 6-character random ARN suffix (SPEC B5)."""
        # One 48-bit draw (one os.urandom call unseeded) instead of six choices: 2**48 is
        # ~4,950 times 62**6, so the modulo bias is negligible for identifiers.
        n = self._rng.getrandbits(48) % _SUFFIX_SPACE
        chars = []
        for _ in range(6):
            n, digit = divmod(n, 62)
            chars.append(SUFFIX_ALPHABET[digit])
        return "".join(chars)

    def uuid(self) -> str:
        """A version-4 UUID string."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def __repr__(self) -> str:
        return f"IdSource(seed={self.seed!r})"
