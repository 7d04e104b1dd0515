"""`switch status` on the audit database, as the lead registers it."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from switch.cli import status
from tests.forwarding.conftest import FAST
from tests.forwarding.helpers import mailbox, send, until
from tests.utils.destinations import FakeState
from tests.utils.hubs import make_client

cli = typer.Typer()
cli.add_typer(status.app, name="status")


def test_out_in_and_show(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = sqlite_url
    monkeypatch.setenv("SWITCH_DATABASE_URL", url)
    runner = CliRunner()
    marked = runner.invoke(cli, ["status", "out", "or", "--keys", "DQ,KQ"])
    assert marked.exit_code == 0, marked.output
    assert json.loads(marked.stdout) == {"state": "OR", "out_of_service": ["DQ", "KQ"]}
    assert runner.invoke(cli, ["status", "out", "ZZ"]).exit_code == 1
    assert runner.invoke(cli, ["status", "out", "OR", "--keys", "XX"]).exit_code == 1

    states = {"OR": FakeState("OR")}
    with make_client(url, destinations=states, **FAST) as (client, keys, _):
        sent = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1")
        assert sent.status_code == 202
        assert states["OR"].received == []
        back = runner.invoke(cli, ["status", "in", "OR", "--keys", "DQ"])
        assert json.loads(back.stdout) == {"state": "OR", "out_of_service": ["KQ"]}
        # The running hub picks the change up at its next probe.
        items = until(lambda: mailbox(client, keys, "NY0303000"), lambda i: len(i) == 2)
        assert [i["key"] for i in items] == ["SM", "DR"]
    shown = runner.invoke(cli, ["status", "show"])
    assert json.loads(shown.stdout) == {"states": [{"state": "OR", "out_of_service": ["KQ"]}]}
