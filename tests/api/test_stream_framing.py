"""The streams' wire form, as FastAPI frames it (EventSourceResponse): a
`connected` comment once subscribed, each item with its event name, data
and seq as id, `Cache-Control: no-store`, and a keep-alive comment when the
stream is quiet."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi import routing

from switch.access.keys import issue_key
from switch.app.runtime import Runtime
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.utils.destinations import FakeState
from tests.utils.streams import bearer


@pytest.fixture
def hub(sqlite_url: str) -> Iterator[tuple[str, Runtime]]:
    settings = Settings(database_url=sqlite_url)
    runtimes: list[Runtime] = []

    def factory() -> Runtime:
        runtimes.append(Runtime(settings, destinations={"WA": FakeState("WA")}))
        return runtimes[0]

    with running_hub(factory) as url:
        yield url, runtimes[0]


def _blocks(lines: Iterator[str]) -> Iterator[list[str]]:
    """The stream's events, each as its lines."""
    block: list[str] = []
    for line in lines:
        if line:
            block.append(line)
        elif block:
            yield block
            block = []


def _post(url: str, key: str, text: str, **params: int) -> str:
    reply = httpx.post(f"{url}/v1/messages", content=text, params=params, headers=bearer(key))
    assert reply.status_code in (200, 202), reply.text
    message_id: str = reply.json()["id"]
    return message_id


def test_the_flow_sends_each_message_named_with_its_seq(hub: tuple[str, Runtime]) -> None:
    url, runtime = hub
    admin = issue_key(runtime.engine, admin_scope="*")
    ice = issue_key(runtime.engine, ori="VTICE0900")
    with httpx.stream("GET", f"{url}/v1/events", headers=bearer(admin), timeout=10) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        assert "no-store" in reply.headers["cache-control"]
        blocks = _blocks(reply.iter_lines())
        assert next(blocks) == [": connected"]
        sent = _post(url, ice, "DQ.VTICE0900.WA.TXTOLN/X1")
        event, data, seq = next(blocks)
    assert event == "event: message"
    flow = json.loads(data.removeprefix("data: "))
    assert flow["id"] == sent and seq == f"id: {flow['seq']}"


def test_the_mailbox_sends_each_item_named_with_its_seq(hub: tuple[str, Runtime]) -> None:
    url, runtime = hub
    ny = issue_key(runtime.engine, ori="NY0303000")
    stream_url = f"{url}/v1/mailbox/stream"
    with httpx.stream("GET", stream_url, headers=bearer(ny), timeout=10) as reply:
        assert "no-store" in reply.headers["cache-control"]
        blocks = _blocks(reply.iter_lines())
        assert next(blocks) == [": connected"]
        sent = _post(url, ny, "DQ.NY0303000.WA.TXTOLN/X1", wait=0)
        event, data, seq = next(blocks)
    assert event == "event: mailbox"
    item = json.loads(data.removeprefix("data: "))
    assert item["message_id"] == sent and seq == f"id: {item['seq']}"


@pytest.mark.parametrize(
    ("path", "bound"),
    [("/v1/events", {"admin_scope": "*"}), ("/v1/mailbox/stream", {"ori": "NY0303000"})],
)
def test_a_quiet_stream_sends_keep_alive_comments(
    hub: tuple[str, Runtime], path: str, bound: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, runtime = hub
    # The framework's own interval (15 s), shortened for the test.
    monkeypatch.setattr(routing, "_PING_INTERVAL", 0.05)
    key = issue_key(runtime.engine, **bound)  # type: ignore[arg-type]
    with httpx.stream("GET", f"{url}{path}", headers=bearer(key), timeout=10) as reply:
        blocks = _blocks(reply.iter_lines())
        assert next(blocks) == [": connected"]
        assert next(blocks) == [": ping"]
        assert next(blocks) == [": ping"]
