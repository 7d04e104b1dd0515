"""Polling with bounded deadlines: no test sleeps a fixed time and hopes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.testclient import TestClient

from tests.utils.hubs import Keys

T = TypeVar("T")


def until(probe: Callable[[], T], done: Callable[[T], bool], seconds: float = 10.0) -> T:
    deadline = time.monotonic() + seconds
    value = probe()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.02)
        value = probe()
    return value


def mailbox(client: TestClient, keys: Keys, ori: str) -> list[dict[str, Any]]:
    response = client.get("/v1/mailbox", headers=keys.auth(ori))
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def send(client: TestClient, keys: Keys, ori: str, text: str, wait: float = 0) -> Any:
    return client.post("/v1/messages", params={"wait": wait}, content=text, headers=keys.auth(ori))
