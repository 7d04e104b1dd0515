"""Loader errors name the file, the step and the reason; bad files sit beside good ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.scenarios import ScenarioError, load_scenario
from simulators.scenarios._placeholders import fill

HEAD = "title: t\n"


def _load(tmp_path: Path, body: str) -> ScenarioError:
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + body)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("body", "step", "reason"),
    [
        ("steps:\n  - narrate: hi\n  - shout: hello\n", 2, "unknown step type (shout)"),
        (
            'steps:\n  - send: {from: NY0303000, text: "DQ.{from}.WA.TXTOLN/{oln}"}\n',
            1,
            "unknown placeholder {oln}",
        ),
        (
            'steps:\n  - send: {from: NY0303000, text: "DQ.{from}.XX.TXTOLN/{driver:XX:1:OLN}"}\n',
            1,
            "'XX' is not a state code",
        ),
        (
            'steps:\n  - narrate: a\n  - send: {from: VTICE0900, text: "X/{warrant:nope}"}\n',
            2,
            "{warrant:nope}: no such warrant",
        ),
        ('steps:\n  - send: {from: NY0303000, text: "DQ.{from"}\n', 1, "unmatched '{'"),
        ("steps:\n  - send: {from: NYPD, text: x}\n", 1, "'NYPD' is not an ORI"),
        ("steps:\n  - fault: {state: OR, clear: true}\n", 1, "OR, which is not a mock state"),
        (
            "states: [OR]\nsteps:\n  - fault: {state: OR, set: [{type: meltdown}]}\n",
            1,
            "fault.set.0",
        ),
        (
            "steps:\n  - send: {from: NY0303000, text: x}\n    expect: {WA: {verdict: deny}}\n",
            1,
            "verdict",
        ),
        ("steps:\n  - pause: -1\n", 1, "greater than or equal to 0"),
        ("steps:\n  - narrate: a\n    pause: 1\n", 1, "several step types"),
    ],
)
def test_step_errors_name_file_step_and_reason(
    tmp_path: Path, body: str, step: int, reason: str
) -> None:
    error = _load(tmp_path, body)
    assert error.step == step
    assert f"step {step}:" in str(error)
    assert reason in error.reason


def test_file_level_errors(tmp_path: Path) -> None:
    assert "steps:" in _load(tmp_path, "steps: []\n").reason
    assert "not YAML" in _load(tmp_path, "steps: [\n").reason
    error = _load(
        tmp_path, "warrants: {w: {kind: judicial, to: VTICE0900}}\nsteps:\n  - narrate: a\n"
    )
    assert error.step is None
    assert "subject" in error.reason


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(
        "title: Good\nstates: [or]\n"
        "warrants: {w: {kind: judicial, to: VTICE0900, subject: {state: NY, driver: 7}}}\n"
        "steps:\n"
        "  - send:\n"
        "      from: vtice0900\n"
        '      text: "DQ.{from}.NY.TXTOLN/{driver:NY:7:OLN}.WRT/{warrant:w}"\n'
        "    expect: {NY: {decision: permit, notice: true}, summary: {hit: [NY]}}\n"
        "  - fault: {state: OR, set: [{type: latency, params: {ms: 5}}]}\n"
    )
    scenario = load_scenario(path)
    assert scenario.name == "good"
    assert scenario.states == ["OR"]
    assert scenario.senders == ["VTICE0900"]


def test_placeholders_fill() -> None:
    record = {"OLN": "WDL1", "NAM": "DOE,JANE ANN", "DOB": "19850214"}
    text = fill(
        "DQ.{from}.WA.TXTNAM/{driver:WA:1:NAME}.DOB/{driver:wa:1:dob}.WRT/{warrant:w}.X/{{y}}",
        sender="NY0303000",
        warrants={"w": "JW-1"},
        driver=lambda state, index: record,
    )
    assert text == "DQ.NY0303000.WA.TXTNAM/DOE,JANE.DOB/19850214.WRT/JW-1.X/{y}"
