"""`switch sim state`: options become the service that is served; bad ones
fail with the reason on stderr before anything listens."""

from __future__ import annotations

import importlib
import socket
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import simulators.mockstate
from simulators.mockstate import MockState
from switch.cli.sim_state import state

EXAMPLES = Path(__file__).resolve().parents[2] / "simulators" / "mockstate" / "examples"
FIXTURES = Path(__file__).parent / "fixtures"

app = typer.Typer()
app.command()(state)
runner = CliRunner()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Catch what would be served instead of serving it."""
    calls: list[dict[str, Any]] = []

    def fake_serve(service: MockState, **options: Any) -> None:
        calls.append({"service": service, **options})

    monkeypatch.setattr(simulators.mockstate, "serve", fake_serve)
    return calls


def test_defaults_serve_the_state_on_localhost(served: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["wa"])
    assert result.exit_code == 0, result.stderr
    [call] = served
    service = call["service"]
    assert (service.state, service.seed, service.generated) == ("WA", 0, True)
    assert (call["host"], call["port"], call["log_level"]) == ("127.0.0.1", 0, "warning")
    assert service.faults.faults == [] and len(service.records) == 0


def test_fault_options_records_and_seed(served: list[dict[str, Any]]) -> None:
    result = runner.invoke(
        app,
        [
            "OR",
            "--port",
            "9101",
            "--seed",
            "4",
            "--no-generated",
            "--records",
            str(EXAMPLES / "wa-records.yaml"),
            "--faults",
            str(EXAMPLES / "flaky.yaml"),
            "--fault",
            "reset@0.01",
            "--fault",
            "malformed:kind=wrong_key,keys=KQ",
            "--latency",
            "200",
            "--error-rate",
            "0.1",
            "--down",
        ],
    )
    assert result.exit_code == 0, result.stderr
    service = served[0]["service"]
    assert (service.state, service.seed, service.generated) == ("OR", 4, False)
    assert served[0]["port"] == 9101
    assert len(service.records) == 3
    assert [f.type for f in service.faults.faults] == [
        "jitter",
        "error",
        "out_of_service",
        "reset",
        "malformed",
        "latency",
        "error",
        "out_of_service",
    ]
    latency = service.faults.faults[5]
    assert latency.params.ms == 200
    assert service.faults.faults[6].probability == 0.1
    assert service.faults.faults[7].keys is None


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["ZZ"], "unknown state 'ZZ'"),
        (["WA", "--fault", "slow"], "invalid fault spec"),
        (["WA", "--error-rate", "2"], "less than or equal to 1"),
        (["WA", "--latency", "-5"], "greater than or equal to 0"),
        (["WA", "--records", str(FIXTURES / "bad-records-name.yaml")], "want LAST,FIRST"),
        (["WA", "--records", str(FIXTURES / "nope.yaml")], "No such file"),
        (["WA", "--faults", str(FIXTURES / "bad-faults.yaml")], "[1].error.probability"),
    ],
)
def test_bad_options_fail_with_the_reason(
    served: list[dict[str, Any]], args: list[str], reason: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    # The console wraps long lines: compare the words.
    assert " ".join(reason.split()) in " ".join(result.stderr.split())
    assert result.stdout == "" and served == []


def test_a_port_in_use_fails_with_the_reason() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["WA", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_switch_sim_state_once_registered() -> None:
    try:
        sim = importlib.import_module("switch.cli.sim")
    except ImportError:
        pytest.skip("switch.cli.sim is not there yet; `switch sim state` is not registered")
    from switch.cli import app as switch_app

    result = runner.invoke(switch_app, ["sim", "state", "--help"])
    assert result.exit_code == 0, result.output
    assert "--port" in result.output and "--fault" in result.output
    assert sim is not None
