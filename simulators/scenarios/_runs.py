"""A scenario played inside a running hub, as the trainer's page follows it:
the run's record (status, narration so far, verdict) and the protocol of
whatever plays it there. The hub's app is handed a runner; it never builds
one, so the API needs nothing above it to serve the page."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from simulators.scenarios._model import Scenario
from simulators.scenarios._player import Line

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

    def record(self, line: Line) -> None:
        self.lines.append(line)
        if line.step is not None:
            self.played = max(self.played, line.step)

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


class ScenarioRunner(Protocol):
    """Plays `scenario` inside the hub that serves it, recording into `run`;
    it reports failures on the run rather than raising."""

    async def run(self, scenario: Scenario, run: ScenarioRun, *, pace: float) -> None: ...
