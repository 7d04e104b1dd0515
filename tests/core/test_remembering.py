"""A policy that remembers, through the hub: a refusal closes the door on a
287(g) relay for 24 hours, on every hub sharing the database; a replay of
the recorded traffic decides as live traffic did; an index that cannot be
read denies where a rule asks it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from switch.access.keys import Identity
from switch.app.runtime import Runtime
from switch.db.schema import audit_outcomes
from switch.impact.replay import replay_policies
from switch.policy import compile_policy, load_policy_text
from tests.utils.hubs import SHIPPED_POLICIES, make_runtime

ICE = "VTICE0900"  # ICE-ERO
SHERIFF = "AZ0110000"  # a 287(g) sheriff
LOCAL = "WA0170100"  # a Washington police department
T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)
SHIPPED_WA = (SHIPPED_POLICIES / "WA.yaml").read_text()
RELAY_RULE = """\
  - id: wa-no-relay
    effect: deny
    reason: the person was refused to a federal immigration agency within 24 hours
    when:
      requester.tags: [287g]
      subject.refused_to: {component: [ICE-ERO, ICE-HSI], within_hours: 24}
"""
WITH_RELAY = SHIPPED_WA.rstrip("\n") + "\n" + RELAY_RULE


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _folder(tmp_path: Path, policy: str, name: str = "policies") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "WA.yaml").write_text(policy)
    return folder


@pytest.fixture
def hubs() -> Iterator[list[Runtime]]:
    made: list[Runtime] = []
    yield made
    for runtime in made:
        asyncio.run(runtime.stop())
        runtime.engine.dispose()


def _start(made: list[Runtime], url: str, folder: Path, clock: Clock) -> Runtime:
    runtime = make_runtime(url, policies=folder)
    runtime.start()
    runtime.hub.clock = clock
    made.append(runtime)
    return runtime


def _send(runtime: Runtime, ori: str, oln: str) -> str:
    """The deciding rule of a DQ to WA (or the decision when none decided)."""
    body = f"DQ.{ori}.WA.TXTOLN/{oln}".encode()
    reply = asyncio.run(runtime.hub.submit(Identity("k", ori=ori), body, is_json=False, wait=5))
    assert reply.status_code == 200, reply.body
    message_id = reply.body["id"]
    with runtime.engine.connect() as conn:
        row = conn.execute(
            select(audit_outcomes.c.decision, audit_outcomes.c.rule).where(
                audit_outcomes.c.message_id == message_id
            )
        ).one()
    return f"{row.decision}:{row.rule or '-'}"


def _script(runtime: Runtime, clock: Clock) -> list[str]:
    """A refusal, then 287(g) queries about that person within and after 24h."""
    decided = [_send(runtime, ICE, "WAL100000001")]
    clock.now = T0 + timedelta(hours=1)
    decided.append(_send(runtime, SHERIFF, "WAL100000001"))
    decided.append(_send(runtime, SHERIFF, "WAL100000002"))  # someone else
    decided.append(_send(runtime, LOCAL, "WAL100000001"))  # not a 287(g) partner
    clock.now = T0 + timedelta(hours=25)
    decided.append(_send(runtime, SHERIFF, "WAL100000001"))
    return decided


LIVE = [
    "deny:wa-no-ice",
    "deny:wa-no-relay",
    "permit:-",
    "permit:-",
    "permit:-",
]


def test_a_refusal_closes_the_door_for_24_hours(
    database_url: str, tmp_path: Path, hubs: list[Runtime]
) -> None:
    clock = Clock()
    runtime = _start(hubs, database_url, _folder(tmp_path, WITH_RELAY), clock)
    assert _script(runtime, clock) == LIVE


def test_a_replay_decides_as_live_traffic_did(
    database_url: str, tmp_path: Path, hubs: list[Runtime]
) -> None:
    clock = Clock()
    # Recorded under the shipped rule alone: the relay went through.
    runtime = _start(hubs, database_url, _folder(tmp_path, SHIPPED_WA), clock)
    recorded = _script(runtime, clock)
    assert recorded[1] == "permit:-"
    relay = compile_policy(load_policy_text(WITH_RELAY, "WA.yaml"))
    report = replay_policies(runtime.engine, {"WA": relay}, runtime.directory)
    changes = {(t.old, t.new): t.count for t in report.transitions if t.old != t.new}
    # Exactly the one query live traffic under the relay rule denied (LIVE[1]).
    assert changes == {("permit", "deny"): 1}
    (change,) = [t for t in report.transitions if t.old != t.new]
    assert dict(change.by_rule) == {"wa-no-relay": 1}
    assert dict(change.by_type) == {"SO": 1}


def test_a_replay_of_the_rule_in_force_changes_nothing(
    database_url: str, tmp_path: Path, hubs: list[Runtime]
) -> None:
    clock = Clock()
    runtime = _start(hubs, database_url, _folder(tmp_path, WITH_RELAY), clock)
    assert _script(runtime, clock) == LIVE
    relay = compile_policy(load_policy_text(WITH_RELAY, "WA.yaml"))
    report = replay_policies(runtime.engine, {"WA": relay}, runtime.directory)
    assert [t for t in report.transitions if t.old != t.new] == []
    assert sum(t.count for t in report.transitions) == len(LIVE)


@pytest.mark.postgres
def test_hubs_on_one_database_share_what_was_refused(
    postgres_url: str, tmp_path: Path, hubs: list[Runtime]
) -> None:
    clock = Clock()
    a = _start(hubs, postgres_url, _folder(tmp_path, WITH_RELAY, "a"), clock)
    b = _start(hubs, postgres_url, _folder(tmp_path, WITH_RELAY, "b"), clock)
    assert _send(a, ICE, "WAL100000001") == "deny:wa-no-ice"
    clock.now = T0 + timedelta(minutes=10)
    assert _send(b, SHERIFF, "WAL100000001") == "deny:wa-no-relay"
    assert _send(b, SHERIFF, "WAL100000002") == "permit:-"


def test_an_unreadable_index_denies_where_the_rule_asks(
    database_url: str, tmp_path: Path, hubs: list[Runtime]
) -> None:
    clock = Clock()
    runtime = _start(hubs, database_url, _folder(tmp_path, WITH_RELAY), clock)
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TABLE recent_refusals"))
    # Nothing was refused, yet the rule cannot know that: it denies.
    assert _send(runtime, SHERIFF, "WAL100000002") == "deny:wa-no-relay"
    # A query the rule does not reach is decided as ever.
    assert _send(runtime, LOCAL, "WAL100000002") == "permit:-"
