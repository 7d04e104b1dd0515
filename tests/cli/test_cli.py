"""The CLI verbs, driven as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulators.dmv import StateDMV
from switch.access.keys import KeyRing
from switch.cli import app
from switch.db.database import open_engine


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    url = sqlite_url
    monkeypatch.setenv("SWITCH_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


runner = CliRunner()


def test_keys_issue_prints_the_key_alone_on_stdout(env: str) -> None:
    result = runner.invoke(app, ["keys", "issue", "NY0303000"])
    assert result.exit_code == 0, result.stderr
    secret = result.stdout.strip()
    assert "\n" not in secret and secret.startswith("sw_")
    assert "shown once" in result.stderr
    engine = open_engine(env)
    assert KeyRing(engine).resolve(secret).ori == "NY0303000"
    engine.dispose()


def test_keys_issue_admin_scope(env: str) -> None:
    result = runner.invoke(app, ["keys", "issue", "--admin", "wa"])
    assert result.exit_code == 0
    engine = open_engine(env)
    assert KeyRing(engine).resolve(result.stdout.strip()).admin_scope == "WA"
    engine.dispose()


@pytest.mark.parametrize(
    "args",
    [["keys", "issue", "ZZ9999999"], ["keys", "issue", "--admin", "ZZ"], ["keys", "issue"]],
)
def test_keys_issue_refuses_with_a_reason(env: str, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "error" in result.stderr


def test_agencies_json_has_the_pinned_fields(env: str) -> None:
    result = runner.invoke(app, ["agencies", "--component", "ICE-HSI", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows and all(r["component"] == "ICE-HSI" and r["department"] == "DHS" for r in rows)
    assert {"ori", "name", "state", "type", "department", "component", "tags"} <= set(rows[0])


def test_agencies_json_names_county_region_and_task_forces(env: str) -> None:
    result = runner.invoke(app, ["agencies", "--state", "WA", "--type", "PD", "--json"])
    assert result.exit_code == 0
    tacoma = {r["ori"]: r for r in json.loads(result.stdout)}["WA0270100"]
    assert (tacoma["county"], tacoma["region"], tacoma["task_forces"]) == (
        "Pierce",
        "Puget Sound",
        ["WAHSI0100"],
    )


def test_agencies_table_and_no_match(env: str) -> None:
    table = runner.invoke(app, ["agencies", "--state", "WA"])
    assert table.exit_code == 0 and "WAOLN0000" in table.stdout
    none = runner.invoke(app, ["agencies", "--component", "NOPE"])
    assert none.exit_code == 1 and "no agency" in none.stderr


def test_send_in_process_prints_the_dr(env: str) -> None:
    oln = StateDMV("WA").driver(5)["OLN"]
    result = runner.invoke(app, ["send", f"DQ.NY0303000.WA.TXTOLN/{oln}", "--as", "NY0303000"])
    assert result.exit_code == 0, result.stderr
    assert "DR.NY0303000" in result.stdout and f"OLN/{oln}" in result.stdout


def test_send_refused_message_exits_1_with_the_er(env: str) -> None:
    result = runner.invoke(app, ["send", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN", "--as", "NY0303000"])
    assert result.exit_code == 1
    assert ".14." in result.stdout


def test_send_to_a_hub_needs_a_key(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SWITCH_KEY", raising=False)
    result = runner.invoke(
        app, ["send", "DQ.NY0303000.WA.TXTOLN/1", "--as", "NY0303000", "--hub", "http://x"]
    )
    assert result.exit_code == 1 and "key" in result.stderr


def test_help_lists_every_verb() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    # The first word of each line under "Commands:" is a verb the app has.
    listed = {
        line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()
    }
    verbs = ("serve", "send", "agencies", "demo", "notices", "report", "keys", "policy")
    for verb in (*verbs, "warrants", "sim", "status", "audit"):
        assert verb in listed
