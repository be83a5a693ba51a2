"""``python -m benchmarks``: every figure of issue 8 (see :mod:`benchmarks.run`)."""

from __future__ import annotations

from .run import main

raise SystemExit(main())
