"""A reader sees only what its scope covers, on every route and stream that
carries a message: `GET /v1/messages/{id}`, `GET /v1/audit`, `/v1/events`.

The sender and scope `*` see a message whole; a state admin sees the
outcome at its state whole and of every other destination only that the
message was routed there; anyone else nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from simulators.dmv import StateDMV
from switch.access.keys import issue_key
from switch.app.runtime import Runtime
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.utils.destinations import FakeState
from tests.utils.hubs import Keys, Runtimes, make_client

WA_DRIVER = StateDMV("WA").driver(5)
TX_DRIVER = StateDMV("TX").driver(5)
# What WA's DMV answers of its driver that no other state's admin may read.
WA_SECRETS = (WA_DRIVER["SOC"], WA_DRIVER["NAM"], WA_DRIVER["ADR"], WA_DRIVER["DOB"])


def _routed(state: str) -> dict[str, str]:
    return {"destination": state, "state": state, "status": "routed"}


class Hub:
    def __init__(self, client: TestClient, keys: Keys, runtime: Runtime) -> None:
        self.client, self.keys, self.runtime = client, keys, runtime
        self.admins: dict[str, str] = {}

    def admin(self, scope: str) -> dict[str, str]:
        if scope not in self.admins:
            self.admins[scope] = issue_key(self.runtime.engine, admin_scope=scope)
        return {"Authorization": f"Bearer {self.admins[scope]}"}

    def send(self, ori: str, text: str) -> dict[str, Any]:
        response = self.client.post("/v1/messages", content=text, headers=self.keys.auth(ori))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def read(self, message_id: str, headers: dict[str, str]) -> httpx.Response:
        return self.client.get(f"/v1/messages/{message_id}", headers=headers)


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    with make_client(database_url) as made:
        yield Hub(*made)


def _by_state(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["state"]: r for r in record["results"]}


def test_an_or_admin_reads_its_own_outcome_of_a_wa_or_query_and_not_was_dr(hub: Hub) -> None:
    sent = hub.send("NY0303000", f"DQ.NY0303000.WA,OR.TXTOLN/{WA_DRIVER['OLN']}")
    wa_answer = sent["results"][0]["response"]["fields"]
    assert wa_answer["SOC"] == WA_DRIVER["SOC"]  # the sender has it: the DR is real

    read = hub.read(sent["id"], hub.admin("OR"))
    assert read.status_code == 200
    record = read.json()
    outcomes = _by_state(record)
    assert outcomes["WA"] == _routed("WA")
    oregon = outcomes["OR"]
    assert (oregon["decision"], oregon["status"]) == ("permit", "answered")
    assert oregon["response"]["text"].endswith("NOT ON FILE")
    # Oregon received the query, so it may read what was asked.
    assert record["fields"] == {"OLN": WA_DRIVER["OLN"]}
    for secret in WA_SECRETS:
        assert secret not in read.text

    # Washington, the other way round.
    washington = _by_state(hub.read(sent["id"], hub.admin("WA")).json())
    assert washington["OR"] == _routed("OR")
    assert washington["WA"]["response"]["fields"]["SOC"] == WA_DRIVER["SOC"]
    # The sender and scope * read it whole; a state it never touched, nothing.
    for whole in (hub.keys.auth("NY0303000"), hub.keys.admin_auth):
        outcomes = _by_state(hub.read(sent["id"], whole).json())
        assert {s: o["decision"] for s, o in outcomes.items()} == {"WA": "permit", "OR": "permit"}
    assert hub.read(sent["id"], hub.admin("TX")).status_code == 403
    assert hub.read(sent["id"], hub.keys.auth("VTICE0900")).status_code == 404


def test_a_vt_admin_reads_that_vtice0900s_query_was_routed_not_what_came_back(hub: Hub) -> None:
    """The answers to a Vermont agency belong to the states that gave them."""
    sent = hub.send("VTICE0900", f"DQ.VTICE0900.NY,TX.TXTOLN/{TX_DRIVER['OLN']}")
    assert {r["destination"]: r["rule"] for r in sent["results"]}["NY"] == (
        "ny-immigration-judicial-only"
    )
    read = hub.read(sent["id"], hub.admin("VT"))
    assert read.status_code == 200
    record = read.json()
    assert record["results"] == [_routed("NY"), _routed("TX")]
    assert (record["ori"], record["fields"]) == ("VTICE0900", {"OLN": TX_DRIVER["OLN"]})
    for hidden in ("ny-immigration-judicial-only", "deny", TX_DRIVER["NAM"], TX_DRIVER["SOC"]):
        assert hidden not in read.text


def test_an_nl_query_shows_each_state_admin_its_own_answer_only(database_url: str) -> None:
    hit = {"NAM": "DOE,JOHN QUINCY", "SOC": "123456789", "ADR": "1 ELM ST, SPOKANE"}
    fakes = {"WA": FakeState("WA", records=(hit,)), "OR": FakeState("OR"), "CA": FakeState("CA")}
    with make_client(database_url, destinations=fakes) as made:
        hub = Hub(*made)
        sent = hub.send("NY0303000", "DQ.NY0303000.NL.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M")
        for scope in ("OR", "CA", "NY"):
            read = hub.read(sent["id"], hub.admin(scope))
            assert read.status_code == 200
            outcomes = _by_state(read.json())
            assert set(outcomes) == {"WA", "OR", "CA"}
            withheld = {s for s, o in outcomes.items() if o == _routed(s)}
            assert withheld == {"WA", "OR", "CA"} - {scope}
            for secret in hit.values():
                assert secret not in read.text
        mine = _by_state(hub.read(sent["id"], hub.admin("CA")).json())["CA"]
        assert mine["response"]["text"].endswith("NOT ON FILE")
        everything = _by_state(hub.read(sent["id"], hub.keys.admin_auth).json())
        assert everything["WA"]["response"]["fields"]["SOC"] == "123456789"


def test_the_audit_applies_the_same_projection(hub: Hub) -> None:
    sent = hub.send("NY0303000", f"DQ.NY0303000.WA,OR.TXTOLN/{WA_DRIVER['OLN']}")

    def record(headers: dict[str, str]) -> dict[str, Any]:
        page = hub.client.get("/v1/audit", headers=headers)
        assert page.status_code == 200
        [found] = [r for r in page.json()["records"] if r["id"] == sent["id"]]
        return found

    # New York's admin oversees its agency's message, not the states' answers.
    assert {s: set(o) for s, o in _by_state(record(hub.admin("NY"))).items()} == {
        "WA": set(_routed("WA")),
        "OR": set(_routed("OR")),
    }
    oregon = record(hub.admin("OR"))
    message = hub.read(sent["id"], hub.admin("OR")).json()
    # One projection: the audit's record is the message's, plus where and how it came.
    audit_only = (
        "seq", "identity", "raw", "kind", "act", "claimed_ori", "client", "count", "form"
    )  # fmt: skip
    assert {k: v for k, v in oregon.items() if k not in audit_only} == message
    assert _by_state(oregon)["WA"] == _routed("WA")
    assert oregon["raw"] == f"DQ.NY0303000.WA,OR.TXTOLN/{WA_DRIVER['OLN']}"
    for secret in WA_SECRETS:
        assert secret not in json.dumps(oregon)
    assert (
        _by_state(record(hub.keys.admin_auth))["WA"]["response"]["fields"]["SOC"]
        == (WA_DRIVER["SOC"])
    )


def _watch(url: str, secret: str, events: list[dict[str, Any]], ready: threading.Event) -> None:
    """Collect message events until the first from ORI VT... (the end mark)."""
    headers = {"Authorization": f"Bearer {secret}"}
    with httpx.stream("GET", f"{url}/v1/events", headers=headers, timeout=20) as stream:
        for line in stream.iter_lines():
            if line.startswith(": connected"):
                ready.set()
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if events[-1].get("ori") == "VTICE0900":
                    return


def test_the_live_flow_of_a_state_admin_carries_no_other_states_answer(sqlite_url: str) -> None:
    runtimes = Runtimes(Settings(database_url=sqlite_url))

    with running_hub(runtimes) as url:
        engine = runtimes.first.engine
        watchers = {
            scope: issue_key(engine, admin_scope=scope) for scope in ("OR", "*", "VT", "TX")
        }
        seen: dict[str, list[dict[str, Any]]] = {scope: [] for scope in watchers}
        threads = []
        for scope, secret in watchers.items():
            ready = threading.Event()
            thread = threading.Thread(
                target=_watch, args=(url, secret, seen[scope], ready), daemon=True
            )
            thread.start()
            assert ready.wait(10)
            threads.append(thread)
        ny = {"Authorization": f"Bearer {issue_key(engine, ori='NY0303000')}"}
        ice = {"Authorization": f"Bearer {issue_key(engine, ori='VTICE0900')}"}
        text = f"DQ.NY0303000.WA,OR.TXTOLN/{WA_DRIVER['OLN']}"
        sent = httpx.post(f"{url}/v1/messages", content=text, headers=ny).json()
        # The end mark: every watcher here sees Vermont's message to Oregon and Texas.
        httpx.post(f"{url}/v1/messages", content="DQ.VTICE0900.OR,TX.TXTOLN/X1", headers=ice)
        for thread in threads:
            thread.join(20)

    first = [e for e in seen["OR"] if e["id"] == sent["id"]]
    assert len(first) == 1
    oregon = first[0]
    assert {r["destination"]: r for r in oregon["results"]}["WA"] == _routed("WA")
    assert {r["destination"]: r["status"] for r in oregon["results"]} == {
        "WA": "routed",
        "OR": "answered",
    }
    assert oregon["text"] == text
    for secret in WA_SECRETS:
        assert secret not in json.dumps(seen["OR"])
    # The whole switch's watcher had the DR: it was there to leak.
    [whole] = [e for e in seen["*"] if e["id"] == sent["id"]]
    assert whole["results"][0]["response"]["fields"]["SOC"] == WA_DRIVER["SOC"]
    # Vermont and Texas: not New York's message at all; Vermont's own, routed only.
    assert [e["ori"] for e in seen["VT"]] == [e["ori"] for e in seen["TX"]] == ["VTICE0900"]
    assert [r["status"] for r in seen["VT"][0]["results"]] == ["routed", "routed"]
    [texas] = [r for r in seen["TX"][0]["results"] if r["destination"] == "TX"]
    assert "decision" in texas
