"""GET /v1/events: the live flow, over a real HTTP connection."""

from __future__ import annotations

import json
import threading

import httpx

from switch.access.keys import issue_key
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.utils.hubs import Runtimes


def test_watchers_see_each_message_after_it_is_audited(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url)
    runtimes = Runtimes(settings)

    with running_hub(runtimes) as url:
        engine = runtimes.first.engine
        admin = issue_key(engine, admin_scope="*")
        ice = issue_key(engine, ori="VTICE0900")
        agency_key = issue_key(engine, ori="NY0303000")
        assert httpx.get(f"{url}/v1/events", headers=_auth(agency_key)).status_code == 403
        assert httpx.get(f"{url}/v1/events", headers=_auth("nope")).status_code == 401

        events: list[dict[str, object]] = []
        connected = threading.Event()

        def watch() -> None:
            with httpx.stream("GET", f"{url}/v1/events", headers=_auth(admin), timeout=10) as r:
                for line in r.iter_lines():
                    if line.startswith(": connected"):
                        connected.set()
                    if line.startswith("data: "):
                        events.append(json.loads(line[6:]))
                        if len(events) == 2:
                            return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        assert connected.wait(10)
        headers = _auth(ice)
        sent = httpx.post(
            f"{url}/v1/messages", content="DQ.VTICE0900.WA.TXTOLN/X1", headers=headers
        )
        bad = httpx.post(f"{url}/v1/messages", content="DQ.VTICE0900.WA.TXT", headers=headers)
        watcher.join(10)
        assert [e["id"] for e in events] == [sent.json()["id"], bad.json()["id"]]
        first, second = events
        assert first["sender"]["component"] == "ICE-ERO"  # type: ignore[index]
        assert first["results"][0]["rule"] == "wa-no-ice"  # type: ignore[index]
        assert first["text"] == "DQ.VTICE0900.WA.TXTOLN/X1"
        assert second["status_code"] == 422 and second["error"]["code"] == ".14."  # type: ignore[index]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
