"""Benchmarks for sm_mock: speed is measured, not asserted. One command, ``python -m benchmarks``,
times sm_mock side by side with botocore alone (and moto) and prints ratios; see README.md."""
