"""A second demo never touches a running one's files: on a taken port or a
database in use it says why in one line and exits 1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from switch.access.keys import issue_key
from switch.cli import app
from switch.db.database import open_engine
from switch.demo.files import claim_files
from switch.demo.run import RunningDemo, running_demo

runner = CliRunner()


@pytest.fixture
def first(tmp_path: Path) -> Iterator[RunningDemo]:
    """A demo serving from `.switch/demo/` under the test's folder."""
    console = Console(record=True, width=120, force_terminal=False)
    with running_demo(root=tmp_path / ".switch" / "demo", console=console) as demo:
        yield demo


def test_a_second_demo_on_its_port_says_so_in_one_line_and_leaves_it_alone(
    first: RunningDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = first
    monkeypatch.chdir(tmp_path)  # the second demo's default folder is beside the first's
    database = demo.files.database.stat()
    port = demo.url.rsplit(":", 1)[1]
    result = runner.invoke(app, ["demo", "--port", port, "--duration", "1"])
    assert result.exit_code == 1
    assert result.stderr == f"error: port {port} on 127.0.0.1 is in use\n"
    assert result.stdout == ""
    # The first demo's database is the same file, and a key issued in it now
    # is one its hub knows.
    assert demo.files.database.stat().st_ino == database.st_ino
    engine = open_engine(demo.files.database_url)
    try:
        key = issue_key(engine, ori="NY0303000")
    finally:
        engine.dispose()
    reply = httpx.post(
        f"{demo.url}/v1/messages",
        content=b"DQ.NY0303000.NY.*LATE1.TXTOLN/X1",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "text/plain"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text


def test_a_database_a_running_demo_holds_is_refused_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "class.db"
    with claim_files(database) as held:
        held.database.write_text("running audit")
        result = runner.invoke(app, ["demo", "--database", str(database), "--duration", "1"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {database} belongs to a demo that is still running; "
        "stop it, or give this one another --database\n"
    )
    assert database.read_text() == "running audit"
