"""What sm_mock hands back to botocore: request ids, HTTP answers and transport errors."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

from botocore import exceptions
from botocore.awsrequest import AWSResponse

__all__ = ["CONTENT_TYPE", "aio_response", "http_response", "new_request_id", "transport_error"]

#: The content type of every JSON 1.1 answer.
CONTENT_TYPE = "application/x-amz-json-1.1"


class _Body:
    """The ``raw`` stream of an AWSResponse: yields the body once."""

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body

    async def read(self, amt: int | None = None) -> bytes:
        """aiobotocore's read of the body (``AioAWSResponse.content`` awaits it)."""
        return self._body


#: Request ids are shaped like AWS's (a version-4 UUID): a random prefix drawn once per process
#: and a counter in the last group. ``str(uuid.uuid4())`` per request cost about 2.5 µs, a
#: sizeable part of sm_mock's own work on a point call (profiled); ids only need to be unique.
_REQUEST_ID_PREFIX = str(uuid.uuid4())[:24]
_request_numbers = itertools.count(1)


def new_request_id() -> str:
    """A fresh ``x-amzn-RequestId``: unique in the process, UUID-shaped, as AWS sends."""
    return f"{_REQUEST_ID_PREFIX}{next(_request_numbers):012x}"


def _headers(body: bytes) -> dict[str, str]:
    return {
        "x-amzn-RequestId": new_request_id(),
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
    }


def http_response(url: str, status: int, body: bytes) -> AWSResponse:
    """The HTTP answer botocore parses, as Secrets Manager sends it."""
    return AWSResponse(url, status, _headers(body), _Body(body))


_AIO_RESPONSE: Any = None


def aio_response(url: str, status: int, body: bytes) -> AWSResponse:
    """The same answer for an aiobotocore client: an ``AioAWSResponse``, whose ``content`` its
    endpoint awaits (a plain AWSResponse's bytes cannot be awaited)."""
    global _AIO_RESPONSE
    if _AIO_RESPONSE is None:
        from aiobotocore.awsrequest import AioAWSResponse

        _AIO_RESPONSE = AioAWSResponse
    response: AWSResponse = _AIO_RESPONSE(url, status, _headers(body), _Body(body))
    return response


_TRANSPORT_ERRORS: dict[str, Any] = {
    "ConnectionError": exceptions.EndpointConnectionError,
    "ConnectTimeout": exceptions.ConnectTimeoutError,
    "ReadTimeout": exceptions.ReadTimeoutError,
    "ConnectionClosed": exceptions.ConnectionClosedError,
}


def transport_error(kind: str, url: str) -> Exception:
    """botocore's own exception for an injected network failure of ``kind`` (admission), so
    its retry handlers (legacy and standard) treat it as a real transport error."""
    error: Exception = _TRANSPORT_ERRORS[kind](endpoint_url=url)
    return error
