"""Policy versions over HTTP: every file, PUT and rollback kept with its
author and comment; the folder never written; each change an admin act."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import select

from switch.access.keys import issue_key
from switch.db.schema import audit_records
from tests.utils.hubs import make_client
from tests.utils.polling import until

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
OPEN_WA = "# open, for a test\nstate: WA\ntitle: open\nrules: []\n"
CLOSED_WA = "state: WA\ntitle: closed\ndefault: deny\nrules: []\n"
BROKEN_WA = "state: WA\ntitle: broken\nrules:\n  - id: x\n    effect: deny\n"


def _folder(path: Path) -> Path:
    path.mkdir()
    for name in ("WA.yaml", "TX.yaml"):
        shutil.copy(SHIPPED / name, path / name)
    return path


def _bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))}


def _acts(engine: object, name: str) -> list[tuple[str, str, dict[str, object]]]:
    r = audit_records.c
    with engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            select(r.identity, r.outcome, r.detail).where(r.act == name).order_by(r.chain_pos)
        )
        return [(who, outcome, json.loads(detail)) for who, outcome, detail in rows]


def test_put_keeps_versions_and_never_writes_the_folder(database_url: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path / "p")
    before = _bytes(folder)
    with make_client(database_url, policies=folder) as (client, keys, runtime):
        auth = keys.admin_auth
        [first] = client.get("/v1/policies/WA/versions", headers=auth).json()["versions"]
        assert (first["origin"], first["author"], first["status"]) == (
            "file",
            "file:WA.yaml",
            "in force",
        )
        put = client.put(
            "/v1/policies/WA",
            params={"comment": "open for a drill"},
            content=OPEN_WA,
            headers=auth,
        )
        assert put.status_code == 200, put.text
        closed = client.put(
            "/v1/policies/WA", content=CLOSED_WA, headers={**auth, "X-Switch-Comment": "shut"}
        )
        assert closed.status_code == 200
        shadow = client.put(
            "/v1/policies/WA", params={"candidate": "true"}, content=OPEN_WA, headers=auth
        )
        assert shadow.status_code == 200
        assert _bytes(folder) == before

        key_id = runtime.keys.resolve(keys.admin).key_id
        listed = client.get("/v1/policies/WA/versions", headers=auth).json()["versions"]
        assert [(v["origin"], v["status"], v["comment"]) for v in listed] == [
            ("put", "candidate", None),
            ("put", "in force", "shut"),
            ("put", "superseded", "open for a drill"),
            ("file", "superseded", "WA.yaml changed on disk"),
        ]
        assert listed[1]["author"] == f"key:{key_id} (*)"
        assert listed[1]["parent"] == listed[2]["version"] == put.json()["version"]
        assert listed[2]["parent"] == first["version"]
        assert "text" not in listed[0]

        one = client.get(f"/v1/policies/WA/versions/{put.json()['version']}", headers=auth)
        assert one.status_code == 200
        assert one.json()["text"] == OPEN_WA  # the comment line kept
        page = client.get("/v1/policies/WA/versions", params={"limit": 2}, headers=auth).json()
        assert len(page["versions"]) == 2
        rest = client.get(
            "/v1/policies/WA/versions", params={"before": page["next_before"]}, headers=auth
        ).json()
        assert [v["seq"] for v in page["versions"] + rest["versions"]] == [v["seq"] for v in listed]
        missing = client.get("/v1/policies/WA/versions/sha256:0000", headers=auth)
        assert missing.status_code == 404
        assert "no version sha256:0000 of WA's policy" in missing.text


def test_rollback_makes_a_new_version_with_the_old_text(database_url: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path / "p")
    with make_client(database_url, policies=folder) as (client, keys, runtime):
        auth = keys.admin_auth
        shipped = runtime.policies.versions()["WA"]
        client.put("/v1/policies/WA", content=OPEN_WA, headers=auth)
        back = client.post(
            "/v1/policies/WA/rollback",
            json={"version": shipped, "comment": "drill over"},
            headers=auth,
        )
        assert back.status_code == 200, back.text
        made = back.json()
        assert (made["version"], made["origin"], made["status"], made["comment"]) == (
            shipped,
            "rollback",
            "in force",
            "drill over",
        )
        assert made["text"] == (folder / "WA.yaml").read_text()
        assert runtime.policies.versions()["WA"] == shipped
        unknown = client.post(
            "/v1/policies/WA/rollback", params={"version": "sha256:feed"}, headers=auth
        )
        assert unknown.status_code == 404
        acts = _acts(runtime.engine, "policy.rollback")
        assert [(outcome, d.get("rollback_to")) for _, outcome, d in acts] == [
            ("done", shipped),
            ("refused", "sha256:feed"),
        ]
        assert acts[0][2]["comment"] == "drill over"


def test_a_state_admin_sees_only_its_own_versions(database_url: str, tmp_path: Path) -> None:
    with make_client(database_url, policies=_folder(tmp_path / "p")) as (client, _, runtime):
        wa = {"Authorization": f"Bearer {issue_key(runtime.engine, admin_scope='WA')}"}
        assert client.get("/v1/policies/WA/versions", headers=wa).status_code == 200
        tx = runtime.policies.versions()["TX"]
        assert client.get("/v1/policies/TX/versions", headers=wa).status_code == 403
        assert client.get(f"/v1/policies/TX/versions/{tx}", headers=wa).status_code == 403
        refused = client.post("/v1/policies/TX/rollback", params={"version": tx}, headers=wa)
        assert refused.status_code == 403
        [(_, outcome, _)] = _acts(runtime.engine, "policy.rollback")
        assert outcome == "refused"


def test_each_file_version_is_an_act_and_a_broken_one_a_refused_act(
    database_url: str, tmp_path: Path
) -> None:
    folder = _folder(tmp_path / "p")
    (folder / "TX.yaml").write_text(BROKEN_WA.replace("WA", "TX"))
    with make_client(database_url, policies=folder) as (_client, _keys, runtime):
        acts = _acts(runtime.engine, "policy.file")
        assert [(who, outcome) for who, outcome, _ in acts] == [
            ("file:TX.yaml", "refused"),
            ("file:WA.yaml", "done"),
        ]
        assert runtime.policies.failing_closed() == ["TX"]


def test_two_hubs_on_one_folder_record_it_once_and_agree(database_url: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path / "p")
    with (
        make_client(database_url, policies=folder) as (client, keys, a),
        make_client(database_url, policies=folder) as (_, _, b),
    ):
        listed = client.get("/v1/policies/WA/versions", headers=keys.admin_auth).json()
        assert [v["origin"] for v in listed["versions"]] == ["file"]
        put = client.put("/v1/policies/WA", content=OPEN_WA, headers=keys.admin_auth)
        version = put.json()["version"]
        assert until(lambda: b.policies.versions()["WA"] == version, seconds=5)
        assert a.policies.versions() == b.policies.versions()
    # Restarted on the same folder and database: the PUT stays in force.
    with make_client(database_url, policies=folder) as (client, keys, again):
        assert again.policies.versions()["WA"] == version
        listed = client.get("/v1/policies/WA/versions", headers=keys.admin_auth).json()
        assert [v["origin"] for v in listed["versions"]] == ["put", "file"]


def test_a_file_edited_while_down_wins_and_a_broken_one_fails_closed(
    database_url: str, tmp_path: Path
) -> None:
    folder = _folder(tmp_path / "p")
    with make_client(database_url, policies=folder) as (client, keys, _):
        client.put("/v1/policies/WA", content=OPEN_WA, headers=keys.admin_auth)
    (folder / "WA.yaml").write_text(CLOSED_WA)
    with make_client(database_url, policies=folder) as (client, keys, runtime):
        assert runtime.policies.get("WA").text == CLOSED_WA  # type: ignore[union-attr]
    (folder / "WA.yaml").write_text(BROKEN_WA)
    with make_client(database_url, policies=folder) as (client, keys, runtime):
        # Never an older database version in the broken file's place.
        assert runtime.policies.failing_closed() == ["WA"]
        assert runtime.policies.get("WA") is None
