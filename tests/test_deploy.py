"""docker-compose.yml and deploy/ stay wired together: every command is one
the CLI takes, the proxy's upstreams are the hub replicas, and SWITCH_STATES
names the state services on their ports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from switch.cli import app

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


def _switch_services() -> dict[str, list[str]]:
    return {
        name: service["command"]
        for name, service in SERVICES.items()
        if service.get("image") == "switch:local"
    }


@pytest.mark.parametrize("name", sorted(_switch_services()))
def test_each_command_is_one_the_cli_takes(name: str) -> None:
    program, *args = _switch_services()[name]
    assert program == "switch"
    # --help after the options: unknown options still fail, nothing runs.
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output


def test_two_hub_replicas_listen_on_every_address_behind_the_proxy() -> None:
    hubs = {n for n, cmd in _switch_services().items() if cmd[1:2] == ["serve"]}
    assert hubs == {"hub-a", "hub-b"}
    for hub in hubs:
        command = SERVICES[hub]["command"]
        assert command[command.index("--host") + 1] == "0.0.0.0"
        assert command[command.index("--port") + 1] == "8000"
    upstreams = set(re.findall(r"server ([\w-]+):8000", NGINX))
    assert upstreams == hubs
    assert re.search(r"listen 8000;", NGINX)
    assert set(SERVICES["proxy"]["depends_on"]) == hubs


def test_every_state_service_is_in_switch_states_on_its_port() -> None:
    states = dict(
        entry.split("=", 1)
        for entry in SERVICES["hub-a"]["environment"]["SWITCH_STATES"].split(",")
    )
    served = {}
    for name, command in _switch_services().items():
        if command[1:3] == ["sim", "state"]:
            served[command[3]] = f"http://{name}:{command[command.index('--port') + 1]}"
    assert states == served and len(served) >= 3


def test_hubs_and_generator_share_one_database_through_the_proxy() -> None:
    urls = {
        s["environment"]["SWITCH_DATABASE_URL"]
        for s in SERVICES.values()
        if s.get("image") == "switch:local"
    }
    assert len(urls) == 1
    traffic = SERVICES["traffic"]["command"]
    assert traffic[traffic.index("--hub") + 1] == "http://proxy:8000"
    assert traffic[traffic.index("--db") + 1] in urls
