"""A hub never fails open on its policies: a refused file closes its own
state and says so in /healthz, a PUT for no jurisdiction is refused on the
record, and the policies shipped with the package are never written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

import switch.settings
from simulators.dmv import StateDMV
from switch.access.keys import issue_key
from switch.app.runtime import Runtime
from switch.db.schema import audit_records
from tests.utils.hubs import make_client

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
BROKEN_WA = "state: WA\ntitle: broken\nrules:\n  - id: x\n    effect: deny\n"
OPEN_WA = "state: WA\ntitle: open\nrules: []\n"
PROBLEM = "WA.yaml:4: rules.0: a deny rule must give a reason: the requester is told it"


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("tests"))
    return folder


def test_a_file_refused_at_start_denies_its_state_and_the_others_run(
    database_url: str, policies: Path
) -> None:
    (policies / "WA.yaml").write_text(BROKEN_WA)
    wa_oln = StateDMV("WA").driver(1)["OLN"]
    with make_client(database_url, policies=policies, policy_poll_seconds=0) as (
        client,
        keys,
        _,
    ):
        text = f"DQ.NY0303000.WA,TX.TXTOLN/{wa_oln}"
        body = client.post("/v1/messages", content=text, headers=keys.auth("NY0303000")).json()
        wa, tx = body["results"]
        assert (wa["decision"], wa["status"], wa["rule"]) == ("deny", "rejected", "policy-refused")
        er = wa["response"]["text"].splitlines()
        assert er[-3:] == [
            ".02. MESSAGE TYPE NOT ALLOWED TO DESTINATION",
            "DENIED BY WA POLICY RULE policy-refused: "
            f"no valid policy in force, so every query is denied: {PROBLEM}",
            text,
        ]
        assert (tx["decision"], tx["status"]) == ("permit", "answered")
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["policies"] == {
            "source": "SWITCH_POLICIES",
            "in_force": 51,
            "failing_closed": ["WA"],
            "problems": [PROBLEM],
        }


def test_a_file_refused_on_reload_keeps_the_version_and_shows_in_healthz(
    sqlite_url: str, policies: Path
) -> None:
    shipped = (policies / "WA.yaml").read_text()
    wa_oln = StateDMV("WA").driver(1)["OLN"]
    with make_client(sqlite_url, policies=policies, policy_poll_seconds=0) as (
        client,
        keys,
        runtime,
    ):
        assert client.get("/healthz").json()["status"] == "ok"
        (policies / "WA.yaml").write_text(BROKEN_WA)
        runtime.policies.reload_changed()
        health = client.get("/healthz").json()
        assert (health["status"], health["policies"]["problems"]) == ("degraded", [PROBLEM])
        assert health["policies"]["failing_closed"] == []
        text = f"DQ.VTICE0900.WA.TXTOLN/{wa_oln}"
        [wa] = client.post("/v1/messages", content=text, headers=keys.auth("VTICE0900")).json()[
            "results"
        ]
        assert wa["rule"] == "wa-no-ice"
        (policies / "WA.yaml").write_text(shipped)
        runtime.policies.reload_changed()
        assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.parametrize("state", ["ZZ", "zz", "NL", "W"])
def test_a_put_for_no_jurisdiction_is_refused_and_audited(
    database_url: str, policies: Path, state: str
) -> None:
    with make_client(database_url, policies=policies, policy_poll_seconds=0) as (
        client,
        keys,
        runtime,
    ):
        body = OPEN_WA.replace("WA", state.upper())
        reply = client.put(f"/v1/policies/{state}", content=body, headers=keys.admin_auth)
        assert reply.status_code == 422
        error = reply.json()["error"]
        assert error["code"] == "UNKNOWN_STATE"
        assert error["message"] == (
            f"'{state.upper()}' is not a jurisdiction: expected a code such as WA"
        )
        assert not (policies / f"{state.upper()}.yaml").exists()
        assert state.upper() not in runtime.policies.versions()
        with runtime.engine.connect() as conn:
            rows = conn.execute(
                select(audit_records).where(audit_records.c.raw == f"PUT /v1/policies/{state}")
            ).all()
        # On the record as a refused admin act, with the error the caller got.
        assert [(r.outcome, r.http_status, json.loads(r.detail)) for r in rows] == [
            ("refused", 422, {"error": error})
        ]


def test_a_state_admin_putting_no_jurisdiction_is_refused_by_scope(
    sqlite_url: str, policies: Path
) -> None:
    with make_client(sqlite_url, policies=policies, policy_poll_seconds=0) as (client, _, runtime):
        from_wa = {"Authorization": f"Bearer {issue_key(runtime.engine, admin_scope='WA')}"}
        reply = client.put("/v1/policies/ZZ", content=OPEN_WA, headers=from_wa)
        assert reply.status_code == 403
        assert not (policies / "ZZ.yaml").exists()


def test_a_put_to_the_packaged_policies_is_kept_out_of_the_package(
    sqlite_url: str,
    policies: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No SWITCH_POLICIES and no ./policies: the hub takes the package's,
    # here a copy standing in for site-packages/switch_policies.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(switch.settings, "packaged_policies", lambda: policies)
    shipped = (policies / "WA.yaml").read_text()
    with make_client(sqlite_url, policy_poll_seconds=0) as (client, keys, runtime):
        assert client.get("/healthz").json()["policies"]["source"] == "package"
        reply = client.put("/v1/policies/WA", content=OPEN_WA, headers=keys.admin_auth)
        assert reply.status_code == 200
        assert _text(runtime, "WA") == OPEN_WA
    assert (policies / "WA.yaml").read_text() == shipped
    assert not list(policies.glob(".WA.*"))
    # In the database, so it is still the version in force after a restart.
    with make_client(sqlite_url, policy_poll_seconds=0) as (_, _, again):
        assert _text(again, "WA") == OPEN_WA


def _text(runtime: Runtime, state: str) -> str | None:
    policy = runtime.policies.get(state)
    return policy.text if policy is not None else None


@pytest.mark.parametrize("segment", ["%00", "A" * 3000, "%F0%9F%92%A9", "W%0AA", "..%5C..%5CWA"])
def test_a_hostile_state_in_the_path_is_refused_whole(
    database_url: str, policies: Path, segment: str
) -> None:
    with make_client(database_url, policies=policies, policy_poll_seconds=0) as (
        client,
        keys,
        runtime,
    ):
        before = sorted(p.name for p in policies.rglob("*"))
        reply = client.put(f"/v1/policies/{segment}", content=OPEN_WA, headers=keys.admin_auth)
        assert (reply.status_code, reply.json()["error"]["code"]) == (422, "UNKNOWN_STATE")
        assert len(reply.json()["error"]["message"]) < 100
        assert sorted(p.name for p in policies.rglob("*")) == before
        with runtime.engine.connect() as conn:
            rows = conn.execute(
                select(audit_records.c.http_status).where(
                    audit_records.c.raw.startswith("PUT /v1/policies/")
                )
            ).all()
        assert [r.http_status for r in rows] == [422]
