"""GET /v1/audit, admin scopes, and the audit of refused requests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from simulators.dmv import StateDMV
from switch.access.keys import issue_key
from switch.api.app import create_app
from switch.api.deps import get_admin
from switch.app.runtime import Runtime
from switch.db.schema import audit_records
from tests.utils.hubs import Keys, make_client

WA_OLN = StateDMV("WA").driver(5)["OLN"]
NY_OLN = StateDMV("NY").driver(5)["OLN"]
TX_LIC = StateDMV("TX").vehicle(5)["LIC"]


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class Hub:
    """A client, its keys, and admins scoped to WA and NY."""

    def __init__(self, client: TestClient, keys: Keys, runtime: Runtime) -> None:
        self.client = client
        self.keys = keys
        self.runtime = runtime
        self.wa_admin = issue_key(runtime.engine, admin_scope="WA")
        self.ny_admin = issue_key(runtime.engine, admin_scope="NY")

    def send(self, ori: str, text: str) -> str:
        response = self.client.post("/v1/messages", content=text, headers=self.keys.auth(ori))
        assert response.status_code in (200, 422), response.text
        message_id: str = response.json()["id"]
        return message_id

    def audit(self, secret: str, **params: Any) -> dict[str, Any]:
        response = self.client.get("/v1/audit", params=params, headers=_auth(secret))
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    def ids(self, secret: str, **params: Any) -> list[str]:
        return [r["id"] for r in self.audit(secret, limit=1000, **params)["records"]]

    def records(self) -> int:
        with self.runtime.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_records)).scalar_one())

    def record(self, record_id: str) -> Any:
        with self.runtime.engine.connect() as conn:
            return conn.execute(select(audit_records).where(audit_records.c.id == record_id)).one()


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    with make_client(database_url) as (client, keys, runtime):
        yield Hub(client, keys, runtime)


@pytest.fixture
def traffic(hub: Hub) -> dict[str, str]:
    """One message of each kind a scope must tell apart."""
    return {
        "ny_to_wa": hub.send("NY0303000", f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}"),
        "ice_to_wa": hub.send("VTICE0900", f"DQ.VTICE0900.WA.TXTOLN/{WA_OLN}"),
        "ice_to_ny": hub.send("VTICE0900", f"DQ.VTICE0900.NY.TXTOLN/{NY_OLN}"),
        "wa_to_tx": hub.send("WAOLN0000", f"RQ.WAOLN0000.TX.TXTLIC/{TX_LIC}"),
        "ny_to_all": hub.send("NY0303000", f"DQ.NY0303000.NL.TXTOLN/{WA_OLN}"),
        "ny_malformed": hub.send("NY0303000", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN"),
    }


# Reading the audit


def test_a_state_admin_sees_only_records_touching_its_state(
    hub: Hub, traffic: dict[str, str]
) -> None:
    everything = hub.ids(hub.keys.admin)
    assert set(traffic.values()) <= set(everything)
    wa = hub.ids(hub.wa_admin)
    assert set(wa) == {traffic[k] for k in ("ny_to_wa", "ice_to_wa", "wa_to_tx", "ny_to_all")}
    ny = hub.ids(hub.ny_admin)
    assert set(ny) == {traffic[k] for k in ("ny_to_wa", "ice_to_ny", "ny_to_all", "ny_malformed")}
    # Of another state's agency's message, a state admin sees its own outcome
    # whole and of the others only that the message was routed there.
    [fan_out] = [r for r in hub.audit(hub.wa_admin)["records"] if r["id"] == traffic["ny_to_all"]]
    assert {r["state"] for r in fan_out["results"] if "decision" in r} == {"WA"}
    withheld = [r for r in fan_out["results"] if r["state"] != "WA"]
    assert len(withheld) > 40
    assert all(
        r == {"destination": r["state"], "state": r["state"], "status": "routed"} for r in withheld
    )
    # Its own agency's message likewise: the other states' answers are theirs.
    [own] = [r for r in hub.audit(hub.ny_admin)["records"] if r["id"] == traffic["ny_to_all"]]
    assert len({r["state"] for r in own["results"]}) > 40
    assert {r["state"] for r in own["results"] if "decision" in r} == {"NY"}
    # What a record says.
    [denied] = [r for r in hub.audit(hub.wa_admin)["records"] if r["id"] == traffic["ice_to_wa"]]
    assert (denied["ori"], denied["key"], denied["outcome"]) == ("VTICE0900", "DQ", "routed")
    assert denied["received_at"].endswith("+00:00")
    [result] = denied["results"]
    assert (result["state"], result["decision"], result["rule"]) == ("WA", "deny", "wa-no-ice")


def test_filters(hub: Hub, traffic: dict[str, str]) -> None:
    admin = hub.keys.admin
    assert set(hub.ids(admin, ori="vtice0900")) == {traffic["ice_to_wa"], traffic["ice_to_ny"]}
    assert hub.ids(admin, key="RQ") == [traffic["wa_to_tx"]]
    assert hub.ids(admin, outcome="rejected") == [traffic["ny_malformed"]]
    assert set(hub.ids(admin, state="TX")) == {traffic["wa_to_tx"], traffic["ny_to_all"]}
    assert hub.ids(admin, decision="deny", state="WA") == [traffic["ice_to_wa"]]
    assert traffic["ice_to_wa"] in hub.ids(hub.wa_admin, decision="deny")
    ny_key = hub.runtime.keys.resolve(hub.keys.agency["NY0303000"]).key_id
    assert set(hub.ids(admin, key_id=ny_key)) == {
        traffic[k] for k in ("ny_to_wa", "ny_to_all", "ny_malformed")
    }
    assert set(traffic.values()) <= set(hub.ids(admin, since="2000-01-01", until="2999-12-31"))
    assert hub.ids(admin, since="2999-01-01") == []
    assert hub.ids(admin, until="2000-01-01") == []


def test_pages_follow_the_cursor_in_either_order(hub: Hub, traffic: dict[str, str]) -> None:
    admin = hub.keys.admin
    every = hub.ids(admin)
    for order, expected in (("desc", every), ("asc", every[::-1])):
        seen: list[str] = []
        params: dict[str, Any] = {"limit": 2, "order": order}
        while True:
            page = hub.audit(admin, **params)
            assert len(page["records"]) <= 2
            seen += [r["id"] for r in page["records"]]
            if page["next"] is None:
                break
            params["cursor"] = page["next"]
        assert seen == expected
    seqs = [r["seq"] for r in hub.audit(admin, limit=1000)["records"]]
    assert seqs == sorted(seqs, reverse=True)
    # A cursor keeps the order it was made in.
    page = hub.audit(admin, limit=1)
    response = hub.client.get(
        "/v1/audit", params={"cursor": page["next"], "order": "asc"}, headers=hub.keys.admin_auth
    )
    assert response.status_code == 422
    assert "order=desc" in response.json()["error"]["message"]


BAD_QUERIES: list[dict[str, Any]] = [
    {"cursor": "not-a-cursor"},
    {"cursor": "YzE6ZGVzYzp4"},  # c1:desc:x
    {"since": "last tuesday"},
    {"until": "2025-13-45"},
    {"state": "ZZ"},
    {"limit": 0},
    {"limit": 1001},
    {"outcome": "maybe"},
    {"order": "sideways"},
]


def test_a_bad_query_is_422_never_500(hub: Hub) -> None:
    for params in BAD_QUERIES:
        response = hub.client.get("/v1/audit", params=params, headers=hub.keys.admin_auth)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["message"]


# Admin scopes


def _summary(hub: Hub, state: str) -> Any:
    return hub.client.get(f"/v1/policies/{state}", headers=hub.keys.admin_auth).json()


def test_a_state_admin_reaches_its_state_and_nothing_of_another(hub: Hub) -> None:
    wa = _auth(hub.wa_admin)
    client = hub.client
    wa_text, ny_text = _summary(hub, "WA")["text"], _summary(hub, "NY")["text"]
    allowed = [
        client.get("/v1/policies/WA", headers=wa),
        client.put("/v1/policies/WA", content=wa_text, headers=wa),
        client.post("/v1/policies/WA/explain", json={"ori": "VTICE0900"}, headers=wa),
        client.get("/v1/reports/WA", headers=wa),
        client.get("/v1/audit", headers=wa),
        client.get("/v1/audit", params={"state": "wa"}, headers=wa),
    ]
    assert [r.status_code for r in allowed] == [200] * len(allowed), [r.text for r in allowed]
    before = hub.records()
    refused = [
        client.get("/v1/policies/NY", headers=wa),
        client.put("/v1/policies/NY", content=ny_text, headers=wa),
        client.post("/v1/policies/NY/explain", json={"ori": "VTICE0900"}, headers=wa),
        client.get("/v1/reports/NY", headers=wa),
        client.get("/v1/audit", params={"state": "NY"}, headers=wa),
        client.get("/v1/status/NY", headers=wa),
        client.post("/v1/warrants", json={"kind": "judicial", "to": "VTICE0900"}, headers=wa),
        client.post("/v1/scenarios/any/run", headers=wa),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert hub.records() == before + len(refused)
    assert _summary(hub, "NY")["text"] == ny_text


def _depends_on(dependant: Any, call: Any) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)  # an included router
        if included is not None:
            yield from _api_routes(included.routes)
        elif isinstance(route, APIRoute):
            yield route


def _admin_routes() -> list[tuple[str, str]]:
    """Every route an admin key guards, as (method, path with made-up values)."""
    routes = {
        (method, re.sub(r"\{state\}", "WA", re.sub(r"\{(?!state)[^}]+\}", "x", route.path)))
        for route in _api_routes(create_app().routes)
        if _depends_on(route.dependant, get_admin)
        for method in route.methods or ()
    }
    # The live flow checks the key itself: EventSource sends it as ?key=.
    routes.add(("GET", "/v1/events"))
    return sorted(routes)


def test_agency_keys_reach_no_admin_route_and_each_try_is_audited(hub: Hub) -> None:
    routes = _admin_routes()
    assert len(routes) >= 20 and ("GET", "/v1/audit") in routes
    before = hub.records()
    for method, path in routes:
        response = hub.client.request(method, path, headers=hub.keys.auth("NY0303000"))
        assert response.status_code == 403, (method, path, response.text)
        record = hub.record(response.json()["id"])
        assert (record.outcome, record.http_status, record.sender_ori) == (
            "refused",
            403,
            "NY0303000",
        )
        assert record.raw == f"{method} {path}"
        assert record.identity.endswith("/NY0303000")
    assert hub.records() == before + len(routes)


# Refusals in the audit


def _one_new(hub: Hub, before: int, response: Any) -> Any:
    assert hub.records() == before + 1
    return hub.record(response.json()["id"])


def test_each_refusal_is_audited_once_with_who_and_what(hub: Hub) -> None:
    # 401s are counted per client and written a window at a time:
    # tests/api/test_refused_requests.py.
    client = hub.client
    before = hub.records()
    scoped = client.get("/v1/policies/NY", headers=_auth(hub.wa_admin))
    record = _one_new(hub, before, scoped)
    wa_key = hub.runtime.keys.resolve(hub.wa_admin).key_id
    assert (record.identity, record.raw, record.http_status) == (
        f"{wa_key}/admin:WA",
        "GET /v1/policies/NY",
        403,
    )
    assert record.client == "testclient"

    # The hub audits what it refuses itself, with the message; nothing twice.
    for secret, text in (
        (hub.keys.admin, "DQ.NY0303000.WA.TXTOLN/1"),
        (hub.keys.agency["VTICE0900"], "DQ.NY0303000.WA.TXTOLN/1"),
    ):
        before = hub.records()
        response = client.post("/v1/messages", content=text, headers=_auth(secret))
        assert response.status_code == 403
        record = _one_new(hub, before, response)
        assert record.raw == text and record.outcome == "rejected"

    refusals = hub.ids(hub.keys.admin, outcome="refused")
    assert scoped.json()["id"] in refusals
