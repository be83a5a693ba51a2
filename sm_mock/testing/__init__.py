"""Test your rotation function: ``check_rotation_function`` (needs Hypothesis).

>>> from sm_mock.testing import check_rotation_function   # doctest: +SKIP
>>> check_rotation_function(lambda_handler, accept=database.accepts)   # doctest: +SKIP

The package has one job per module: :mod:`.plan` (the disturbances, as Hypothesis strategies),
:mod:`.driver` (one example in a fresh mock), :mod:`.invariants` (the checks),
:mod:`.snapshot` and :mod:`.story` (the failure message), :mod:`.checker` (Hypothesis's loop).
``import sm_mock`` never imports it, so Hypothesis stays optional.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "sm_mock.testing needs Hypothesis: pip install 'sm-mock[hypothesis]' (or pip install hypothesis)"
    ) from error

from .checker import DEFAULT_SECRET_STRING, check_rotation_function

__all__ = ["DEFAULT_SECRET_STRING", "check_rotation_function"]
