"""Blocking httpx requests to an app that a `TestClient` is serving, run on
the TestClient's own event loop (where the app's lifespan runs): so the
switch's own `SwitchClient` can be tested in process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from fastapi.testclient import TestClient

T = TypeVar("T")


class PortalTransport(httpx.BaseTransport):
    def __init__(self, client: TestClient) -> None:
        self._client = client
        self.asgi = httpx.ASGITransport(app=client.app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def exchange() -> httpx.Response:
            response = await self.asgi.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return on_loop(self._client, exchange)


def on_loop(client: TestClient, call: Callable[[], Awaitable[T]]) -> T:
    """Await `call()` on the loop the TestClient runs the app on."""
    assert client.portal is not None, "use the TestClient inside its `with` block"
    return client.portal.call(call)
