"""`switch demo` runs the narrated scenario through a live hub and ends by itself."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from switch.demo.run import run_demo


def test_demo_plays_every_flow_then_summarises(tmp_path: Path) -> None:
    console = Console(record=True, width=160, force_terminal=False)
    sent = run_demo(duration=4, database=tmp_path / "demo.db", pace=0.05, console=console)
    out = console.export_text()
    assert sent >= 10
    # In and out of state, ICE, NL, a malformed message, an AM: each shown.
    assert "NY0303000 → hub → policy permit → NY → answered · DR" in out
    assert "NY0303000 → hub → policy permit → WA → answered · DR" in out
    # Washington refuses ICE and says why; Texas answers; MA refuses HSI.
    assert "VTICE0900 → hub → policy deny wa-no-ice → WA → rejected · ER" in out
    assert "DENIED BY WA POLICY RULE wa-no-ice: Keep Washington Working" in out
    assert "VTICE0900 → hub → policy permit → TX → answered · DR" in out
    assert "NYHSI0200 → hub → policy deny ma-no-ice → MA → rejected" in out
    # An I-200 does not open New York; a judicial warrant does.
    assert "policy deny ny-immigration-judicial-only → NY → rejected" in out
    assert "policy permit ny-immigration-judicial-release → NY → answered" in out
    assert "NL summary — hit: " in out
    assert "ER .05." in out
    assert "→ WAOLN0000 → delivered" in out
    assert "Demo summary" in out
    assert "latency p50 (ms)" in out
    assert (tmp_path / "demo.db").exists()
