"""A live-flow event carries the cited warrant as the court registry holds
it (form, kind, who signed it, what it counted as) and each outcome the
warrant level its deciding rule wanted; a state admin reads the message's
warrant, never another state's outcome; a registry that cannot be read
leaves the facts out, never the event."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switch.access.keys import Identity
from switch.access.visibility import project_event
from switch.app.runtime import Runtime
from switch.core.cited import cited_warrant
from switch.messages import parse
from tests.utils.hubs import SHIPPED_POLICIES, make_runtime

ICE = "VTICE0900"


@pytest.fixture
def runtime(database_url: str, tmp_path: Path) -> Iterator[Runtime]:
    folder = tmp_path / "policies"
    folder.mkdir()
    for state in ("NY", "WA"):
        (folder / f"{state}.yaml").write_text((SHIPPED_POLICIES / f"{state}.yaml").read_text())
    made = make_runtime(database_url, policies=folder)
    made.start()
    yield made
    asyncio.run(made.stop())
    made.engine.dispose()


def _event(runtime: Runtime, text: str) -> dict[str, Any]:
    queue = runtime.hub.events.subscribe()
    try:
        reply = asyncio.run(
            runtime.hub.submit(Identity("k", ori=ICE), text.encode(), is_json=False, wait=5)
        )
        assert reply.status_code == 200, reply.body
        event = queue.get_nowait()
    finally:
        runtime.hub.events.unsubscribe(queue)
    assert event["id"] == reply.body["id"]
    return event


def test_an_i200_and_a_court_order_are_told_apart_on_the_event(runtime: Runtime) -> None:
    i200 = runtime.warrants.issue(kind="administrative", to=ICE, oln="NYC1234567")
    order = runtime.warrants.issue(
        kind="judicial", form="court-order", to=ICE, oln="NYC1234567", issued_by="Hon. A. Judge"
    )
    refused = _event(runtime, f"DQ.{ICE}.NY.TXTOLN/NYC1234567.WRT/{i200.id}")
    assert refused["warrant"] == {
        "id": i200.id,
        "level": "administrative",
        "form": "I-200",
        "kind": "administrative",
        "issued_by": i200.issued_by,
        "signed_by": "officer",
    }
    [outcome] = refused["results"]
    assert outcome["decision"] == "deny"
    assert outcome["warrant_wanted"] == ["judicial"]

    released = _event(runtime, f"DQ.{ICE}.NY.TXTOLN/NYC1234567.WRT/{order.id}")
    assert released["warrant"]["form"] == "court-order"
    assert released["warrant"]["signed_by"] == "judge"
    assert released["warrant"]["level"] == "judicial"
    [outcome] = released["results"]
    assert (outcome["decision"], outcome["warrant_wanted"]) == ("permit", ["judicial"])
    assert outcome["obligations_words"] == [
        "the driver must be told within 3 business days",
        "the release is reported",
    ]


def test_a_warrant_the_registry_does_not_hold_is_cited_and_no_more(runtime: Runtime) -> None:
    event = _event(runtime, f"DQ.{ICE}.NY.TXTOLN/NYC1234567.WRT/JW-2026-NOSUCH")
    assert event["warrant"] == {"id": "JW-2026-NOSUCH", "level": "cited"}
    plain = _event(runtime, f"DQ.{ICE}.WA.TXTOLN/WDL1234567")
    assert "warrant" not in plain
    assert "warrant_wanted" in plain["results"][0]  # WA's deny names what would lift it


def test_a_state_admin_sees_the_messages_warrant_but_not_another_states_outcome(
    runtime: Runtime,
) -> None:
    order = runtime.warrants.issue(kind="judicial", to=ICE, oln="NYC7654321")
    event = _event(runtime, f"DQ.{ICE}.NY,WA.TXTOLN/NYC7654321.WRT/{order.id}")
    washington = project_event(Identity("k", admin_scope="WA"), {**event, "seq": 1})
    assert washington is not None and washington.warrant is not None
    assert washington.warrant.form == "warrant"
    seen = {o.destination: o.model_dump() for o in washington.results}
    assert seen["NY"] == {"destination": "NY", "state": "NY", "status": "routed"}
    assert seen["WA"]["warrant_wanted"] == ["judicial"]
    # Texas is neither sender nor destination: nothing, the warrant included.
    assert project_event(Identity("k", admin_scope="TX"), {**event, "seq": 1}) is None
    whole = project_event(Identity("k", admin_scope="*"), {**event, "seq": 1})
    assert whole is not None and whole.warrant is not None
    assert whole.warrant.issued_by == order.issued_by


def test_a_registry_fault_leaves_the_facts_out() -> None:
    def broken(_id: str) -> None:
        raise OSError("registry down")

    message = parse(f"DQ.{ICE}.NY.TXTOLN/NYC1.WRT/AW-1")
    assert asyncio.run(cited_warrant(broken, message, None)) == {"id": "AW-1", "level": None}
    assert asyncio.run(cited_warrant(None, parse(f"DQ.{ICE}.NY.TXTOLN/NYC1"), "none")) is None
