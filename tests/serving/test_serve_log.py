"""No secret in a log line: `switch serve` at its default level writes an
access log line per request, and a key or a stream ticket in a request's URL
is written as `...` (the filter is tested in tests/serving/test_access_log.py)."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx

from switch.access.keys import issue_key
from switch.db.database import migrate, open_engine
from tests.utils.processes import ready, start_hub


def test_switch_serve_writes_no_secret_to_its_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = open_engine(url)
    migrate(engine)
    admin = issue_key(engine, admin_scope="*")
    engine.dispose()
    ticket = f"st_{secrets.token_urlsafe(32)}"  # made up: refused, and still not logged
    hub = start_hub(url, tmp_path, log_level="info")  # switch serve's default
    statuses = []
    try:
        ready(hub)
        for path, params in (
            ("/v1/events", {"key": admin}),
            ("/v1/mailbox/stream", {"after": "0", "ticket": ticket}),
            ("/v1/agencies", {"state": "WA", "key": admin}),
        ):
            with httpx.stream("GET", hub.url + path, params=params, timeout=10) as reply:
                statuses.append(reply.status_code)
    finally:
        hub.stop()
    log = hub.log.read_text()
    requests = [line.split(" - ", 1)[1] for line in log.splitlines() if '"GET /v1/' in line]
    assert requests == [
        '"GET /v1/events?key=... HTTP/1.1" 401 Unauthorized',
        '"GET /v1/mailbox/stream?after=0&ticket=... HTTP/1.1" 401 Unauthorized',
        '"GET /v1/agencies?state=WA&key=... HTTP/1.1" 401 Unauthorized',
    ]
    assert admin not in log and ticket not in log
    assert statuses == [401, 401, 401]
