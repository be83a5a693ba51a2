"""Repository-level pytest setup: Hypothesis profiles and pytester."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The plugin is loaded here rather than through its pytest11 entry point (disabled with
# `-p no:sm_mock` in addopts) so that pytest-cov is already measuring when sm_mock is imported;
# otherwise every import-time line would count as missed.
pytest_plugins = ["pytester", "sm_mock.pytest_plugin"]

# "quick" for local runs, "ci" (thorough) when CI=true; override with HYPOTHESIS_PROFILE.
settings.register_profile("quick", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "quick"))
