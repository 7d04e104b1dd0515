"""A hub of a scenario's own: a temporary SQLite database, its mock states
served from threads, keys and warrants issued; and playing a scenario there
end to end."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from simulators.mockstate import running_state
from simulators.scenarios import Line, Outcome, Scenario, Session, SetupError, play_session, prepare
from switch.app.runtime import Runtime
from switch.client import SwitchClient, SwitchClientError
from switch.serving.server import running_hub
from switch.settings import Settings


def wait_until_warm(url: str, timeout: float = 60.0) -> None:
    """Built-in DMVs index names behind start-up; a narrated NL query should not pay for it."""
    deadline = time.monotonic() + timeout
    with SwitchClient(url, "", timeout=5.0) as client:
        while time.monotonic() < deadline:
            try:
                if client.health().get("warm", True):
                    return
            except SwitchClientError as exc:
                raise SetupError(f"no hub answering at {url}: {exc}") from exc
            time.sleep(0.05)


@contextmanager
def local_session(scenario: Scenario, *, seed: int = 0) -> Iterator[Session]:
    """A hub of the scenario's own on a temporary SQLite database, its mock
    states served from threads, keys and warrants issued."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="switch-scenario-")))
        controls = {}
        routes = []
        for state in scenario.states:
            url, control = stack.enter_context(running_state(state, seed=seed))
            controls[state] = control
            routes.append(f"{state}={url}")
        settings = Settings(
            database_url=f"sqlite:///{folder / 'hub.db'}",
            states=",".join(routes),
            simulator_seed=seed,
        )
        holder: list[Runtime] = []

        def factory() -> Runtime:
            holder.append(Runtime(settings))
            return holder[0]

        url = stack.enter_context(running_hub(factory))
        runtime = holder[0]
        keys, warrants = prepare(runtime.engine, runtime.directory, scenario, seed=seed)
        wait_until_warm(url)
        yield Session(url, keys, warrants, controls)


def play(
    scenario: Scenario,
    *,
    pace: float = 0.0,
    seed: int = 0,
    on_line: Callable[[Line], None] | None = None,
) -> Outcome:
    """Play on a hub of the scenario's own, started and stopped here."""
    with local_session(scenario, seed=seed) as session:
        return play_session(scenario, session, pace=pace, seed=seed, on_line=on_line)
