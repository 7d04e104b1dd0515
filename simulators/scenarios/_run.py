"""Playing a scenario through a session's hub, and showing its lines on a console."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.console import Console

from simulators.scenarios._model import Scenario
from simulators.scenarios._player import Line, Outcome, ScenarioPlayer
from simulators.scenarios._targets import ClientTarget, Session
from switch.client import AsyncSwitchClient
from switch.terminal import heading

_STYLES = {
    "title": "bold",
    "narrate": "bold cyan",
    "send": "dim",
    "permit": "green",
    "deny": "red",
    "error": "red",
    "summary": "",
    "detail": "dim",
    "fault": "yellow",
    "pause": "dim",
    "pass": "bold green",
    "fail": "bold red",
}


def console_narrator(console: Console) -> Callable[[Line], None]:
    """Prints each line as the demo does: narration as a rule, flows in colour."""

    def show(line: Line) -> None:
        if line.kind == "title":
            heading(console, line.text)
        elif line.kind == "narrate":
            console.print()
            console.print(line.text, style=_STYLES["narrate"], highlight=False, markup=False)
        elif line.kind == "fail":
            console.print(
                f"FAILED {line.text}", style=_STYLES["fail"], highlight=False, markup=False
            )
        else:
            console.print(line.text, style=_STYLES[line.kind], highlight=False, markup=False)

    return show


async def play_async(
    scenario: Scenario,
    session: Session,
    *,
    pace: float = 0.8,
    seed: int = 0,
    on_line: Callable[[Line], None] | None = None,
    verbose: bool = False,
) -> Outcome:
    async with AsyncSwitchClient(session.url, "", timeout=70.0) as client:
        target = ClientTarget(client, session.keys, session.controls)
        player = ScenarioPlayer(
            target,
            warrants=session.warrants,
            pace=pace,
            seed=seed,
            on_line=on_line,
            verbose=verbose,
        )
        return await player.play(scenario)


def play_session(
    scenario: Scenario,
    session: Session,
    *,
    pace: float = 0.8,
    seed: int = 0,
    on_line: Callable[[Line], None] | None = None,
    verbose: bool = False,
) -> Outcome:
    return asyncio.run(
        play_async(scenario, session, pace=pace, seed=seed, on_line=on_line, verbose=verbose)
    )
