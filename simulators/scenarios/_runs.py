"""A scenario played inside a running hub, as the trainer's page follows it:
the run's record (status, narration so far, verdict) and the protocol of
whatever plays it there. The hub's app is handed a runner; it never builds
one, so the API needs nothing above it to serve the page.

A presenter's run plays a step only when it is let (`release`, the page's
Next): the player waits at `turn` before each step."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from simulators.scenarios._model import Scenario, ScriptStep
from simulators.scenarios._player import Line

RunStatus = Literal["running", "passed", "failed", "error", "stopped"]
# A presenter's run left waiting this long for its Next ends (the page is gone).
PRESENTER_IDLE_SECONDS = 1800.0


@dataclass(slots=True)
class ScenarioRun:
    """`steps` as the audience counts them (`Scenario.script`); `played`, the
    last step that has begun; `released`, how many a presenter has let play."""

    name: str
    steps: int
    id: str = field(default_factory=lambda: secrets.token_hex(6))
    status: RunStatus = "running"
    played: int = 0
    lines: list[Line] = field(default_factory=list)
    failure: str | None = None
    script: tuple[ScriptStep, ...] = ()
    presenter: bool = False
    released: int = 0
    _turned: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def of(cls, scenario: Scenario, *, presenter: bool = False) -> ScenarioRun:
        script = scenario.script
        return cls(scenario.name, len(script), script=script, presenter=presenter)

    def record(self, line: Line) -> None:
        self.lines.append(line)
        if line.step is not None:
            self.played = max(self.played, line.step)

    async def turn(self, number: int) -> None:
        """Return when step `number` may play; TimeoutError when no Next
        comes for PRESENTER_IDLE_SECONDS (the run then ends in error)."""
        while self.released < number:
            self._turned.clear()
            try:
                await asyncio.wait_for(self._turned.wait(), PRESENTER_IDLE_SECONDS)
            except TimeoutError:
                raise TimeoutError(f"no Next for {PRESENTER_IDLE_SECONDS:g} s") from None

    def release(self) -> None:
        """Let the next step play (a presenter's Next)."""
        self.released = min(self.released + 1, self.steps)
        self._turned.set()

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "steps": self.steps,
            "played": self.played,
            "presenter": self.presenter,
            "released": self.released,
            "passed": None if self.status in ("running", "stopped") else self.status == "passed",
            "failure": self.failure,
            "script": [step.as_json() for step in self.script],
            "lines": [
                {"kind": ln.kind, "text": ln.text, "step": ln.step, "message": ln.message}
                for ln in self.lines
            ],
        }


class ScenarioRunner(Protocol):
    """Plays `scenario` inside the hub that serves it, recording into `run`;
    it reports failures on the run rather than raising."""

    async def run(self, scenario: Scenario, run: ScenarioRun, *, pace: float) -> None: ...
