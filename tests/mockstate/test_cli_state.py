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
from simulators.mockstate.cli import state
from switch.cli import app as switch_cli

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


def test_help_shows_every_fault_type_with_an_example_line_unwrapped() -> None:
    result = runner.invoke(switch_cli, ["sim", "state", "--help"], terminal_width=60)
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    for line in [
        "latency         ms                          latency:ms=400",
        "jitter          distribution, ms, spread    jitter:distribution=normal,ms=300,spread=50",
        "error           status (500..599, not 503)  error@0.1:status=502",
        "timeout         seconds (optional)          timeout:seconds=5",
        "reset           none                        reset@0.5",
        "malformed       kind                        malformed:kind=truncated",
        "out_of_service  none (scope with keys)      out_of_service:keys=DQ+KQ",
        '{"type": "latency", "params": {"ms": 400}}',
        '{"type": "latency", "ms": 400}    (the same: params may sit beside type)',
        '{"type": "error", "probability": 0.1, "params": {"status": 502}}',
    ]:
        assert line in lines
    for kind in ("latency", "jitter", "error", "timeout", "reset", "malformed", "out_of_service"):
        assert any(line.startswith(f"{kind} ") for line in lines), kind


def test_a_faults_file_takes_params_beside_type(
    served: list[dict[str, Any]], tmp_path: Path
) -> None:
    faults = tmp_path / "faults.yaml"
    faults.write_text(
        "- {type: latency, ms: 400}\n- {type: error, probability: 0.5, status: 502}\n"
    )
    result = runner.invoke(app, ["WA", "--faults", str(faults)])
    assert result.exit_code == 0, result.stderr
    latency, error = served[0]["service"].faults.faults
    assert (latency.type, latency.params.ms) == ("latency", 400.0)
    assert (error.probability, error.params.status) == (0.5, 502)


def test_a_wrong_name_in_a_faults_file_names_the_right_one(
    served: list[dict[str, Any]], tmp_path: Path
) -> None:
    faults = tmp_path / "faults.yaml"
    faults.write_text("- {type: error, rate: 0.1}\n")
    result = runner.invoke(app, ["WA", "--faults", str(faults)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {faults}: invalid fault spec: [0].error: unknown name 'rate' "
        "(did you mean probability?): error takes params status; every fault takes name, "
        "probability, keys, oris, seed"
    ]
    assert served == []
