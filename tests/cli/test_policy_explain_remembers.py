"""`switch policy explain` of a rule that remembers reads the hub's index and
names the refusal that matched, in words and in the JSON trace."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switch.access.keys import Identity
from switch.cli import app
from tests.core.test_remembering import ICE, SHERIFF, WITH_RELAY
from tests.utils.hubs import make_runtime

runner = CliRunner()
OLN = "WAL100000001"


def test_explain_names_the_refusal_that_matched(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "WA.yaml").write_text(WITH_RELAY)
    runtime = make_runtime(sqlite_url, policies=folder)
    runtime.start()
    body = f"DQ.{ICE}.WA.TXTOLN/{OLN}".encode()
    reply = asyncio.run(runtime.hub.submit(Identity("k", ori=ICE), body, is_json=False, wait=5))
    asyncio.run(runtime.stop())
    runtime.engine.dispose()
    refused = reply.body["id"]
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    args = ["policy", "explain", "--to", "WA", "--from", SHERIFF, "--policies", str(folder)]
    shown = runner.invoke(app, [*args, "--oln", OLN])
    assert shown.exit_code == 0, shown.output
    assert f"(refused: message {refused} at " in shown.output
    assert f"to {ICE}, ICE-ERO)" in shown.output
    assert "decision: DENY by wa-no-relay" in shown.output
    traced = json.loads(runner.invoke(app, [*args, "--oln", OLN, "--json"]).output)
    assert traced["request"]["subject.refusals"][0]["message_id"] == refused
    other = runner.invoke(app, [*args, "--oln", "WAL100000002"])
    assert "subject.refused_to ICE-ERO, ICE-HSI within 24h (no such refusal)" in other.output
    assert "decision: PERMIT" in other.output
