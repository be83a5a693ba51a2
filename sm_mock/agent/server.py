"""The endpoint's HTTP server: stdlib ``ThreadingHTTPServer`` on 127.0.0.1, in a daemon thread.

:class:`BackgroundServer` is the generic part (start a ``ThreadingHTTPServer`` in a daemon
thread, stop it and wait); :class:`AgentHandler` hands each request, whatever its method, to
the endpoint's :class:`~sm_mock.agent.app.App`.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..errors import SmMockError
from .app import App

__all__ = ["HOST", "AgentHandler", "BackgroundServer"]

#: The Agent listens on the loopback interface only, and so does sm_mock.
HOST = "127.0.0.1"
#: The largest request body read and thrown away before answering (the Agent's buffer,
#: constants.rs MAX_BUF_BYTES); a larger one closes the connection after the answer.
_MAX_DRAIN = (65 + 256) * 1024


class BackgroundServer:
    """A ``ThreadingHTTPServer`` serving in a daemon thread until :meth:`stop`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int, *, name: str, host: str = HOST) -> None:
        try:
            server = ThreadingHTTPServer((host, port), handler)
        except OSError as error:
            raise SmMockError(
                f"sm_mock could not listen on {host}:{port} ({error.strerror or error}). Another process "
                "may hold the port: pass port=0 for a free one, or stop the other process."
            ) from None
        server.daemon_threads = True  # a request in flight never holds up the test run's exit
        self.server = server
        self.host = host
        self.port: int = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        self._thread.start()

    def __repr__(self) -> str:
        state = "serving" if self.running else "stopped"
        return f"BackgroundServer({self.host}:{self.port}, {state})"

    @property
    def running(self) -> bool:
        """True until :meth:`stop`."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop accepting, wait for the serving loop to end, close the socket (idempotent)."""
        if self._thread.is_alive():
            self.server.shutdown()
            self._thread.join()
        self.server.server_close()


class AgentHandler(BaseHTTPRequestHandler):
    """Answers every method through the endpoint's App (the Agent checks the token before the
    method, so a POST without a token is a 403, with one a 405)."""

    protocol_version = "HTTP/1.1"  # keep-alive, as hyper serves
    #: A request line that does not parse is answered with a status line too (hyper's 400),
    #: not as HTTP/0.9, and without http.server's HTML page.
    default_request_version = "HTTP/1.1"
    error_message_format = ""
    #: Headers and body leave in one write (http.server flushes after each request), and
    #: without Nagle's wait: a keep-alive client's delayed ACK otherwise costs 40 ms a read.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server_version = "sm_mock-agent"
    sys_version = ""
    app: App  # set on the subclass made per endpoint

    def __getattr__(self, name: str) -> Any:
        # http.server dispatches to do_<METHOD>; every method takes the same path here.
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def _answer(self) -> None:
        self._drain()
        status, body = self.app.respond(self.command, self.path, self.headers)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _drain(self) -> None:
        """Read a request body nobody asked for, so the next request on the connection parses."""
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True
        elif length is not None:
            size = int(length) if length.strip().isdigit() else -1
            if 0 <= size <= _MAX_DRAIN:
                self.rfile.read(size)
            else:
                self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a test run's output is not the place for an access log."""
