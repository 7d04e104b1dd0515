"""The shipped policies enforced on live traffic, and managed over the API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from simulators.dmv import StateDMV
from switch.db.schema import audit_outcomes, notices
from switch.warrants import WarrantRegistry
from tests.utils.destinations import FakeState
from tests.utils.hubs import make_client
from tests.utils.polling import until

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
NY_DRIVER = StateDMV("NY").driver(7)
ORIS = ("NY0303000", "VTICE0900", "NYHSI0200")


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(SHIPPED, folder)
    return folder


def _send(client, keys, ori: str, text: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/messages", content=text, headers=keys.auth(ori))


def test_ice_to_wa_is_refused_naming_the_rule_and_tx_answers(database_url: str) -> None:
    wa_oln = StateDMV("WA").driver(1)["OLN"]
    with make_client(database_url, oris=ORIS) as (client, keys, runtime):
        body = _send(client, keys, "VTICE0900", f"DQ.VTICE0900.WA,TX.TXTOLN/{wa_oln}").json()
        wa, tx = body["results"]
        assert (wa["decision"], wa["status"], wa["rule"]) == ("deny", "rejected", "wa-no-ice")
        assert wa["response"]["key"] == "ER"
        er_text = wa["response"]["text"]
        assert ".02. MESSAGE TYPE NOT ALLOWED TO DESTINATION" in er_text
        assert "wa-no-ice" in er_text and "Keep Washington Working" in er_text
        assert (tx["decision"], tx["status"], tx["response"]["key"]) == ("permit", "answered", "DR")
        with runtime.engine.connect() as conn:
            rows = conn.execute(
                select(
                    audit_outcomes.c.state, audit_outcomes.c.rule, audit_outcomes.c.policy_version
                )
                .where(audit_outcomes.c.message_id == body["id"])
                .order_by(audit_outcomes.c.seq)
            ).all()
        versions = runtime.policies.versions()
        assert [tuple(r) for r in rows] == [
            ("WA", "wa-no-ice", versions["WA"]),
            ("TX", None, versions["TX"]),
        ]


def test_a_denied_query_never_reaches_the_state(sqlite_url: str) -> None:
    wa = FakeState("WA")
    with make_client(sqlite_url, oris=ORIS, destinations={"WA": wa}) as (client, keys, _):
        _send(client, keys, "VTICE0900", "DQ.VTICE0900.WA.TXTOLN/X1")
        assert wa.received == []
        _send(client, keys, "NY0303000", "DQ.NY0303000.WA.TXTOLN/X1")
        assert len(wa.received) == 1


def test_judicial_warrant_opens_ny_and_creates_a_notice(database_url: str) -> None:
    with make_client(database_url, oris=ORIS) as (client, keys, runtime):
        registry = WarrantRegistry(runtime.engine, runtime.directory)
        judicial = registry.issue(kind="judicial", to="VTICE0900", oln=NY_DRIVER["OLN"])
        i200 = registry.issue(kind="administrative", to="VTICE0900", oln=NY_DRIVER["OLN"])
        query = f"DQ.VTICE0900.NY.TXTOLN/{NY_DRIVER['OLN']}.WRT/"

        refused = _send(client, keys, "VTICE0900", query + i200.id).json()["results"][0]
        assert (refused["decision"], refused["rule"]) == ("deny", "ny-immigration-judicial-only")

        opened = _send(client, keys, "VTICE0900", query + judicial.id).json()
        result = opened["results"][0]
        assert (result["decision"], result["rule"]) == ("permit", "ny-immigration-judicial-release")
        assert result["response"]["fields"]["OLN"] == NY_DRIVER["OLN"]
        assert result["obligations"] == ["notify_subject(3 business days)", "report"]
        with runtime.engine.connect() as conn:
            owed = conn.execute(select(notices)).all()
            outcome = conn.execute(
                select(audit_outcomes).where(audit_outcomes.c.message_id == opened["id"])
            ).one()
        assert [(n.state, n.requester_ori, n.message_id) for n in owed] == [
            ("NY", "VTICE0900", opened["id"])
        ]
        assert NY_DRIVER["OLN"] in owed[0].subject
        assert (outcome.warrant, outcome.reported, outcome.flagged) == ("judicial", 1, 0)

        listed = client.get("/v1/notices", params={"state": "NY"}, headers=keys.admin_auth)
        assert listed.status_code == 200 and len(listed.json()) >= 1
        seq = listed.json()[0]["seq"]
        from switch.access.keys import issue_key

        wa_admin = {"Authorization": f"Bearer {issue_key(runtime.engine, admin_scope='WA')}"}
        sent = "/v1/notices/sent"
        assert client.post(sent, json={"seq": [seq]}, headers=wa_admin).json() == {"marked": 0}
        assert client.post(sent, json={"seq": [seq]}, headers=keys.admin_auth).json() == {
            "marked": 1
        }
        assert client.post(sent, json={"seq": []}, headers=keys.admin_auth).status_code == 422
        report = client.get("/v1/reports/NY", headers=keys.admin_auth).json()
        assert report["notices"]["sent"] == 1


def test_a_warrant_for_someone_else_is_worthless(sqlite_url: str) -> None:
    with make_client(sqlite_url, oris=ORIS) as (client, keys, runtime):
        registry = WarrantRegistry(runtime.engine, runtime.directory)
        other = StateDMV("NY").driver(8)["OLN"]
        judicial = registry.issue(kind="judicial", to="VTICE0900", oln=other)
        body = _send(
            client,
            keys,
            "VTICE0900",
            f"DQ.VTICE0900.NY.TXTOLN/{NY_DRIVER['OLN']}.WRT/{judicial.id}",
        ).json()
        assert body["results"][0]["decision"] == "deny"
        # The HTTP explain says why, as `switch policy explain --warrant-id` does.
        trace = client.post(
            "/v1/policies/NY/explain",
            json={"ori": "VTICE0900", "warrant": judicial.id, "fields": {"OLN": NY_DRIVER["OLN"]}},
            headers=keys.admin_auth,
        ).json()
        assert trace["warrant"]["id"] == judicial.id and trace["warrant"]["level"] == "cited"
        assert trace["warrant"]["reason"] == (
            f"warrant {judicial.id} names another person: its OLN is not the query's"
        )


def test_put_policy_takes_effect_and_an_invalid_one_is_refused(
    sqlite_url: str, policies: Path
) -> None:
    with make_client(sqlite_url, oris=ORIS, policies=policies) as (client, keys, runtime):
        before = client.get("/v1/policies/WA", headers=keys.admin_auth).json()
        assert before["rules"] == ["wa-judicial-warrant", "wa-no-ice"]
        bad = client.put(
            "/v1/policies/WA",
            content="state: WA\ntitle: t\nrules:\n  - id: x\n    effect: deny\n",
            headers=keys.admin_auth,
        )
        assert bad.status_code == 422
        assert "WA.yaml:4" in bad.json()["error"]["message"]
        assert runtime.policies.versions()["WA"] == before["version"]

        open_wa = "state: WA\ntitle: open\nrules: []\n"
        good = client.put("/v1/policies/WA", content=open_wa, headers=keys.admin_auth)
        assert good.status_code == 200 and good.json()["version"] != before["version"]
        result = _send(client, keys, "VTICE0900", "DQ.VTICE0900.WA.TXTOLN/X1").json()["results"][0]
        assert result["decision"] == "permit"
        assert result["policy_version"] == good.json()["version"]
        # The version is in the database; the folder is never written.
        assert (policies / "WA.yaml").read_bytes() == (SHIPPED / "WA.yaml").read_bytes()


def test_a_changed_file_takes_effect_without_a_restart(sqlite_url: str, policies: Path) -> None:
    with make_client(sqlite_url, oris=ORIS, policies=policies, policy_poll_seconds=0.05) as (
        client,
        keys,
        _,
    ):
        assert (
            _send(client, keys, "NY0303000", "DQ.NY0303000.TX.TXTOLN/X1").json()["results"][0][
                "decision"
            ]
            == "permit"
        )
        (policies / "TX.yaml").write_text(
            "state: TX\ntitle: t\ndefault: deny\nrules: []\n# a change\n"
        )
        decision = until(
            lambda: _send(client, keys, "NY0303000", "DQ.NY0303000.TX.TXTOLN/X1").json()["results"][
                0
            ]["decision"],
            lambda decision: decision != "permit",
            seconds=5,
        )
        assert decision == "deny"


def test_explain_endpoint_and_admin_scope(sqlite_url: str) -> None:
    with make_client(sqlite_url, oris=ORIS) as (client, keys, runtime):
        from switch.access.keys import issue_key

        wa_admin = {"Authorization": f"Bearer {issue_key(runtime.engine, admin_scope='WA')}"}
        trace = client.post(
            "/v1/policies/WA/explain", json={"ori": "NYHSI0200", "key": "DQ"}, headers=wa_admin
        ).json()
        assert trace["decision"]["rule"] == "wa-no-ice"
        assert [r["id"] for r in trace["rules"]] == ["wa-judicial-warrant", "wa-no-ice"]
        assert client.get("/v1/policies/NY", headers=wa_admin).status_code == 403
        assert client.get("/v1/policies/WA", headers=keys.auth("NY0303000")).status_code == 403
        what_if = client.post(
            "/v1/policies/NY/explain",
            json={"ori": "VTICE0900", "warrant_level": "judicial"},
            headers=keys.admin_auth,
        ).json()
        assert what_if["decision"]["effect"] == "permit"
        assert what_if["decision"]["obligations"] == ["notify_subject(3 business days)", "report"]
