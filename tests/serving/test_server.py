"""A real hub on a real port: the CLI talks to it over HTTP."""

from __future__ import annotations

import httpx
from typer.testing import CliRunner

from simulators.dmv import StateDMV
from switch.access.keys import issue_key
from switch.cli import app
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.utils.hubs import Runtimes


def test_send_over_http_to_a_running_hub(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url)
    runtimes = Runtimes(settings)

    with running_hub(runtimes) as url:
        assert httpx.get(f"{url}/healthz").json()["status"] == "ok"
        key = issue_key(runtimes.first.engine, ori="NY0303000")
        oln = StateDMV("TX").driver(9)["OLN"]
        result = CliRunner().invoke(
            app,
            ["send", f"DQ.NY0303000.TX.TXTOLN/{oln}", "--as", "NY0303000", "--hub", url],
            env={"SWITCH_KEY": key},
        )
        assert result.exit_code == 0, result.stderr
        assert "DR.NY0303000" in result.stdout and oln in result.stdout
        wrong = CliRunner().invoke(
            app,
            ["send", "DQ.NY0303000.TX.TXTOLN/1", "--as", "NY0303000", "--hub", url],
            env={"SWITCH_KEY": "sw_bogus"},
        )
        assert wrong.exit_code == 1
        assert "UNAUTHORIZED" in wrong.stdout
