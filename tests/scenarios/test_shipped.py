"""Each shipped scenario passes when played through a hub of its own."""

from __future__ import annotations

import pytest

from simulators.harness import play
from simulators.scenarios import Line, load_scenario, shipped_names


def test_the_promised_scenarios_ship() -> None:
    assert {"ice-2025", "multi-state-query", "state-outage"} <= set(shipped_names())


@pytest.mark.parametrize("name", shipped_names())
def test_shipped_scenario_passes(name: str) -> None:
    lines: list[Line] = []
    outcome = play(load_scenario(name), pace=0, on_line=lines.append)
    assert outcome.failure is None, "\n".join(line.text for line in lines)
    assert outcome.passed
    assert lines[-1].kind == "pass"


def test_ice_2025_shows_the_notice_and_both_warrants() -> None:
    lines: list[Line] = []
    play(load_scenario("ice-2025"), pace=0, on_line=lines.append)
    flows = [line.text for line in lines if line.kind in ("permit", "deny")]
    assert any("ny-immigration-judicial-only" in f and "deny" in f for f in flows)
    assert any("ny-immigration-judicial-release" in f and "notice due" in f for f in flows)
    assert any(f.startswith("WACBP0100") and "permit" in f for f in flows)
