"""Regional queries through POST /v1/messages, with the shipped policies and
simulated states: one leg per state in the region, each audited apart."""

from __future__ import annotations

from sqlalchemy import select

from simulators.dmv import StateDMV
from switch.db.schema import audit_outcomes, audit_records
from switch.directory.regions import shipped_regions
from tests.utils.hubs import make_client

NEW_ENGLAND = shipped_regions()["RA"]  # NY and MA refuse ICE-ERO without a judicial warrant
NY = StateDMV("NY").driver(7)
BY_NAME = f"NAM/{NY['NAM']}.DOB/{NY['DOB']}.SEX/{NY['SEX']}"


def _legs(runtime, message_id: str):  # type: ignore[no-untyped-def]
    with runtime.engine.connect() as conn:
        record = conn.execute(select(audit_records).where(audit_records.c.id == message_id)).one()
        outcomes = conn.execute(
            select(audit_outcomes)
            .where(audit_outcomes.c.message_id == message_id)
            .order_by(audit_outcomes.c.seq)
        ).all()
    return record, outcomes


def test_a_dqg_to_a_region_answers_and_audits_every_state(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        text = f"DQG.NY0303000.RA.TXT{BY_NAME}"
        response = client.post("/v1/messages", content=text, headers=keys.auth("NY0303000"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["key"] == "DQ" and "priority" not in body and "summary" not in body
        results = body["results"]
        assert [r["destination"] for r in results] == list(NEW_ENGLAND.states)
        assert {r["status"] for r in results} == {"answered"}
        assert {r["response"]["key"] for r in results} == {"DR"}
        hits = [r for r in results if r["response"]["fields"].get("NAM") == NY["NAM"]]
        assert [r["destination"] for r in hits] == ["NY"]
        record, outcomes = _legs(runtime, body["id"])
        # The record keeps what was sent; each state's leg is its own outcome.
        assert record.raw == text and record.destinations == "RA"
        assert [o.state for o in outcomes] == list(NEW_ENGLAND.states)
        assert {o.message_key for o in outcomes} == {"DQ"}


def test_states_that_deny_answer_their_leg_with_an_er_02(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        text = f"DQG.VTICE0900.RA.TXT{BY_NAME}"
        body = client.post("/v1/messages", content=text, headers=keys.auth("VTICE0900")).json()
        by_state = {r["destination"]: r for r in body["results"]}
        assert set(by_state) == set(NEW_ENGLAND.states)
        for state in ("NY", "MA"):
            leg = by_state[state]
            assert (leg["decision"], leg["status"]) == ("deny", "rejected")
            assert leg["response"]["key"] == "ER"
            assert ".02. MESSAGE TYPE NOT ALLOWED TO DESTINATION" in leg["response"]["text"]
            assert f"DENIED BY {state} POLICY RULE {leg['rule']}" in leg["response"]["text"]
        assert {by_state[s]["status"] for s in ("CT", "ME", "NH", "RI", "VT")} == {"answered"}
        _, outcomes = _legs(runtime, body["id"])
        denied = {o.state: o.rule for o in outcomes if o.decision == "deny"}
        assert set(denied) == {"NY", "MA"} and all(denied.values())


def test_a_dq_to_a_region_is_answered_at_low_priority(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        text = f"DQ.NY0303000.RA.TXT{BY_NAME}"
        response = client.post("/v1/messages", content=text, headers=keys.auth("NY0303000"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["priority"] == "low"
        assert [r["destination"] for r in body["results"]] == list(NEW_ENGLAND.states)
        assert {r["status"] for r in body["results"]} == {"answered"}
        _, outcomes = _legs(runtime, body["id"])
        assert len(outcomes) == len(NEW_ENGLAND.states)


def test_an_unknown_region_is_er_19_and_audited(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        text = f"DQG.NY0303000.RZ.TXT{BY_NAME}"
        response = client.post("/v1/messages", content=text, headers=keys.auth("NY0303000"))
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == ".19." and error["er_text"].startswith(".19. INVALID DESTINATION")
        assert text in error["er_text"]
        record, outcomes = _legs(runtime, response.json()["id"])
        assert record.outcome == "rejected" and record.er_code == ".19." and outcomes == []
