"""The generator's lean HTTP/1.1 transport against a tiny server of our own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from simulators.traffic.transport import LeanTransport

BODY = b'{"ok": true}'


class Server:
    """Answers by path; counts connections and requests."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[tuple[str, bytes]] = []
        self.heard = asyncio.Event()
        self.hung_up = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while request_line := await reader.readline():
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                path = request_line.split()[1].decode()
                self.requests.append((path, body))
                if path == "/silence":
                    self.heard.set()
                    await reader.read(1)  # never answer; wait for the client to go
                    self.hung_up.set()
                    break
                writer.write(self.answer(path, body))
                await writer.drain()
                if path == "/hangup":
                    await reader.read(1)  # the next request arrives: hang up unanswered
                if path in ("/close", "/eof", "/hangup"):
                    break
        finally:
            writer.close()

    def answer(self, path: str, body: bytes) -> bytes:
        if path == "/chunked":
            chunks = b"5\r\n" + BODY[:5] + b"\r\n" + b"%x\r\n" % (len(BODY) - 5) + BODY[5:]
            head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            return head + chunks + b"\r\n0\r\n\r\n"
        if path == "/close":
            return b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 12\r\n\r\n" + BODY
        if path == "/eof":
            return b"HTTP/1.1 200 OK\r\n\r\n" + BODY
        if path == "/echo":
            return b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        if path == "/empty":
            return b"HTTP/1.1 204 No Content\r\n\r\n"
        # /len, and /hangup: keep-alive as far as the client can tell
        return b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n" + BODY


def serve(test: Callable[[httpx.AsyncClient, Server], Awaitable[None]]) -> Server:
    server = Server()

    async def main() -> None:
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        async with (
            listener,
            httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", transport=LeanTransport()
            ) as client,
        ):
            await test(client, server)

    asyncio.run(main())
    return server


def test_keep_alive_reuses_one_connection() -> None:
    async def test(client: httpx.AsyncClient, _: Server) -> None:
        for _attempt in range(3):
            response = await client.get("/len")
            assert response.status_code == 200 and response.json() == {"ok": True}

    assert serve(test).connections == 1


def test_body_sent_and_read_back() -> None:
    async def test(client: httpx.AsyncClient, _: Server) -> None:
        response = await client.post("/echo", content=b"DQ.NY0303000.WA.TXTOLN/1")
        assert response.status_code == 201 and response.content == b"DQ.NY0303000.WA.TXTOLN/1"
        assert (await client.get("/empty")).status_code == 204

    server = serve(test)
    assert server.requests[0] == ("/echo", b"DQ.NY0303000.WA.TXTOLN/1")


@pytest.mark.parametrize("path", ["/chunked", "/close", "/eof"])
def test_every_way_a_body_ends(path: str) -> None:
    async def test(client: httpx.AsyncClient, _: Server) -> None:
        assert (await client.get(path)).json() == {"ok": True}
        assert (await client.get("/len")).json() == {"ok": True}

    server = serve(test)
    # A body that runs to the end of its connection, or is marked close, ends it.
    assert server.connections == (1 if path == "/chunked" else 2)


def test_a_kept_connection_that_hangs_up_unanswered_is_replaced() -> None:
    async def test(client: httpx.AsyncClient, _: Server) -> None:
        await client.get("/hangup")
        response = await client.get("/len")  # hung up on, then sent again on a new connection
        assert response.json() == {"ok": True}

    server = serve(test)
    assert server.connections == 2
    assert [path for path, _ in server.requests] == ["/hangup", "/len"]


def test_no_server_is_a_connect_error() -> None:
    async def main() -> None:
        listener = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        listener.close()
        await listener.wait_closed()
        async with httpx.AsyncClient(transport=LeanTransport()) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{port}/len")
            with pytest.raises(httpx.UnsupportedProtocol):
                await client.get("https://127.0.0.1/len")

    asyncio.run(main())


def test_a_cancelled_request_closes_its_connection() -> None:
    async def test(client: httpx.AsyncClient, server: Server) -> None:
        request = asyncio.create_task(client.get("/silence"))
        await server.heard.wait()
        request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await request
        await server.hung_up.wait()  # the client closed it: nothing left half-read

    assert serve(test).connections == 1
