"""`switch policy history|rollback|diff|export` on the database and against
a running hub; one line, exit 1, for every refusal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from switch.access.keys import issue_key
from switch.app.runtime import Runtime
from switch.audit import chain
from switch.audit.acts import POLICY_PUT, Act, Actor
from switch.cli import app
from switch.db.database import migrate, open_engine
from switch.policy import compile_policy, load_policy_text, versions
from switch.serving.server import running_hub
from switch.settings import Settings

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
OPEN_WA = "# open\nstate: WA\ntitle: open\nrules: []\n"

runner = CliRunner()


def _folder(path: Path) -> Path:
    path.mkdir()
    shutil.copy(SHIPPED / "WA.yaml", path / "WA.yaml")
    return path


@pytest.fixture(autouse=True)
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_history_rollback_diff_export_over_a_hub_and_on_the_database(
    database_url: str, tmp_path: Path
) -> None:
    folder = _folder(tmp_path / "p")
    settings = Settings(database_url=database_url, policies=folder)
    with running_hub(lambda: Runtime(settings)) as url:
        engine = open_engine(database_url)
        runtime_key = issue_key(engine, admin_scope="*")
        engine.dispose()
        hub = ["--hub", url, "--key", runtime_key]
        code, out, _ = _run("policy", "history", "WA", *hub)
        assert code == 0
        [line] = out.splitlines()
        _, shipped, status, origin, _, author, comment = line.split("\t")
        assert (status, origin, author, comment) == (
            "in force",
            "file",
            "file:WA.yaml",
            "WA.yaml changed on disk",
        )
        put = httpx.put(
            f"{url}/v1/policies/WA",
            content=OPEN_WA,
            params={"comment": "open"},
            headers={"Authorization": f"Bearer {runtime_key}"},
        )
        opened = put.json()["version"]
        code, out, err = _run(
            "policy", "diff", f"WA@{shipped}", f"WA@{opened}", *hub, "--format", "json"
        )
        assert code == 0, err
        [state] = json.loads(out)["states"]
        assert state["state"] == "WA" and state["changes"]

        code, out, err = _run("policy", "rollback", "WA", shipped, "--comment", "back", *hub)
        assert code == 0, err
        assert out.split("\t")[1:4] == [shipped, "in force", "rollback"]

        code, out, err = _run("policy", "rollback", "WA", "sha256:feed", *hub)
        assert (code, out) == (1, "")
        assert "no version sha256:feed of WA's policy" in err and "Traceback" not in err

        code, out, _ = _run("policy", "export", "--to", str(tmp_path / "out"), *hub)
        assert code == 0
        assert (tmp_path / "out" / "WA.yaml").read_bytes() == (folder / "WA.yaml").read_bytes()

    # The same history, read from the database directly.
    code, out, _ = _run("policy", "history", "WA", "--db", database_url, "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert [(v["origin"], v["status"]) for v in found] == [
        ("rollback", "in force"),
        ("put", "superseded"),
        ("file", "superseded"),
    ]
    assert found[0]["comment"] == "back" and found[1]["comment"] == "open"
    code, out, err = _run("policy", "rollback", "WA", opened, "--db", database_url)
    assert code == 0, err
    assert out.split("\t")[1:4] == [opened, "in force", "rollback"]
    assert out.split("\t")[5].startswith("cli:")
    code, _, _ = _run("policy", "export", "--to", str(tmp_path / "db"), "--db", database_url)
    assert (tmp_path / "db" / "WA.yaml").read_text() == OPEN_WA


def test_refusals_are_one_line_and_exit_1(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folder the CLI tells the database of holds no WA: none is recorded.
    monkeypatch.setenv("SWITCH_POLICIES", str(tmp_path))
    (tmp_path / "TX.yaml").write_bytes((SHIPPED / "TX.yaml").read_bytes())
    engine = open_engine(database_url)
    migrate(engine)
    engine.dispose()
    for args, reason in (
        (["history", "ZZ", "--db", database_url], "unknown state 'ZZ'"),
        (["history", "WA", "--db", database_url], "no versions of WA's policy recorded"),
        (["rollback", "WA", "sha256:00", "--db", database_url], "no version sha256:00 of WA"),
        (["history", "WA", "--hub", "http://127.0.0.1:9", "--key", "k"], "cannot reach the hub"),
        (["history", "WA", "--hub", "http://127.0.0.1:9"], "--hub needs an admin key"),
        (["diff", "WA@sha256:00", "WA.yaml"], "compare two versions (ST@HASH ST@HASH)"),
    ):
        code, out, err = _run("policy", *args)
        assert (code, out) == (1, ""), args
        assert reason in err and "Traceback" not in err, err


def test_work_on_the_database_alone_outlasts_a_hub_started_later(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI tells the database of the folder first, as a hub's start would:
    # the rollback's parent is the file's version, and a hub started on the
    # same folder afterwards finds its file recorded, so the rollback stands.
    folder = _folder(tmp_path / "p")
    monkeypatch.setenv("SWITCH_POLICIES", str(folder))
    engine = open_engine(database_url)
    migrate(engine)
    admin = issue_key(engine, admin_scope="*")
    engine.dispose()
    code, out, _ = _run("policy", "history", "WA", "--db", database_url)
    assert code == 0
    [line] = out.splitlines()
    shipped = line.split("\t")[1]
    assert line.split("\t")[2:6][::3] == ["in force", "file:WA.yaml"]
    engine = open_engine(database_url)
    with chain.transaction(engine) as conn:  # an open version, as a PUT through a hub would add it
        versions.lock(conn)
        opened = compile_policy(load_policy_text(OPEN_WA, "WA.yaml", expected_state="WA"))
        act = Act(Actor.local("test"), POLICY_PUT, target="WA", state="WA")
        versions.record(conn, opened, act=act, origin=versions.PUT, author="key:test")
    engine.dispose()
    code, out, err = _run("policy", "rollback", "WA", opened.version, "--db", database_url)
    assert code == 0, err
    settings = Settings(database_url=database_url, policies=folder)
    with running_hub(lambda: Runtime(settings)) as url:
        found = httpx.get(f"{url}/v1/policies", headers={"Authorization": f"Bearer {admin}"})
        assert found.json()["WA"] == opened.version
    code, out, _ = _run("policy", "history", "WA", "--db", database_url, "--format", "json")
    assert [v["origin"] for v in json.loads(out)] == ["rollback", "put", "file"]
    assert json.loads(out)[-1]["version"] == shipped
