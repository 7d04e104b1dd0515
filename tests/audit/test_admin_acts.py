"""Every admin act on the record, in the hash chain: who (key id and scope,
or the OS user at the CLI), what (route or command, target, details such as
a policy's version and hash), when and the outcome; read back through
`GET /v1/audit?kind=admin` within the reader's scope."""

from __future__ import annotations

import getpass
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select
from typer.testing import CliRunner

from switch.access.keys import issue_key
from switch.app.runtime import Runtime
from switch.audit.verify import verify
from switch.cli import app
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_records, notices, policy_changes
from tests.utils.hubs import Keys, make_client

runner = CliRunner()
SHIPPED_POLICIES = Path(__file__).resolve().parents[2] / "policies"
T0 = datetime(2026, 11, 27, 9, tzinfo=UTC)


def _acts(engine: Engine, after: int = 0) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_records)
                .where(audit_records.c.kind == "admin", audit_records.c.seq > after)
                .order_by(audit_records.c.seq)
            ).all()
        )


def _last_seq(engine: Engine) -> int:
    with engine.connect() as conn:
        seqs = conn.execute(select(audit_records.c.seq)).scalars().all()
    return max(seqs, default=0)


def _details(row: Any) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(row.detail)
    return found


def _seed_notices(engine: Engine) -> list[int]:
    rows = [
        {
            "message_id": f"m{n}",
            "state": state,
            "rule": None,
            "requester_ori": "VTICE0900",
            "subject": f"DOE,JOHN OLN {n}",
            "created_at": T0,
            "due_date": "2026-12-01",
        }
        for n, state in enumerate(("WA", "NY", "WA"))
    ]
    with engine.begin() as conn:
        conn.execute(insert(notices), rows)
        return list(conn.execute(select(notices.c.seq).order_by(notices.c.seq)).scalars())


class Hub:
    def __init__(self, client: TestClient, keys: Keys, runtime: Runtime) -> None:
        self.client, self.keys, self.runtime = client, keys, runtime
        self.wa = issue_key(runtime.engine, admin_scope="WA")
        self.ny = issue_key(runtime.engine, admin_scope="NY")
        self.wa_id = runtime.keys.resolve(self.wa).key_id
        self.star_id = runtime.keys.resolve(keys.admin).key_id

    def auth(self, secret: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}"}

    def acts(self, after: int = 0) -> list[Any]:
        return _acts(self.runtime.engine, after)

    def mark(self) -> int:
        return _last_seq(self.runtime.engine)

    def read(self, secret: str, **params: str) -> list[dict[str, Any]]:
        page = self.client.get(
            "/v1/audit", params={"limit": "1000", **params}, headers=self.auth(secret)
        )
        assert page.status_code == 200, page.text
        records: list[dict[str, Any]] = page.json()["records"]
        return records


@pytest.fixture
def hub(database_url: str, tmp_path: Path) -> Iterator[Hub]:
    folder = tmp_path / "policies"  # a PUT writes its file: never the shipped one
    shutil.copytree(SHIPPED_POLICIES, folder)
    with make_client(database_url, policies=folder, policy_poll_seconds=0) as made:
        yield Hub(*made)


