"""One small function per API operation, grouped by area; see :mod:`.base` for the registry."""

from __future__ import annotations

import importlib
import pkgutil

from .base import OPERATIONS, RequestContext, operation

__all__ = ["OPERATIONS", "RequestContext", "load_all", "operation"]


def load_all() -> None:
    """Import every operations module so their handlers register themselves."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
