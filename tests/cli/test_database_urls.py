"""Every verb that takes a database (SWITCH_DATABASE_URL or --db) takes a
plain path as a SQLite file, and refuses a URL that opens nothing with one
line on standard error and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switch.app.runtime import Runtime
from switch.cli import app
from switch.serving.server import free_port, running_hub
from switch.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OR_CANDIDATE = ROOT / "policies" / "candidates" / "OR.yaml"
SWITCH = Path(sys.executable).parent / "switch"
FORMS = "write sqlite:///PATH, postgresql://USER@HOST/DB or a file path"

runner = CliRunner()

# Each verb that opens the database, as a user types it (the database aside).
VERBS = {
    "keys issue": ["keys", "issue", "NY0303000"],
    "keys list": ["keys", "list"],
    "warrants list": ["warrants", "list"],
    "notices": ["notices"],
    "status show": ["status", "show"],
    "status out": ["status", "out", "WA"],
    "policy explain": [
        *("policy", "explain", "--to", "WA", "--from", "NY0303000"),
        *("--warrant-id", "W1"),
    ],
    "audit verify": ["audit", "verify"],
    "audit prune": ["audit", "prune", "--before", "2020-01-01"],
    "report": ["report", "WA"],
    "policy replay": ["policy", "replay", "--candidate", str(OR_CANDIDATE)],
    "sim history": ["sim", "history", "--scale", "0.000001"],
}
TAKE_DB = ("audit verify", "audit prune", "report", "policy replay", "sim history")


def _bad_urls(folder: Path) -> list[tuple[str, str]]:
    """(URL, the one line its refusal prints)."""
    missing = folder / "no-such-folder"
    return [
        (
            "mysql://root@db/switch",
            "cannot open the audit database 'mysql://root@db/switch': "
            f"the switch speaks sqlite and postgresql, not 'mysql'; {FORMS}",
        ),
        (
            f"{missing}/audit.db",
            f"cannot open the audit database '{missing}/audit.db': there is no folder '{missing}'",
        ),
        (
            "postgresql://switch:hunter2@db:port/switch",
            "cannot open the audit database 'postgresql://switch:***@db:port/switch': "
            "not a URL that can be read (invalid literal for int() with base 10: 'port')",
        ),
        # Rich would read `[/]` as markup and fail: a reason is printed as plain text.
        (
            "sqlite:///[/]x.db",
            "cannot open the audit database 'sqlite:///[/]x.db': there is no folder '['",
        ),
    ]


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_a_bad_database_url_is_one_line_and_an_error_exit(
    verb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for url, line in _bad_urls(tmp_path):
        given = [["--db", url]] if verb in TAKE_DB else []
        for how in [*given, []]:
            env = {} if how else {"SWITCH_DATABASE_URL": url}
            result = runner.invoke(app, [*VERBS[verb], *how], env=env)
            assert result.exit_code != 0, (url, how)
            assert isinstance(result.exception, SystemExit), result.exception
            assert result.stdout == ""
            assert result.stderr == f"error: {line}\n"


def test_an_unreachable_postgresql_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/switch"
    result = runner.invoke(app, ["keys", "list"], env={"SWITCH_DATABASE_URL": url})
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: cannot open the audit database '{url}': connection failed:")
    assert line.endswith("Connection refused")


def test_sim_traffic_with_a_path_in_a_missing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["sim", "traffic", "--db", ".switch/demo.db", "--hub", "http://127.0.0.1:9"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stderr == (
        "error: cannot open the audit database '.switch/demo.db': there is no folder '.switch'\n"
    )


def test_sim_traffic_issues_keys_in_a_hub_database_given_as_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # The hub's SWITCH_DATABASE_URL and the run's --db: the same relative path.
    settings = Settings(database_url="hub.db")
    with running_hub(lambda: Runtime(settings)) as url:
        args = "sim traffic --profile letter-2025 --rate 20 --duration 0.5 --json --db hub.db"
        result = runner.invoke(app, [*args.split(), "--hub", url])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["sent"], summary["errors"]) == (10, 0)
    assert (tmp_path / "hub.db").is_file()


def test_sim_traffic_refuses_a_hub_database_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["sim", "traffic", "--db", "hub.db", "--hub", "http://127.0.0.1:9"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr == "error: no hub database at hub.db\n"
    assert not (tmp_path / "hub.db").exists()


def test_every_verb_takes_a_plain_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"SWITCH_DATABASE_URL": "audit.db"}
    issued = runner.invoke(app, ["keys", "issue", "NY0303000"], env=env)
    assert issued.exit_code == 0, issued.stderr
    listed = runner.invoke(app, ["keys", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.stderr
    assert [key["ori"] for key in json.loads(listed.stdout)] == ["NY0303000"]
    for verb in TAKE_DB:
        for seed, path in enumerate(("audit.db", str(tmp_path / "audit.db"))):
            # A history is written once per seed, after the key issued above:
            # an admin act, live use of the database.
            again = ["--seed", str(seed), "--append"] if verb == "sim history" else []
            result = runner.invoke(app, [*VERBS[verb], "--db", path, *again])
            assert result.exit_code == 0, (verb, path, result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == ["audit.db"]


def test_serve_refuses_a_bad_database_url_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    env = {**os.environ, "SWITCH_DATABASE_URL": f"{missing}/hub.db"}
    done = subprocess.run(
        [str(SWITCH), "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"error: cannot open the audit database '{missing}/hub.db': "
        f"there is no folder '{missing}'\n"
    )