def test_a_policy_put_accepted_or_refused_is_an_act(hub: Hub) -> None:
    text = hub.client.get("/v1/policies/WA", headers=hub.keys.admin_auth).json()["text"]
    wa = hub.auth(hub.wa)
    start = hub.mark()
    new_text = text + "\n# reviewed\n"
    accepted = hub.client.put("/v1/policies/WA", content=new_text, headers=wa)
    invalid = hub.client.put("/v1/policies/WA", content="rules: [", headers=wa)
    elsewhere = hub.client.put("/v1/policies/NY", content=text, headers=wa)
    assert [r.status_code for r in (accepted, invalid, elsewhere)] == [200, 422, 403]
    put, bad, other = hub.acts(start)
    assert len(_acts(hub.runtime.engine, start)) == 3
    with hub.runtime.engine.connect() as conn:
        change = conn.execute(select(policy_changes).order_by(policy_changes.c.seq.desc())).first()
    assert change is not None
    assert (put.identity, put.raw, put.act, put.target, put.state) == (
        f"{hub.wa_id}/admin:WA",
        "PUT /v1/policies/WA",
        "policy.put",
        "WA",
        "WA",
    )
    assert (put.outcome, put.http_status, put.client) == ("done", 200, "testclient")
    assert _details(put) == {
        "bytes": len(new_text.encode()),
        "candidate": False,
        "change": change.seq,
        "version": accepted.json()["version"],
        "sha256": sha256(new_text.encode()).hexdigest(),
        "origin": "put",
        "author": f"key:{hub.runtime.keys.resolve(hub.wa).key_id} (WA)",
        "comment": None,
    }
    assert (bad.outcome, bad.http_status) == ("refused", 422)
    assert _details(bad)["error"]["code"] == "POLICY_INVALID"
    assert _details(bad)["sha256"] == sha256(b"rules: [").hexdigest()
    # Refused for its scope: the act about NY, recorded once, its id in the reply.
    assert (other.outcome, other.http_status, other.state) == ("refused", 403, "NY")
    assert elsewhere.json()["id"] == other.id and invalid.json()["id"] == bad.id
    assert verify(hub.runtime.engine).intact


def test_status_out_remove_and_in_are_acts(hub: Hub) -> None:
    wa = hub.auth(hub.wa)
    start = hub.mark()
    assert hub.client.put("/v1/status/WA", json={"keys": ["DQ"]}, headers=wa).status_code == 200
    assert hub.client.put("/v1/status/WA", json={"forward": False}, headers=wa).status_code == 200
    assert hub.client.delete("/v1/status/WA", headers=wa).status_code == 200
    assert hub.client.put("/v1/status/ZZ", headers=hub.keys.admin_auth).status_code == 422
    out, removed, back, unknown = hub.acts(start)
    assert [(a.act, a.target, a.state, a.outcome) for a in (out, removed, back, unknown)] == [
        ("status.out", "WA", "WA", "done"),
        ("status.remove", "WA", "WA", "done"),
        ("status.in", "WA", "WA", "done"),
        ("status.out", "ZZ", None, "refused"),
    ]
    assert _details(out) == {"keys": ["DQ"], "forward": True}
    assert _details(removed)["forward"] is False and _details(back) == {"keys": "all"}
    assert out.raw == "PUT /v1/status/WA" and back.raw == "DELETE /v1/status/WA"


def test_a_warrant_issued_is_an_act_that_leaves_its_subject_to_the_registry(hub: Hub) -> None:
    start = hub.mark()
    body = {"kind": "judicial", "to": "VTICE0900", "oln": "WDL123456789"}
    issued = hub.client.post("/v1/warrants", json=body, headers=hub.keys.admin_auth)
    refused = hub.client.post("/v1/warrants", json=body, headers=hub.auth(hub.wa))
    assert (issued.status_code, refused.status_code) == (201, 403)
    act, denied = hub.acts(start)
    assert (act.act, act.target, act.state, act.http_status) == (
        "warrant.issue",
        issued.json()["id"],
        "VT",
        201,
    )
    assert act.identity == f"{hub.star_id}/admin:*"
    assert _details(act)["issued_to"] == "VTICE0900" and "WDL123456789" not in act.detail
    assert (denied.outcome, denied.http_status, denied.target) == ("refused", 403, "VTICE0900")


def test_notices_marked_sent_are_an_act_per_state(hub: Hub) -> None:
    wa1, ny, wa2 = _seed_notices(hub.runtime.engine)
    start = hub.mark()
    marked = hub.client.post(
        "/v1/notices/sent", json={"seq": [wa1, ny, wa2]}, headers=hub.keys.admin_auth
    )
    assert marked.json() == {"marked": 3}
    acts = hub.acts(start)
    assert [(a.act, a.state, a.target) for a in acts] == [
        ("notices.sent", "NY", str(ny)),
        ("notices.sent", "WA", f"{wa1},{wa2}"),
    ]
    assert _details(acts[1])["seqs"] == [[wa1, wa1], [wa2, wa2]]
    assert verify(hub.runtime.engine).intact


