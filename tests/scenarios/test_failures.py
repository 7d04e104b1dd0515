"""A scenario whose expectation is wrong fails loudly, naming the step."""

from __future__ import annotations

import re
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
    # Step 1 is the narration and the send it introduces: the file's item 2.
    assert (outcome.failure.step, outcome.failure.item) == (1, 2)
    assert outcome.played == 0
    message = str(outcome.failure)
    assert "step 1 (send from VTICE0900, item 2 of the file's steps)" in message
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
    assert "step 1 (send from VTICE0900, item 2 of the file's steps)" in result.output
    assert "expected permit, got deny" in result.output


def test_cli_plays_a_shipped_scenario() -> None:
    result = CliRunner().invoke(_cli(), ["scenario", "state-outage", "--pace", "0"])
    assert result.exit_code == 0, result.output
    assert "OR0260100 → hub → policy permit → OR → out_of_service · SM" in result.output
    # Numbered once, without gaps: four narrated steps, 1. to 4., and "all 4".
    numbers = re.findall(r"^(\d+)\. ", result.output, flags=re.MULTILINE)
    assert numbers == ["1", "2", "3", "4"]
    assert "all 4 steps as expected" in result.output


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
