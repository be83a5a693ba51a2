"""Starting and stopping a server in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import metadata

from ..clock import Clock
from ..session import Session
from .control import Controls
from .http import HttpServer

__all__ = ["Server", "start"]


class Server:
    """A running server: its ``url``, and :meth:`stop`."""

    def __init__(self, http: HttpServer, thread: threading.Thread) -> None:
        self._http = http
        self._thread = thread
        host, port = str(http.server_address[0]), int(http.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        #: ``http://HOST:PORT``, the endpoint URL to give clients.
        self.url = f"http://{shown}:{port}"
        #: The port it listens on (the one chosen when it was started with port 0).
        self.port = int(port)

    def __repr__(self) -> str:
        return f"Server({self.url})"

    def stop(self) -> None:
        """Stop accepting, end open connections and wait for the accept loop (idempotent)."""
        if not self._thread.is_alive():
            return
        self._http.shutdown()
        self._http.close_connections()
        self._http.server_close()
        self._thread.join()


def _version() -> str:
    try:
        return metadata.version("sm-mock")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def start(session: Callable[[], Session], clock: Clock, *, host: str = "127.0.0.1", port: int = 0) -> Server:
    """Serve ``session()`` over HTTP on ``host:port`` (0: a free port) from a background thread.

    ``session`` is called per request, so the server follows the state it is bound to;
    ``clock`` is the one ``POST /_sm_mock/time`` moves (when it can be moved).
    """
    http = HttpServer((host, port), Controls(session, clock, _version()))
    thread = threading.Thread(
        target=http.serve_forever, kwargs={"poll_interval": 0.05}, name="sm_mock-server", daemon=True
    )
    thread.start()
    return Server(http, thread)
