"""The hub flags a likely relay as it happens: a 287(g) sheriff asking WA
about a person WA refused to ICE an hour before gets a `relay` on its audit
outcome, a count in the metric and a flag in the live view's event; an
ordinary police query about that person does not; an index that cannot be
read flags nothing and answers the message as ever."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from switch.access.keys import Identity
from switch.app.runtime import Runtime
from switch.audit.verify import verify
from switch.db.schema import audit_outcomes
from switch.impact.proxies_score import Query, Refusal, may_relay, score
from switch.metrics import REGISTRY
from tests.utils.hubs import SHIPPED_POLICIES, make_runtime

ICE = "VTICE0900"  # ICE-ERO
SHERIFF = "AZ0110000"  # a 287(g) sheriff
LOCAL = "WA0170100"  # a police department in King county, where a task-force member sits
UNRELATED = "WA0310000"  # a sheriff with no tie to immigration enforcement
OLN = "WAL100000001"
T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def hub(database_url: str, tmp_path: Path) -> Iterator[tuple[Runtime, Clock]]:
    folder = tmp_path / "policies"
    folder.mkdir()
    # The shipped rule alone: ICE is refused, nothing remembers, so a relay goes through.
    (folder / "WA.yaml").write_text((SHIPPED_POLICIES / "WA.yaml").read_text())
    runtime = make_runtime(database_url, policies=folder)
    runtime.start()
    clock = Clock()
    runtime.hub.clock = clock
    yield runtime, clock
    asyncio.run(runtime.stop())
    runtime.engine.dispose()


def _send(
    runtime: Runtime, ori: str, oln: str, more: str = ""
) -> tuple[dict[str, Any], str | None]:
    """The reply's body and the audit outcome's `relay`."""
    body = f"DQ.{ori}.WA.TXTOLN/{oln}{more}".encode()
    reply = asyncio.run(runtime.hub.submit(Identity("k", ori=ori), body, is_json=False, wait=5))
    assert reply.status_code == 200, reply.body
    with runtime.engine.connect() as conn:
        relay = conn.execute(
            select(audit_outcomes.c.relay).where(audit_outcomes.c.message_id == reply.body["id"])
        ).scalar_one()
    return reply.body, relay


def _flagged(pattern: str = "287g-relay") -> float:
    value = REGISTRY.get_sample_value(
        "switch_suspected_relays_total", {"state": "WA", "pattern": pattern}
    )
    return value or 0.0


def _failed() -> float:
    return REGISTRY.get_sample_value("switch_relay_checks_failed_total") or 0.0


def _events(queue: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    while not queue.empty():
        found.append(queue.get_nowait())
    return found


def test_a_287g_query_an_hour_after_a_refusal_is_flagged(hub: tuple[Runtime, Clock]) -> None:
    runtime, clock = hub
    events = runtime.hub.events.subscribe()
    before = _flagged()
    refused, relay = _send(runtime, ICE, OLN)
    assert refused["results"][0]["decision"] == "deny"
    assert relay is None  # the refusal itself is no relay
    clock.now = T0 + timedelta(hours=1)
    answered, relay = _send(runtime, SHERIFF, OLN)
    assert relay == f"287g-relay {refused['id']}"
    assert "relay" not in str(answered)  # the sender is never told
    assert _flagged() == before + 1
    first, second = _events(events)
    assert first["relays"] == []
    (flag,) = second["relays"]
    assert flag["state"] == "WA"
    assert flag["pattern"] == "287g-relay"
    assert flag["refused_id"] == refused["id"]
    assert flag["refused_ori"] == ICE
    assert flag["minutes_after"] == 60
    assert flag["summary"] == "may be for ICE: 287(g), 60 min after a refusal"
    assert flag["score"] >= 3
    assert any("287(g)" in words for words in flag["evidence"])
    # The flag is in the chain: it verifies, and a flag wiped away breaks it.
    assert verify(runtime.engine).intact
    with runtime.engine.begin() as conn:
        conn.execute(
            audit_outcomes.update().where(audit_outcomes.c.relay.is_not(None)).values(relay=None)
        )
    assert not verify(runtime.engine).intact


def test_an_ordinary_police_query_or_another_person_is_not_flagged(
    hub: tuple[Runtime, Clock],
) -> None:
    runtime, clock = hub
    before = _flagged()
    _send(runtime, ICE, OLN)
    clock.now = T0 + timedelta(hours=1)
    assert _send(runtime, UNRELATED, OLN)[1] is None
    # A look-alike: a partner county's PD at a traffic stop says why it asks.
    assert _send(runtime, LOCAL, OLN, ".RSN/T")[1] is None
    assert _send(runtime, SHERIFF, "WAL100000002")[1] is None  # someone else
    clock.now = T0 + timedelta(hours=25)
    assert _send(runtime, SHERIFF, OLN)[1] is None  # past the window
    assert _flagged() == before


def test_an_unreadable_index_answers_the_message_and_flags_nothing(
    hub: tuple[Runtime, Clock],
) -> None:
    runtime, clock = hub
    _send(runtime, ICE, OLN)
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TABLE recent_refusals"))
    before, failed = _flagged(), _failed()
    clock.now = T0 + timedelta(hours=1)
    body, relay = _send(runtime, SHERIFF, OLN)
    assert body["results"][0]["status"] == "answered"
    assert relay is None
    assert _flagged() == before
    assert _failed() == failed + 1


def test_a_message_that_names_no_one_never_reads_the_index(hub: tuple[Runtime, Clock]) -> None:
    runtime, _ = hub
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TABLE recent_refusals"))
    failed = _failed()
    body = f"RQ.{SHERIFF}.WA.TXTLIC/ABC123".encode()
    reply = asyncio.run(runtime.hub.submit(Identity("k", ori=SHERIFF), body, is_json=False, wait=5))
    assert reply.status_code == 200, reply.body
    assert _failed() == failed  # a plate names no person: nothing was asked


def test_may_relay_is_false_only_where_every_refusal_scores_none(
    hub: tuple[Runtime, Clock],
) -> None:
    """The hub's shortcut rules out a query only when the detector would."""
    directory = hub[0].directory
    refusers = [a.ori for a in directory if a.component in ("ICE-ERO", "ICE-HSI", "CBP")]
    assert refusers
    ruled_out = 0
    for asker in directory:
        for fields in ({"OLN": OLN}, {"OLN": OLN, "WRT": "ICE-WARRANT"}):
            if may_relay(asker.ori, fields, directory):
                continue
            ruled_out += 1
            query = Query("q", T0 + timedelta(minutes=5), asker.ori, "WA", "OLN:" + OLN, fields)
            for ori in refusers:
                refusal = Refusal("r", T0, ori, "WA", "OLN:" + OLN)
                assert score(refusal, query, directory) is None, (asker.ori, ori)
    assert ruled_out > 0
