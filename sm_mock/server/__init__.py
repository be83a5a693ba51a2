"""Server mode: a mock's state served over HTTP, for other processes and other languages.

``SecretsManagerMock.serve()`` starts one bound to a mock (stopped with it); ``python -m sm_mock
serve`` runs one on its own. Modules: :mod:`.wire` (what a request names: operation, region,
account), :mod:`.control` (the ``/_sm_mock/`` API), :mod:`.http` (the threaded HTTP/1.1
server), :mod:`.lifecycle` (start and stop).
"""

from __future__ import annotations

from .lifecycle import Server, start

__all__ = ["Server", "start"]
