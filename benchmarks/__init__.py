"""Benchmarks for sm_mock: speed is measured, not asserted.

Each script (``python -m benchmarks.<name>``) times sm_mock side by side with a reference in
one process run and prints ratios; unit tests never carry wall-clock limits. Shared
machinery (interleaved timing, the canned "botocore floor" client, seeding, tables, JSON
records) lives in :mod:`benchmarks.common`. See ``benchmarks/README.md``.
"""
