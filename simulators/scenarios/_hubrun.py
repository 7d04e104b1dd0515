"""Playing a scenario inside a running hub (the trainer's page): keys and
warrants issued in its own database, messages sent through its own app, and
the scenario's mock states routed to for as long as the run lasts."""

from __future__ import annotations

import asyncio
import secrets
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from simulators.mockstate import MockStateControl, running_state
from simulators.scenarios._model import Scenario
from simulators.scenarios._player import Line, ScenarioPlayer
from simulators.scenarios._targets import ClientTarget, prepare
from switch.app.runtime import Runtime
from switch.client import AsyncSwitchClient
from switch.destinations.base import Destination
from switch.destinations.http import HttpDestination

RunStatus = Literal["running", "passed", "failed", "error"]


@dataclass(slots=True)
class ScenarioRun:
    name: str
    steps: int
    id: str = field(default_factory=lambda: secrets.token_hex(6))
    status: RunStatus = "running"
    played: int = 0
    lines: list[Line] = field(default_factory=list)
    failure: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "steps": self.steps,
            "played": self.played,
            "passed": None if self.status == "running" else self.status == "passed",
            "failure": self.failure,
            "lines": [{"kind": ln.kind, "text": ln.text, "step": ln.step} for ln in self.lines],
        }


def _route(runtime: Runtime, state: str, url: str) -> tuple[Destination, HttpDestination]:
    # INVARIANT: the router reads runtime.destinations (the same dict) on every message.
    destinations: Any = runtime.destinations
    old: Destination = destinations[state]
    new = HttpDestination(state, url)
    destinations[state] = new
    return old, new


async def run_in_hub(
    app: Any, runtime: Runtime, scenario: Scenario, run: ScenarioRun, *, pace: float = 0.8
) -> None:
    """Play `scenario` through `app` (this hub's ASGI app), recording into `run`."""
    stack = ExitStack()
    swapped: list[tuple[str, Destination, HttpDestination]] = []
    seed = runtime.settings.simulator_seed
    try:
        controls: dict[str, MockStateControl] = {}
        for state in scenario.states:
            url, control = await asyncio.to_thread(
                stack.enter_context, running_state(state, seed=seed)
            )
            controls[state] = control
            old, new = _route(runtime, state, url)
            swapped.append((state, old, new))
        keys, warrants = await asyncio.to_thread(
            prepare, runtime.engine, runtime.directory, scenario, seed=seed
        )
        transport = httpx.ASGITransport(app=app)
        async with AsyncSwitchClient("http://hub", "", transport=transport, timeout=70.0) as client:

            def record(line: Line) -> None:
                run.lines.append(line)
                if line.step is not None:
                    run.played = max(run.played, line.step)

            target = ClientTarget(client, keys, controls)
            player = ScenarioPlayer(target, warrants=warrants, pace=pace, seed=seed, on_line=record)
            outcome = await player.play(scenario)
        run.played = outcome.played
        run.failure = None if outcome.failure is None else str(outcome.failure)
        run.status = "passed" if outcome.passed else "failed"
    except Exception as exc:  # reported on the run, not lost in a background task
        run.status = "error"
        run.failure = f"{type(exc).__name__}: {exc}"
    finally:
        destinations: Any = runtime.destinations
        for state, old, new in swapped:
            destinations[state] = old
            await new.aclose()
        await asyncio.to_thread(stack.close)
