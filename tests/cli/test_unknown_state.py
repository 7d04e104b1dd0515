"""An unknown state is the same one-line error, exit 1, in every verb that takes a state."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from switch.cli import app

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
runner = CliRunner()

REASON = "error: unknown state 'ZZ': expected a jurisdiction code such as WA"
HUB = ["--hub", "http://127.0.0.1:9", "--key", "sw_unused"]


@pytest.fixture(autouse=True)
def env(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SWITCH_POLICIES", str(POLICIES))
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    "args",
    [
        ["notices", "--state", "ZZ"],
        ["notices", "--state", "ZZ", "--mark-sent", "1"],
        ["report", "ZZ"],
        ["status", "out", "ZZ"],
        ["status", "remove", "ZZ"],
        ["status", "in", "ZZ"],
        ["status", "out", "ZZ", *HUB],
        ["status", "in", "ZZ", *HUB],
        ["policy", "explain", "--to", "ZZ", "--from", "NY0303000"],
        ["policy", "matrix", "ZZ"],
        ["policy", "diff", str(POLICIES), str(POLICIES / "candidates"), "--state", "ZZ"],
        ["sim", "state", "ZZ"],
    ],
    ids=" ".join,
)
def test_an_unknown_state_is_one_line_and_exit_1(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [REASON]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ["agencies", "--state", "ZZ"],
            "error: unknown state 'ZZ': expected AS, GU, MP, VI or a jurisdiction code such as WA",
        ),
        (
            ["keys", "issue", "--admin", "ZZ"],
            "error: unknown state 'ZZ': expected * or a jurisdiction code such as WA",
        ),
    ],
    ids=["agencies", "keys"],
)
def test_verbs_that_take_more_than_a_state_name_what_else(args: list[str], reason: str) -> None:
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [reason]


def test_what_is_typed_is_shown_as_typed() -> None:
    result = runner.invoke(app, ["notices", "--state", "[bold]x"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: unknown state '[bold]x': expected a jurisdiction code such as WA"
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["notices", "--state", "wa"],
        ["agencies", "--state", "gu", "--json"],
        ["policy", "matrix", "wa", "--format", "json"],
        ["policy", "explain", "--to", "wa", "--from", "NY0303000"],
    ],
    ids=" ".join,
)
def test_a_known_state_in_any_case_is_taken(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
