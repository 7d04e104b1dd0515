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


def test_ice_2025_stops_ice_at_washingtons_switch_every_time_it_asks() -> None:
    lines: list[Line] = []
    play(load_scenario("ice-2025"), pace=0, on_line=lines.append)
    to_wa = [
        line.text
        for line in lines
        if line.kind == "deny" and line.text.startswith("VTICE0900") and "wa-no-ice" in line.text
    ]
    # The first query, the retry, and the one addressed to the DMV's ORI.
    assert len(to_wa) == 3
    assert all("refused at WA's switch WAWSP0000" in text for text in to_wa)
    assert "→ WAOLN0000 →" in to_wa[2]
    narration = " ".join(line.text for line in lines if line.kind == "narrate")
    assert "18 Nov 2025" in narration and "ACCESS" in narration
    # Minnesota still refuses at Nlets: no hop named.
    (mn,) = [line.text for line in lines if "mn-no-ice" in line.text]
    assert "refused at" not in mn
