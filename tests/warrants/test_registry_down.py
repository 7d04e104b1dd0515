"""The court registry down: the explain endpoint says so in a JSON 503, and
a real message citing a warrant is still denied (the policy fails closed).

The registry is taken down by dropping its table, as the audit's failure
tests drop theirs."""

from __future__ import annotations

from sqlalchemy import text

from simulators.dmv import StateDMV
from switch.warrants import WarrantRegistry
from tests.utils.hubs import make_client

NY_DRIVER = StateDMV("NY").driver(7)


def test_explain_citing_a_warrant_while_the_registry_is_down_is_a_json_503(
    database_url: str,
) -> None:
    with make_client(database_url, oris=("VTICE0900",)) as (client, keys, runtime):
        registry = WarrantRegistry(runtime.engine, runtime.directory)
        judicial = registry.issue(kind="judicial", to="VTICE0900", oln=NY_DRIVER["OLN"])
        ask = {"ori": "VTICE0900", "warrant": judicial.id, "fields": {"OLN": NY_DRIVER["OLN"]}}
        up = client.post("/v1/policies/NY/explain", json=ask, headers=keys.admin_auth)
        assert up.status_code == 200 and up.json()["decision"]["effect"] == "permit"

        with runtime.engine.begin() as conn:
            conn.execute(text("DROP TABLE warrants"))
        down = client.post("/v1/policies/NY/explain", json=ask, headers=keys.admin_auth)
        assert down.status_code == 503
        assert down.headers["content-type"] == "application/json"
        assert down.json() == {
            "error": {
                "code": "REGISTRY_UNAVAILABLE",
                "message": "the court registry cannot be asked about the warrant now; "
                "try again later",
            }
        }
        # What-if by level asks no registry, and still answers.
        level = {"ori": "VTICE0900", "warrant_level": "judicial"}
        what_if = client.post("/v1/policies/NY/explain", json=level, headers=keys.admin_auth)
        assert what_if.status_code == 200

        query = f"DQ.VTICE0900.NY.TXTOLN/{NY_DRIVER['OLN']}.WRT/{judicial.id}"
        sent = client.post("/v1/messages", content=query, headers=keys.auth("VTICE0900"))
        result = sent.json()["results"][0]
        assert (sent.status_code, result["decision"], result["status"]) == (200, "deny", "rejected")


def test_a_warrant_id_no_database_can_hold_is_still_the_callers_422(database_url: str) -> None:
    with make_client(database_url, oris=("VTICE0900",)) as (client, keys, _):
        ask = {"ori": "VTICE0900", "warrant": "JW-2026-\x00", "fields": {"OLN": "X1"}}
        answer = client.post("/v1/policies/NY/explain", json=ask, headers=keys.admin_auth)
    if database_url.startswith("postgresql"):  # a NUL it cannot hold: not a registry fault
        assert answer.status_code == 422 and answer.json()["error"]["code"] == ".22."
    else:  # SQLite holds it: an id the registry does not know, worth "cited"
        assert answer.status_code == 200