def test_admin_acts_are_read_by_kind_within_the_readers_scope(hub: Hub) -> None:
    wa, ny = hub.auth(hub.wa), hub.auth(hub.ny)
    hub.client.put("/v1/status/WA", json={"keys": ["DQ"]}, headers=wa)
    hub.client.put("/v1/status/NY", json={"keys": ["DQ"]}, headers=ny)
    hub.client.get("/v1/agencies", headers=hub.keys.auth("NY0303000"))
    hub.client.post(
        "/v1/messages", content="DQ.NY0303000.WA.TXTOLN/1", headers=hub.keys.auth("NY0303000")
    )
    every = hub.read(hub.keys.admin, kind="admin")
    assert {r["kind"] for r in every} == {"admin"}
    assert {(r["act"]["name"], r["act"]["state"]) for r in every} >= {
        ("status.out", "WA"),
        ("status.out", "NY"),
        ("key.issue", None),  # the * key
    }
    seen_by_wa = hub.read(hub.wa, kind="admin")
    assert seen_by_wa and {r["act"]["state"] for r in seen_by_wa} == {"WA"}
    assert {r["act"]["state"] for r in hub.read(hub.ny, kind="admin")} == {"NY"}
    # Messages by default; both with kind=all.
    messages = hub.read(hub.keys.admin)
    assert messages and {r["kind"] for r in messages} == {"message"}
    assert len(hub.read(hub.keys.admin, kind="all")) == len(messages) + len(every)
    key_id = hub.wa_id
    assert {r["act"]["name"] for r in hub.read(hub.keys.admin, kind="admin", key_id=key_id)} == {
        "status.out"
    }


# From the CLI, straight to the database


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Engine]:
    monkeypatch.setenv("SWITCH_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    engine = open_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _switch(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_cli_changes_to_the_database_are_acts_by_the_os_user(cli_db: Engine) -> None:
    [wa1, _, _] = _seed_notices(cli_db)
    secret = _switch("keys", "issue", "NY0303000")
    key_id = secret.split("_")[1]
    _switch("keys", "issue", "--admin", "WA")
    _switch("keys", "revoke", key_id)
    missing = runner.invoke(app, ["keys", "revoke", "nosuchkey"])
    assert missing.exit_code == 1
    _switch("status", "out", "WA", "--keys", "DQ")
    _switch("status", "remove", "WA")
    _switch("status", "in", "WA")
    warrant = _switch("warrants", "issue", "--kind", "judicial", "--to", "VTICE0900", "--oln", "X1")
    _switch("notices", "--mark-sent", str(wa1), "--json")
    acts = _acts(cli_db)
    assert [(a.act, a.raw, a.outcome, a.state) for a in acts] == [
        ("key.issue", "switch keys issue", "done", "NY"),
        ("key.issue", "switch keys issue", "done", "WA"),
        ("key.revoke", "switch keys revoke", "done", "NY"),
        ("key.revoke", "switch keys revoke", "refused", None),
        ("status.out", "switch status out WA", "done", "WA"),
        ("status.remove", "switch status remove WA", "done", "WA"),
        ("status.in", "switch status in WA", "done", "WA"),
        ("warrant.issue", "switch warrants issue", "done", "VT"),
        ("notices.sent", "switch notices --mark-sent", "done", "WA"),
    ]
    assert {a.identity for a in acts} == {f"cli/{getpass.getuser()}"}
    assert acts[0].target == acts[2].target == key_id and acts[3].target == "nosuchkey"
    assert _details(acts[3])["error"]["code"] == "NOT_FOUND"
    assert acts[7].target == warrant
    assert verify(cli_db).intact
