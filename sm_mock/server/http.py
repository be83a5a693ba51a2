"""The threaded HTTP/1.1 server: one thread per connection, keep-alive, stdlib only.

Each Secrets Manager request goes through :func:`sm_mock.pipeline.serve`, as an in-process
request does, so faults, quotas, the call log, rotation functions and the clock all apply.
Client input never makes it print a traceback: bad HTTP is answered with an AWS-style JSON
4xx and the server keeps serving; an injected network failure closes the connection without
an answer, as a lost connection looks to the client.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import socketserver
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .. import choices
from ..admission import TransportFailure
from ..errors import AwsError
from ..pipeline import _bug_trace, serve
from ..protocol import encode_error
from .control import PREFIX, Controls, handle
from .wire import CONTENT_TYPE, attempt_of, credential_scope, new_request_id, operation_of

__all__ = ["Handler", "HttpServer"]

logger = logging.getLogger("sm_mock.server")

#: How long an idle keep-alive connection is kept open (seconds).
IDLE_TIMEOUT = 120.0
#: The longest request line or header line read, and the most header lines (http.client's limits).
_MAX_LINE = 65536
_MAX_HEADERS = 100


class HttpServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its controls and the connections it holds open."""

    daemon_threads = True
    # SDK connection pools open many connections at once; the default backlog of 5 refuses some.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], controls: Controls) -> None:
        self.controls = controls
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (socket.getfqdn), which can wait
        # seconds on a resolver; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints a traceback to stderr; a client that drops its connection is no
        # reason to, and the handler answers everything else itself.
        logger.debug("sm_mock server: connection from %s ended with an error", client_address, exc_info=True)

    def close_connections(self) -> None:
        """Wake and end every open connection (threads blocked reading a keep-alive socket)."""
        with self.connections_lock:
            held = list(self.connections)
        for connection in held:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    """One connection: Secrets Manager requests on any path, the control API under /_sm_mock/."""

    server: HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "sm_mock"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True
    #: The request's header fields, names in lower case (set by :meth:`handle_one_request`).
    fields: dict[str, str]

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    # ---- answers ------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, *, close: bool = False) -> None:
        """The whole answer in one write (no Nagle delay between headers and body)."""
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            f"x-amzn-RequestId: {new_request_id()}\r\n"
            f"Content-Type: {CONTENT_TYPE}\r\n"
            f"Content-Length: {len(body)}\r\n"
        )
        if close:
            head += "Connection: close\r\n"
            self.close_connection = True
        # A HEAD answer has the headers of the GET answer and no body.
        self.wfile.write(head.encode("latin-1") + b"\r\n" + (b"" if self.command == "HEAD" else body))
        self.wfile.flush()

    def _error(self, error: AwsError, *, close: bool = False) -> None:
        self._send(error.status, encode_error(error), close=close)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """BaseHTTPRequestHandler's answer to unparseable HTTP (a bad request line, too many
        headers, ...): an AWS-style JSON error instead of an HTML page, and the connection closes."""
        phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error"
        text = f"{message or phrase}. Send an HTTP/1.1 POST with X-Amz-Target: secretsmanager.<Operation>."
        status = code if 400 <= code < 500 else 400
        self._error(
            AwsError("BadRequestException" if status == 400 else phrase.replace(" ", ""), text, status), close=True
        )

    # ---- reading a request ----------------------------------------------------------------
    def handle_one_request(self) -> None:
        """Read one request (line, headers, body) and answer it.

        BaseHTTPRequestHandler's own reading parses headers with the email package, about
        90 µs per request (measured), more than the whole pipeline; HTTP/1.1 headers need no
        more than a split per line, into :attr:`fields` (names in lower case).
        """
        self.command = ""
        try:
            self._read_request()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _read_request(self) -> None:
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line:
            self.close_connection = True
            return
        if len(line) > _MAX_LINE:
            self.send_error(414, "The request line is too long")
            return
        self.raw_requestline = line
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            self.send_error(400, f"Bad request line {line[:100]!r}")
            return
        self.command, self.path, self.request_version = parts
        fields: dict[str, str] = {}
        for _ in range(_MAX_HEADERS + 1):
            header = self.rfile.readline(_MAX_LINE + 1)
            if header in (b"\r\n", b"\n", b""):
                break
            name, colon, value = header.decode("latin-1").partition(":")
            if len(header) > _MAX_LINE or not colon or not name.strip():
                self.send_error(400 if len(header) <= _MAX_LINE else 431, f"Bad header line {header[:100]!r}")
                return
            fields[name.strip().lower()] = value.strip()
        else:
            self.send_error(431, f"More than {_MAX_HEADERS} headers")
            return
        self.fields = fields
        connection = fields.get("connection", "").lower()
        self.close_connection = connection == "close" or (
            self.request_version == "HTTP/1.0" and connection != "keep-alive"
        )
        self._dispatch(self.command)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sm_mock server: " + format, *args)

    # ---- requests -----------------------------------------------------------------------
    def _body(self) -> bytes | None:
        """The request body, or None when it was answered already (too large, malformed length)."""
        if "chunked" in self.fields.get("transfer-encoding", "").lower():
            self._error(
                AwsError(
                    "LengthRequiredException",
                    "Send the request body with a Content-Length header (chunked transfer encoding is not read).",
                    status=411,
                ),
                close=True,
            )
            return None
        length_header = self.fields.get("content-length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError
        except ValueError:
            self._error(
                AwsError("BadRequestException", f"Content-Length {length_header!r} is not a number of bytes."),
                close=True,
            )
            return None
        if length > choices.SERVER_MAX_BODY_BYTES:
            # The body is not read: the connection closes after the answer.
            self._error(
                AwsError(
                    choices.SERVER_BODY_TOO_LARGE_CODE,
                    f"The request body is {length} bytes; the largest accepted is "
                    f"{choices.SERVER_MAX_BODY_BYTES} (no valid Secrets Manager request comes close).",
                    status=413,
                ),
                close=True,
            )
            return None
        if length and self.fields.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client went away mid-body
            self.close_connection = True
            return None
        return body

    def _dispatch(self, method: str) -> None:
        try:
            body = self._body()
            if body is None:
                return
            if self.path.startswith(PREFIX) or self.path.rstrip("/") == PREFIX.rstrip("/"):
                status, answer = handle(self.server.controls, method, self.path, body)
                self._send(status, json.dumps(answer, default=str).encode())
                return
            if method != "POST":
                self._error(
                    AwsError(
                        choices.SERVER_PROTOCOL_CODE,
                        f"Secrets Manager answers POST requests with X-Amz-Target: secretsmanager.<Operation>; "
                        f"this was {method} {self.path}. The server's own endpoints are under {PREFIX} "
                        f"(e.g. GET {PREFIX}health).",
                    )
                )
                return
            self._service(body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as bug:  # a bug in sm_mock: answer it, keep serving, never print a traceback
            # Type and stack only: an exception's message can quote a secret value.
            logger.error("sm_mock server: internal error while answering %s: %s", method, _bug_trace(bug))
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._error(
                    AwsError(
                        "InternalServiceError",
                        "sm_mock's server failed internally. This is a bug in sm_mock: please report it "
                        "with the request that triggered it.",
                        status=500,
                    ),
                    close=True,
                )

    def _service(self, body: bytes) -> None:
        headers = self.fields
        try:
            operation = operation_of(headers.get("x-amz-target"), headers.get("content-type"))
        except AwsError as error:
            self._error(error)
            return
        session = self.server.controls.session()
        try:
            region, access_key = credential_scope(headers.get("authorization"))
        except AwsError as error:
            self._error(error)
            return
        try:
            status, answer = serve(
                session,
                operation,
                body,
                region or session.region,
                session.account_for(access_key),
                attempt_of(headers.get("amz-sdk-request")),
            )
        except TransportFailure:
            # An injected network failure: the connection ends with no answer; the client sees
            # a dropped connection and retries as it would against AWS.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(status, answer)
