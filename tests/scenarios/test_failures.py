"""A scenario whose expectation is wrong fails loudly, naming the step."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from simulators.harness import play
from simulators.scenarios import load_scenario
from switch.cli.sim_scenario import scenario as scenario_verb

WRONG = """\
title: A wrong expectation
steps:
  - narrate: ICE asks Washington, and someone thinks Washington answers.
  - send: {from: VTICE0900, text: "DQ.{from}.WA.TXTOLN/{driver:WA:5:OLN}"}
    expect:
      WA: {decision: permit, status: answered}
  - narrate: never reached
"""


@pytest.fixture
def wrong(tmp_path: Path) -> Path:
    path = tmp_path / "wrong.yaml"
    path.write_text(WRONG)
    return path


def test_a_wrong_expectation_fails_at_its_step(wrong: Path) -> None:
    outcome = play(load_scenario(wrong), pace=0)
    assert not outcome.passed
    assert outcome.failure is not None
    assert outcome.failure.step == 2
    assert outcome.played == 1
    message = str(outcome.failure)
    assert "step 2 (send from VTICE0900)" in message
    assert "WA decision: expected permit, got deny" in message
    assert "WA status: expected answered, got rejected" in message


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("scenario")(scenario_verb)
    app.command("other")(lambda: None)  # a group, as under `switch sim`
    return app


def test_cli_exits_non_zero_naming_the_step(wrong: Path) -> None:
    result = CliRunner().invoke(_cli(), ["scenario", str(wrong), "--pace", "0"])
    assert result.exit_code == 1
    assert "step 2 (send from VTICE0900)" in result.output
    assert "expected permit, got deny" in result.output


def test_cli_plays_a_shipped_scenario() -> None:
    result = CliRunner().invoke(_cli(), ["scenario", "state-outage", "--pace", "0"])
    assert result.exit_code == 0, result.output
    assert "OR0260100 → hub → policy permit → OR → out_of_service · SM" in result.output
    assert "all 11 steps as expected" in result.output


def test_cli_refuses_keys_without_hub(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text("{}")
    result = CliRunner().invoke(_cli(), ["scenario", "ice-2025", "--keys", str(keys)])
    assert result.exit_code == 1
    assert "--keys and --mock go with --hub" in result.output


def test_cli_names_an_unknown_scenario() -> None:
    result = CliRunner().invoke(_cli(), ["scenario", "no-such-scenario"])
    assert result.exit_code == 1
    assert "no such file, nor a shipped scenario" in result.output
