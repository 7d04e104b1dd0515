"""A lean HTTP/1.1 transport for the generator: plain HTTP, keep-alive.

Under an open model the generator's own CPU is part of the measurement: a
send that waits for the event loop is late. httpx's default transport
(httpcore on anyio) costs about 3.5 ms of CPU per request on a small shared
machine, most of it in layers a load generator does not need; this one,
on asyncio streams, about 1.4 ms. It speaks only what a hub answers over
plain HTTP: Content-Length or chunked bodies, keep-alive, `Connection:
close`. Anything else (https) should use httpx's own transport.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress

import httpx

_NO_BODY = (204, 304)
_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class LeanTransport(httpx.AsyncBaseTransport):
    def __init__(self, max_connections: int = 64) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._slots = asyncio.Semaphore(max_connections)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "http":
            raise httpx.UnsupportedProtocol(f"{type(self).__name__} speaks plain http only")
        timeouts = request.extensions.get("timeout", {})
        body = await request.aread()
        head = _head(request, body)
        address = (request.url.host, request.url.port or 80)
        async with self._slots:
            reused = self._take_idle(address)
            if reused is not None:
                try:
                    return await self._exchange(request, reused, head, timeouts, address)
                except _StaleConnection:
                    pass  # the hub closed it while it sat idle: nothing was read, send afresh
            connection = await _connect(address, timeouts.get("connect"), request)
            try:
                return await self._exchange(request, connection, head, timeouts, address)
            except _StaleConnection as exc:
                raise httpx.RemoteProtocolError("no response", request=request) from exc

    def _take_idle(self, address: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(address, [])
        while idle:
            reader, writer = idle.pop()
            if not (reader.at_eof() or writer.is_closing()):
                return reader, writer
            writer.close()
        return None

    async def _exchange(
        self,
        request: httpx.Request,
        connection: _Connection,
        head: bytes,
        timeouts: dict[str, float | None],
        address: tuple[str, int],
    ) -> httpx.Response:
        reader, writer = connection
        status_line = b""
        try:
            async with asyncio.timeout(timeouts.get("read")):
                writer.write(head)
                status_line = await reader.readline()
                if not status_line:
                    raise _StaleConnection
                status, headers = await _read_head(status_line, reader)
                content = await _read_body(request, status, headers, reader)
        except (_StaleConnection, asyncio.CancelledError):
            writer.close()  # a cancelled exchange leaves the connection mid-answer
            raise
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            writer.close()
            if not status_line:
                raise _StaleConnection from exc
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc
        except TimeoutError as exc:
            writer.close()
            raise httpx.ReadTimeout("no answer in time", request=request) from exc
        except (OSError, ValueError) as exc:
            writer.close()
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc
        if _keeps_alive(headers):
            self._idle.setdefault(address, []).append(connection)
        else:
            writer.close()
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content))

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for _, writer in idle:
                writer.close()
                with suppress(OSError):
                    await writer.wait_closed()
        self._idle.clear()


class _StaleConnection(Exception):
    """A kept-alive connection that answered nothing: safe to send again."""


async def _connect(
    address: tuple[str, int], timeout: float | None, request: httpx.Request
) -> _Connection:
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.open_connection(*address)
    except TimeoutError as exc:
        raise httpx.ConnectTimeout("no connection in time", request=request) from exc
    except OSError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc


def _head(request: httpx.Request, body: bytes) -> bytes:
    lines = [b"%s %s HTTP/1.1" % (request.method.encode(), request.url.raw_path)]
    lines.extend(b"%s: %s" % (name, value) for name, value in request.headers.raw)
    if body and "content-length" not in request.headers:
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def _read_head(
    status_line: bytes, reader: asyncio.StreamReader
) -> tuple[int, list[tuple[str, str]]]:
    version, status, *_ = status_line.split(None, 2)
    if not version.startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP/1 response: {status_line[:40]!r}")
    headers: list[tuple[str, str]] = []
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    return int(status), headers


async def _read_body(
    request: httpx.Request,
    status: int,
    headers: list[tuple[str, str]],
    reader: asyncio.StreamReader,
) -> bytes:
    if request.method == "HEAD" or status in _NO_BODY or status < 200:
        return b""
    fields = {name.lower(): value for name, value in headers}
    if "chunked" in fields.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        while size := int((await reader.readline()).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        while await reader.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(chunks)
    if "content-length" in fields:
        return await reader.readexactly(int(fields["content-length"]))
    return await reader.read()  # the body runs to the end of the connection


def _keeps_alive(headers: list[tuple[str, str]]) -> bool:
    fields = {name.lower(): value.lower() for name, value in headers}
    return "close" not in fields.get("connection", "") and (
        "content-length" in fields or "chunked" in fields.get("transfer-encoding", "")
    )
