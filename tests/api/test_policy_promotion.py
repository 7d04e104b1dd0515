"""A candidate's way into force over HTTP: propose (PUT ?candidate=true),
replay against its exact hash, approval by a second key, promote with the
evidence kept on the new version, rollback; each refusal; each step an
admin act in the chain; a state admin of another state refused everywhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from switch.access.keys import issue_key
from switch.db.schema import audit_records
from switch.reports import build_report, render
from tests.impact.test_replay import write_history
from tests.utils.hubs import make_client
from tests.utils.polling import until

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
# Washington with ICE-HSI let through and CBP refused: against the recorded
# January 2025 traffic, one HSI denial opens up and two CBP permits close.
WA_CANDIDATE = """# a candidate, for a test
state: WA
title: Washington, ERO only, no CBP
rules:
  - id: wa-no-ero
    effect: deny
    reason: no ERO
    when: {requester.component: ICE-ERO}
  - id: wa-no-cbp
    effect: deny
    reason: no CBP
    when: {requester.component: CBP}
"""
WINDOW = {"since": "2025-01-01", "until": "2025-01-31"}
NEW_ROUTES = (
    ("POST", "/v1/policies/{st}/candidate/replay"),
    ("POST", "/v1/policies/{st}/promote"),
    ("POST", "/v1/policies/{st}/versions/sha256:00/approve"),
    ("GET", "/v1/policies/{st}/versions/sha256:00/replays"),
    ("GET", "/v1/policies/{st}/settings"),
    ("PUT", "/v1/policies/{st}/settings"),
)


def _folder(path: Path) -> Path:
    path.mkdir()
    for name in ("WA.yaml", "TX.yaml"):
        shutil.copy(SHIPPED / name, path / name)
    return path


def _acts(engine: Engine) -> list[tuple[str, str, str, int, dict[str, Any]]]:
    """Every policy admin act in chain order: act, identity, outcome, status, details."""
    r = audit_records.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.act, r.identity, r.outcome, r.http_status, r.detail)
            .where(r.kind == "admin", r.act.like("policy.%"), r.act != "policy.file")
            .order_by(r.chain_pos)
        )
        return [(a, who, out, status, json.loads(d)) for a, who, out, status, d in rows]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_propose_replay_approve_promote_rollback(database_url: str, tmp_path: Path) -> None:
    write_history(database_url).dispose()
    with make_client(database_url, policies=_folder(tmp_path / "p")) as (client, keys, runtime):
        alice, bob = keys.admin_auth, _auth(issue_key(runtime.engine, admin_scope="WA"))
        shipped = runtime.policies.versions()["WA"]
        turned_on = client.put(
            "/v1/policies/WA/settings", json={"require_approval": True}, headers=bob
        )
        assert turned_on.json() == {"state": "WA", "require_approval": True}

        put = client.put(
            "/v1/policies/WA",
            params={"candidate": "true", "comment": "let HSI in"},
            content=WA_CANDIDATE,
            headers=alice,
        )
        assert put.status_code == 200, put.text
        candidate = put.json()["candidate"]["version"]

        # No replay yet: refused, saying what to run.
        early = client.post("/v1/policies/WA/promote", json={"since": "2025-01-01"}, headers=alice)
        assert early.status_code == 409
        assert "no replay of WA's recorded traffic from 2025-01-01" in early.text

        replay = client.post("/v1/policies/WA/candidate/replay", params=WINDOW, headers=alice)
        assert replay.status_code == 200, replay.text
        evidence = replay.json()
        assert (evidence["version"], evidence["records"]) == (candidate, 5)
        assert (evidence["tightened"], evidence["loosened"]) == (2, 1)
        assert evidence["tightened_by_component"] == {"CBP": 2}
        assert evidence["tightened_by_reason"] == [
            {"rule": "wa-no-cbp", "reason": "no CBP", "count": 2}
        ]
        assert evidence["loosened_by_component"] == {"ICE-HSI": 1}
        assert evidence["loosened_by_reason"] == [
            {"rule": "(default)", "reason": "the policy's default", "count": 1}
        ]
        found = client.get(f"/v1/policies/WA/versions/{candidate}/replays", headers=alice).json()
        [kept] = found["replays"]
        assert kept["summary"] == {
            k: v for k, v in evidence.items() if k not in ("replay", "audit_id")
        }
        assert (kept["since"], kept["audit_id"]) == (
            "2025-01-01T00:00:00+00:00",
            evidence["audit_id"],
        )

        # A replay reaching back only to mid-January does not cover the first.
        assert (
            client.post(
                "/v1/policies/WA/promote", json={"since": "2024-12-01"}, headers=alice
            ).status_code
            == 409
        )
        # Approval required and missing.
        unapproved = client.post(
            "/v1/policies/WA/promote", json={"since": "2025-01-01"}, headers=alice
        )
        assert unapproved.status_code == 409 and "requires approval" in unapproved.text
        # The author cannot approve; no other hash can be approved.
        own = client.post(f"/v1/policies/WA/versions/{candidate}/approve", headers=alice)
        assert own.status_code == 403 and "cannot also approve it" in own.text
        other = client.post(f"/v1/policies/WA/versions/{shipped}/approve", headers=bob)
        assert other.status_code == 409 and "is not WA's candidate" in other.text
        approved = client.post(f"/v1/policies/WA/versions/{candidate}/approve", headers=bob)
        assert approved.status_code == 200, approved.text

        promoted = client.post(
            "/v1/policies/WA/promote",
            json={"since": "2025-01-01", "comment": "on the evidence"},
            headers=alice,
        )
        assert promoted.status_code == 200, promoted.text
        made = promoted.json()
        bob_id = runtime.keys.resolve(bob["Authorization"][7:]).key_id
        assert (made["version"], made["origin"], made["status"], made["parent"]) == (
            candidate,
            "promote",
            "in force",
            shipped,
        )
        assert made["approved_by"] == f"key:{bob_id} (WA)"
        assert made["evidence"]["tightened"] == 2 and made["evidence"]["loosened"] == 1
        assert runtime.policies.versions()["WA"] == candidate
        again = client.post("/v1/policies/WA/promote", json={"since": "2025-01-01"}, headers=alice)
        assert again.status_code == 409
        assert again.json()["error"]["message"] == (
            f"WA has no candidate policy: its last, {candidate}, was promoted; "
            "propose the next one first"
        )
        # Out of shadow mode: the state has no candidate now, and says so.
        assert client.get("/v1/policies/WA", headers=alice).json()["candidate"] is None
        statuses = client.get("/v1/policies/WA/versions", headers=alice).json()["versions"]
        assert [(v["origin"], v["status"]) for v in statuses[:2]] == [
            ("promote", "in force"),
            ("put", "promoted"),
        ]

        back = client.post("/v1/policies/WA/rollback", json={"version": shipped}, headers=bob)
        assert back.status_code == 200
        assert runtime.policies.versions()["WA"] == shipped

        acts = _acts(runtime.engine)
        assert [(name, outcome, status) for name, _, outcome, status, _ in acts] == [
            ("policy.settings", "done", 200),
            ("policy.put", "done", 200),
            ("policy.promote", "refused", 409),
            ("policy.replay", "done", 200),
            ("policy.promote", "refused", 409),
            ("policy.promote", "refused", 409),
            ("policy.approve", "refused", 403),
            ("policy.approve", "refused", 409),
            ("policy.approve", "done", 200),
            ("policy.promote", "done", 200),
            ("policy.promote", "refused", 409),
            ("policy.rollback", "done", 200),
        ]
        replayed, promotion = acts[3][4], acts[9][4]
        assert replayed["summary"] == kept["summary"]
        assert (promotion["candidate_version"], promotion["approved_by"]) == (
            candidate,
            f"key:{bob_id} (WA)",
        )
        assert acts[8][1] == f"{bob_id}/admin:WA"
        assert acts[9][4]["origin"] == "promote" and acts[9][4]["replay"] == kept["seq"]
        assert acts[0][4]["require_approval"] is True and acts[0][4]["was"] is False

        # The transparency report lists the versions, the promotion with its evidence.
        report = build_report(runtime.engine, runtime.directory, "WA")
        assert [
            (v.origin, v.candidate, v.tightened, v.loosened) for v in report.policy_versions
        ] == [
            ("file", False, None, None),
            ("put", True, None, None),
            ("promote", False, 2, 1),
            ("rollback", False, None, None),
        ]
        assert report.policy_versions[2].approved_by == f"key:{bob_id} (WA)"
        assert report.policy_versions[1].comment == "let HSI in"
        shown = json.loads(render(report, "json"))["policy_versions"][2]
        assert (shown["version"], shown["tightened"], shown["origin"]) == (candidate, 2, "promote")
        rows = render(report, "csv").splitlines()
        assert f"policy_versions,{candidate},evidence,tightened,2" in rows
        assert f"key:{bob_id} (WA)" in render(report, "html")
        assert candidate in render(report, "table")


def test_a_state_admin_of_another_state_is_refused_on_every_new_route(
    database_url: str, tmp_path: Path
) -> None:
    with make_client(database_url, policies=_folder(tmp_path / "p")) as (client, _, runtime):
        wa = _auth(issue_key(runtime.engine, admin_scope="WA"))
        for method, path in NEW_ROUTES:
            body = {"json": {"require_approval": True}} if method == "PUT" else {}
            answer = client.request(method, path.format(st="TX"), headers=wa, **body)
            assert answer.status_code == 403, (method, path, answer.text)
        refused = [(name, outcome) for name, _, outcome, _, _ in _acts(runtime.engine)]
        assert refused == [
            ("policy.replay", "refused"),
            ("policy.promote", "refused"),
            ("policy.approve", "refused"),
            ("policy.settings", "refused"),
        ]


def test_without_a_candidate_replay_and_promote_are_refused(
    database_url: str, tmp_path: Path
) -> None:
    with make_client(database_url, policies=_folder(tmp_path / "p")) as (client, keys, _):
        for path in ("/v1/policies/WA/candidate/replay", "/v1/policies/WA/promote"):
            answer = client.post(path, headers=keys.admin_auth)
            assert answer.status_code == 409
            assert answer.json()["error"]["message"] == (
                "WA has no candidate policy: propose one first"
            )
        bad = client.post(
            "/v1/policies/WA/candidate/replay", params={"since": "soon"}, headers=keys.admin_auth
        )
        assert bad.status_code == 422
        assert bad.json()["error"]["message"].startswith("since 'soon' is not an ISO date")


def test_two_hubs_agree_on_the_version_in_force_after_a_promote(
    database_url: str, tmp_path: Path
) -> None:
    folder = _folder(tmp_path / "p")
    with (
        make_client(database_url, policies=folder) as (client, keys, a),
        make_client(database_url, policies=folder) as (_, _, b),
    ):
        auth = keys.admin_auth
        client.put(
            "/v1/policies/WA", params={"candidate": "true"}, content=WA_CANDIDATE, headers=auth
        )
        assert until(lambda: b.policies.candidate("WA") is not None, seconds=5)  # b shadows it
        assert client.post("/v1/policies/WA/candidate/replay", headers=auth).status_code == 200
        promoted = client.post("/v1/policies/WA/promote", headers=auth)
        assert promoted.status_code == 200, promoted.text
        version = promoted.json()["version"]
        assert until(lambda: b.policies.versions()["WA"] == version, seconds=5)
        assert a.policies.versions() == b.policies.versions()
        # Promoted: out of shadow mode on both hubs, and on a hub started now.
        assert a.policies.candidate("WA") is None and b.policies.candidate("WA") is None
        with make_client(database_url, policies=folder) as (_, _, c):
            assert c.policies.versions()["WA"] == version and c.policies.candidate("WA") is None


def test_a_candidate_changed_while_being_promoted_is_not_promoted(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The candidate is compiled outside the lock; another admin proposes a
    # new one in that moment. The evidence was for the old one: refused.
    write_history(database_url).dispose()
    with make_client(database_url, policies=_folder(tmp_path / "p")) as (client, keys, runtime):
        shared = runtime.shared_policies
        put = {"params": {"candidate": "true"}, "headers": keys.admin_auth}
        assert client.put("/v1/policies/WA", content=WA_CANDIDATE, **put).status_code == 200
        replayed = client.post(
            "/v1/policies/WA/candidate/replay", params=WINDOW, headers=keys.admin_auth
        )
        assert replayed.status_code == 200
        in_force = runtime.policies.versions()["WA"]
        compile_candidate = shared.store.validate

        def meanwhile(state: str, text: str, **kwargs: Any) -> Any:
            monkeypatch.setattr(shared.store, "validate", compile_candidate)  # once
            compiled = compile_candidate(state, text, **kwargs)
            shared.put("WA", WA_CANDIDATE + "# changed\n", candidate=True)
            return compiled

        monkeypatch.setattr(shared.store, "validate", meanwhile)
        refused = client.post(
            "/v1/policies/WA/promote", json={"since": "2025-01-01"}, headers=keys.admin_auth
        )
        assert refused.status_code == 409
        assert "WA's candidate changed while it was being promoted" in refused.text
        assert runtime.policies.versions()["WA"] == in_force
        act, _, outcome, status, _ = _acts(runtime.engine)[-1]
        assert (act, outcome, status) == ("policy.promote", "refused", 409)
