"""Every verb, given a typical bad argument, fails in one line.

The table must name every command the CLI has, so a new verb cannot be
added without saying how it fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from switch.cli import app

SWITCH = Path(sys.executable).parent / "switch"
POLICIES = Path(__file__).resolve().parents[2] / "policies"
runner = CliRunner()

BAD: dict[str, list[str]] = {
    "agencies": ["--state", "ZZ"],
    "demo": ["--duration", "-1"],
    "notices": ["--state", "ZZ"],
    "report": ["ZZ"],
    "impact proxies": ["--window", "soon"],
    "send": ["DQ.NY0303000.WA.TXTOLN/1", "--as", "NY0303000", "--wait", "nan"],
    "keys issue": ["ZZ9999999"],
    "keys list": ["--json", "surplus"],
    "keys revoke": ["no-such-key"],
    "policy check": ["/nonexistent/policies"],
    "policy test": ["/nonexistent/tests"],
    "policy explain": ["--to", "ZZ", "--from", "NY0303000"],
    "policy schema": ["--output", "/nonexistent/folder/schema.json"],
    "policy diff": ["/nonexistent/a.yaml", "/nonexistent/b.yaml"],
    "policy history": ["ZZ"],
    "policy rollback": ["ZZ", "sha256:00"],
    "policy propose": ["WA", "/nonexistent/WA.yaml"],
    "policy approve": ["ZZ", "sha256:00"],
    "policy promote": ["ZZ"],
    "policy settings": ["ZZ", "--require-approval"],
    "policy export": ["--to", "/nonexistent/out", "--hub", "http://127.0.0.1:9", "--key", "k"],
    "policy matrix": ["ZZ"],
    "policy replay": ["--candidate", "/nonexistent/OR.yaml"],
    "policy compare": ["--state", "WA", "/nonexistent/today.yaml"],
    "warrants issue": ["--kind", "bogus", "--to", "VTICE0900", "--oln", "1"],
    "warrants show": ["NO-SUCH-WARRANT"],
    "warrants list": ["--to", "not an ori"],
    "sim history": ["--scale", "-1"],
    "sim state": ["ZZ"],
    "sim traffic": ["--profile", "no-such-profile"],
    "sim scenario": ["no-such-scenario"],
    "status out": ["ZZ"],
    "status remove": ["ZZ"],
    "status in": ["ZZ"],
    "status show": ["--hub", "http://127.0.0.1:9"],
    "audit verify": ["--db", "nosuchscheme://x"],
    "audit prune": ["--before", "not-a-date"],
    "audit checkpoint": ["--file", "/nonexistent/checkpoints.jsonl"],
    "audit key": ["--public", "surplus"],
}
# Verbs that start a server run in a process of their own, with a timeout.
SERVERS: dict[str, list[str]] = {"serve": ["--port", "70000"]}


def leaf_commands() -> set[str]:
    found: set[str] = set()

    def walk(command: object, path: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children is None:
            found.add(" ".join(path))
            return
        for name, child in children.items():
            walk(child, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_the_table_covers_every_verb() -> None:
    assert leaf_commands() == set(BAD) | set(SERVERS)


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SWITCH_POLICIES", str(POLICIES))
    monkeypatch.chdir(tmp_path)
    yield sqlite_url


def assert_one_line_failure(code: int, stderr: str) -> None:
    assert code != 0
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr


@pytest.mark.parametrize("verb", sorted(BAD))
def test_a_bad_argument_is_one_line_on_stderr(env: str, verb: str) -> None:
    result = runner.invoke(app, [*verb.split(), *BAD[verb]])
    assert_one_line_failure(result.exit_code, result.stderr)


@pytest.mark.parametrize("verb", sorted(SERVERS))
def test_a_server_verb_with_a_bad_argument_is_one_line(tmp_path: Path, verb: str) -> None:
    done = subprocess.run(
        [str(SWITCH), *verb.split(), *SERVERS[verb]],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "SWITCH_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"},
        check=False,
    )
    assert_one_line_failure(done.returncode, done.stderr)


def test_serve_on_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(SWITCH), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env={**os.environ, "SWITCH_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"},
            check=False,
        )
    assert_one_line_failure(done.returncode, done.stderr)
    assert "in use" in done.stderr


def test_an_unknown_verb_and_a_missing_argument_are_one_line() -> None:
    for args in (["no-such-verb"], ["send"], ["send", "x", "--as"], ["report", "WA", "--format"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert_one_line_failure(result.exit_code, result.stderr)
