"""list_notices on both back ends, `switch notices`, GET /v1/notices."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from switch.access.keys import issue_key
from switch.app.runtime import Runtime
from switch.cli import app
from switch.db.database import migrate, open_engine
from switch.db.schema import notices
from switch.notices import list_notices, mark_sent
from tests.utils.databases import Databases
from tests.utils.hubs import Keys, make_client

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ROWS = [
    ("NY", "WA0170100", "NAM/DOE,JOHN.DOB/19800102", "2026-11-27"),
    ("IL", "VTICE0900", "OLN/IL123", "2026-11-30"),
    ("NY", "VTICE0900", "OLN/NY456", "2026-12-01"),
]


def _seed(engine: Engine) -> None:
    rows = [
        {
            "message_id": f"m{i}",
            "state": state,
            "rule": f"{state.lower()}-notify",
            "requester_ori": ori,
            "subject": subject,
            "created_at": T0 + timedelta(hours=i),
            "due_date": due,
        }
        for i, (state, ori, subject, due) in enumerate(ROWS)
    ]
    with engine.begin() as conn:
        conn.execute(insert(notices), rows)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    _seed(engine)
    yield engine
    engine.dispose()


def test_newest_first_with_every_column(engine: Engine) -> None:
    found = list_notices(engine)
    assert [n["message_id"] for n in found] == ["m2", "m1", "m0"]
    assert found[2] == {
        "seq": found[2]["seq"],
        "message_id": "m0",
        "state": "NY",
        "rule": "ny-notify",
        "requester_ori": "WA0170100",
        "subject": "NAM/DOE,JOHN.DOB/19800102",
        "created_at": "2026-11-23T15:00:00+00:00",
        "due_date": "2026-11-27",
        "sent_at": None,
    }


def test_marking_sent_is_recorded_once(engine: Engine) -> None:
    m0 = next(n for n in list_notices(engine) if n["message_id"] == "m0")
    assert mark_sent(engine, [m0["seq"]], state="WA") == 0
    assert mark_sent(engine, [m0["seq"]]) == 1
    assert mark_sent(engine, [m0["seq"]]) == 0
    again = next(n for n in list_notices(engine) if n["message_id"] == "m0")
    assert again["sent_at"] is not None


def test_by_state_and_limit(engine: Engine) -> None:
    assert [n["message_id"] for n in list_notices(engine, state="ny")] == ["m2", "m0"]
    assert [n["message_id"] for n in list_notices(engine, limit=1)] == ["m2"]
    assert list_notices(engine, state="WA") == []


# -- CLI -----------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    url = sqlite_url
    monkeypatch.setenv("SWITCH_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


def test_cli_json_and_table(env: str) -> None:
    empty = runner.invoke(app, ["notices"])
    assert empty.exit_code == 0 and empty.stdout == "" and "no notices" in empty.stderr
    engine = open_engine(env)
    _seed(engine)
    engine.dispose()
    result = runner.invoke(app, ["notices", "--state", "il", "--json"])
    assert result.exit_code == 0, result.stderr
    assert [n["subject"] for n in json.loads(result.stdout)] == ["OLN/IL123"]
    table = runner.invoke(app, ["notices"])
    assert table.exit_code == 0 and "2026-12-01" in table.stdout and "VTICE0900" in table.stdout


def test_cli_refuses_a_bad_limit(env: str) -> None:
    result = runner.invoke(app, ["notices", "--limit", "0"])
    assert result.exit_code != 0 and "--limit" in result.stderr and result.stdout == ""


# -- API -----------------------------------------------------------------------

Hub = tuple[TestClient, Keys, Runtime]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases) -> Iterator[Hub]:
    url = audit_databases.url(tmp_path_factory.mktemp("notices-api"))
    with make_client(url) as made:
        _seed(made[2].engine)
        yield made


def _ids(answer: object) -> list[str]:
    return [n["message_id"] for n in answer]  # type: ignore[attr-defined]


def test_a_global_admin_sees_every_state(hub: Hub) -> None:
    client, keys, _ = hub
    every = client.get("/v1/notices", headers=keys.admin_auth)
    assert every.status_code == 200 and _ids(every.json()) == ["m2", "m1", "m0"]
    ny = client.get("/v1/notices", params={"state": "ny"}, headers=keys.admin_auth)
    assert _ids(ny.json()) == ["m2", "m0"]
    one = client.get("/v1/notices", params={"limit": 1}, headers=keys.admin_auth)
    assert _ids(one.json()) == ["m2"]


def test_a_state_admin_sees_only_its_state(hub: Hub) -> None:
    client, _, runtime = hub
    ny_admin = {"Authorization": f"Bearer {issue_key(runtime.engine, admin_scope='NY')}"}
    own = client.get("/v1/notices", headers=ny_admin)
    assert own.status_code == 200 and _ids(own.json()) == ["m2", "m0"]
    named = client.get("/v1/notices", params={"state": "NY"}, headers=ny_admin)
    assert _ids(named.json()) == ["m2", "m0"]
    other = client.get("/v1/notices", params={"state": "IL"}, headers=ny_admin)
    assert other.status_code == 403 and other.json()["error"]["code"] == "FORBIDDEN"


def test_agency_keys_get_403(hub: Hub) -> None:
    client, keys, _ = hub
    assert client.get("/v1/notices", headers=keys.auth("NY0303000")).status_code == 403
    assert client.get("/v1/notices").status_code == 401


@pytest.mark.parametrize("limit", [0, 1001, "x"])
def test_a_bad_limit_is_422(hub: Hub, limit: object) -> None:
    client, keys, _ = hub
    answer = client.get("/v1/notices", params={"limit": limit}, headers=keys.admin_auth)
    assert answer.status_code == 422 and "limit" in answer.json()["error"]["message"]
