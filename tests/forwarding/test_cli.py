"""`switch status` on the audit database, as the lead registers it."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from switch.cli import status
from switch.core.texts import REMOVED
from tests.forwarding.conftest import FAST
from tests.forwarding.helpers import mailbox, send
from tests.utils.destinations import FakeState
from tests.utils.hubs import make_client
from tests.utils.polling import until

cli = typer.Typer()
cli.add_typer(status.app, name="status")


def test_out_in_and_show(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = sqlite_url
    monkeypatch.setenv("SWITCH_DATABASE_URL", url)
    runner = CliRunner()
    marked = runner.invoke(cli, ["status", "out", "or", "--keys", "DQ,KQ"])
    assert marked.exit_code == 0, marked.output
    assert json.loads(marked.stdout) == {
        "state": "OR",
        "out_of_service": ["DQ", "KQ"],
        "removed": [],
    }
    assert runner.invoke(cli, ["status", "out", "ZZ"]).exit_code == 1
    assert runner.invoke(cli, ["status", "out", "OR", "--keys", "XX"]).exit_code == 1

    states = {"OR": FakeState("OR")}
    with make_client(url, destinations=states, **FAST) as (client, keys, _):
        sent = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1")
        assert sent.status_code == 202
        assert states["OR"].received == []
        back = runner.invoke(cli, ["status", "in", "OR", "--keys", "DQ"])
        assert json.loads(back.stdout) == {"state": "OR", "out_of_service": ["KQ"], "removed": []}
        # The running hub picks the change up at its next probe.
        items = until(lambda: mailbox(client, keys, "NY0303000"), lambda i: len(i) == 2)
        assert [i["key"] for i in items] == ["SM", "DR"]
    shown = runner.invoke(cli, ["status", "show"])
    assert json.loads(shown.stdout) == {
        "states": [{"state": "OR", "out_of_service": ["KQ"], "removed": []}]
    }


def test_remove_status_from_the_cli_is_04_and_keeps_nothing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    removed = runner.invoke(cli, ["status", "remove", "OR", "--keys", "DQ"])
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout) == {"state": "OR", "out_of_service": [], "removed": ["DQ"]}
    states = {"OR": FakeState("OR")}
    with make_client(sqlite_url, destinations=states, **FAST) as (client, keys, _):
        reply = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1", wait=5).json()
        [result] = reply["results"]
        assert result["status"] == "out_of_service"
        assert REMOVED in result["response"]["text"]
        assert states["OR"].received == []
    # Put back on out of service (kept): the mark changes mode, not adds one.
    again = runner.invoke(cli, ["status", "out", "OR", "--keys", "DQ"])
    assert json.loads(again.stdout) == {"state": "OR", "out_of_service": ["DQ"], "removed": []}
