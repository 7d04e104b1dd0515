"""GET /v1/mailbox/stream: the caller's own new mailbox items, live."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx

from switch.access.keys import issue_key
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.forwarding.conftest import FAST
from tests.utils.destinations import FakeState
from tests.utils.hubs import Runtimes
from tests.utils.polling import until


def test_the_stream_shows_only_your_own_new_items(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, **FAST)  # type: ignore[arg-type]
    runtimes = Runtimes(settings, destinations={"WA": FakeState("WA")})

    with running_hub(runtimes) as url:
        engine = runtimes.first.engine
        ny = issue_key(engine, ori="NY0303000")
        ice = issue_key(engine, ori="VTICE0900")
        admin = issue_key(engine, admin_scope="*")
        stream_url = f"{url}/v1/mailbox/stream"
        assert httpx.get(stream_url, headers=_auth(admin)).status_code == 403
        assert httpx.get(stream_url, headers=_auth("nope")).status_code == 401

        def post(key: str, text: str) -> str:
            reply = httpx.post(
                f"{url}/v1/messages",
                params={"wait": 0},
                content=text,
                headers={"Authorization": f"Bearer {key}"},
            )
            assert reply.status_code == 202
            message_id: str = reply.json()["id"]
            return message_id

        post(ny, "DQ.NY0303000.WA.TXTOLN/OLD1")  # before the stream: not shown
        events: list[dict[str, Any]] = []
        connected = threading.Event()

        def watch() -> None:
            with httpx.stream("GET", stream_url, headers=_auth(ny), timeout=10) as r:
                for line in r.iter_lines():
                    if line.startswith(": connected"):
                        connected.set()
                    if line.startswith("data: "):
                        events.append(json.loads(line[6:]))
                        return

        watcher = threading.Thread(target=watch, daemon=True)
        # Let the first answer land before watching, so it is history.
        deadline_ok = _wait_mailbox(url, ny, 1)
        assert deadline_ok
        watcher.start()
        assert connected.wait(10)
        post(ice, "DQ.VTICE0900.WA.TXTOLN/ICE1")
        mine = post(ny, "DQ.NY0303000.WA.TXTOLN/NEW1")
        watcher.join(10)
        assert [(e["message_id"], e["key"]) for e in events] == [(mine, "DR")]


def _wait_mailbox(url: str, key: str, count: int) -> bool:
    reply = until(
        lambda: httpx.get(f"{url}/v1/mailbox", headers={"Authorization": f"Bearer {key}"}),
        lambda reply: len(reply.json()["items"]) >= count,
    )
    return len(reply.json()["items"]) >= count


def test_the_stream_shows_items_another_hub_on_the_database_wrote(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, **FAST)  # type: ignore[arg-type]
    runtimes = Runtimes(settings, destinations={"WA": FakeState("WA")})

    with running_hub(runtimes) as url_a, running_hub(runtimes) as url_b:
        ny = issue_key(runtimes.first.engine, ori="NY0303000")
        events: list[dict[str, Any]] = []
        connected = threading.Event()

        def watch() -> None:  # on hub B
            with httpx.stream(
                "GET", f"{url_b}/v1/mailbox/stream", headers=_auth(ny), timeout=10
            ) as r:
                for line in r.iter_lines():
                    if line.startswith(": connected"):
                        connected.set()
                    if line.startswith("data: "):
                        events.append(json.loads(line[6:]))
                        return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        assert connected.wait(10)
        sent = httpx.post(  # through hub A
            f"{url_a}/v1/messages",
            params={"wait": 0},
            content="DQ.NY0303000.WA.TXTOLN/A1",
            headers={"Authorization": f"Bearer {ny}"},
        )
        assert sent.status_code == 202
        watcher.join(10)
        assert [(e["message_id"], e["key"]) for e in events] == [(sent.json()["id"], "DR")]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
