"""The mailbox and the message route as the store-and-forward tests use them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.utils.hubs import Keys


def mailbox(client: TestClient, keys: Keys, ori: str) -> list[dict[str, Any]]:
    response = client.get("/v1/mailbox", headers=keys.auth(ori))
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def send(client: TestClient, keys: Keys, ori: str, text: str, wait: float = 0) -> Any:
    return client.post("/v1/messages", params={"wait": wait}, content=text, headers=keys.auth(ori))
