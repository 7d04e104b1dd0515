"""Playing a scenario inside a running hub (the trainer's page): keys and
warrants issued in its own database, messages sent through its own app, and
the scenario's mock states routed to for as long as the run lasts.

`HubScenarioRunner` is the `ScenarioRunner` a hub's app is built with
(`create_app(..., scenario_runner=HubScenarioRunner)`)."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from typing import Any

import httpx
from fastapi import FastAPI

from simulators.mockstate import MockStateControl, running_state
from simulators.scenarios import ClientTarget, Scenario, ScenarioPlayer, ScenarioRun, prepare
from switch.app.runtime import Runtime
from switch.client import AsyncSwitchClient
from switch.destinations.base import Destination
from switch.destinations.http import HttpDestination


def _route(runtime: Runtime, state: str, url: str) -> tuple[Destination, HttpDestination]:
    # INVARIANT: the router reads runtime.destinations (the same dict) on every message.
    destinations: Any = runtime.destinations
    old: Destination = destinations[state]
    new = HttpDestination(state, url)
    destinations[state] = new
    return old, new


class HubScenarioRunner:
    """Plays scenarios through `app` (this hub's ASGI app) on `runtime`."""

    def __init__(self, app: FastAPI, runtime: Runtime) -> None:
        self._app = app
        self._runtime = runtime

    async def run(self, scenario: Scenario, run: ScenarioRun, *, pace: float = 0.8) -> None:
        runtime = self._runtime
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
            transport = httpx.ASGITransport(app=self._app)
            async with AsyncSwitchClient(
                "http://hub", "", transport=transport, timeout=70.0
            ) as client:
                target = ClientTarget(client, keys, controls)
                player = ScenarioPlayer(
                    target,
                    warrants=warrants,
                    pace=pace,
                    seed=seed,
                    on_line=run.record,
                    gate=run.turn if run.presenter else None,
                )
                outcome = await player.play(scenario)
            run.played = outcome.played
            run.failure = None if outcome.failure is None else str(outcome.failure)
            run.status = "passed" if outcome.passed else "failed"
        except asyncio.CancelledError:
            run.status = "stopped"  # the presenter left, or the hub is stopping
            raise
        except Exception as exc:  # reported on the run, not lost in a background task
            run.status = "error"
            run.failure = f"{type(exc).__name__}: {exc}"
        finally:
            destinations: Any = runtime.destinations
            for state, old, new in swapped:
                destinations[state] = old
                await new.aclose()
            await asyncio.to_thread(stack.close)
