"""Plays a scenario's steps against a target hub, narrating each as lines
(`Line(kind, text)`), and stops at the first expectation that fails. The
one player: `switch sim scenario`, the trainer's page and `switch demo`
(the shipped `demo` scenario, then live traffic through `flow`) all narrate
through it.

A flow line reads as the query travels:
agency -> hub -> policy (permit/deny, rule) -> state -> status, then the
answer, and the milliseconds the hub spent (the policy decision and the
state's answer). Steps are numbered as the audience counts them
(`Scenario.script`: 1, 2, 3…, a narration and what it introduces); every
line carries its step's number, and a failure names the step and the item's
place in the file. A `gate` (the trainer's presenter mode) is awaited
before each step: the step plays when the gate lets it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from simulators.dmv import StateDMV
from simulators.mockstate import Fault
from simulators.scenarios._checks import differences, has_notice, response_key
from simulators.scenarios._model import (
    FaultStep,
    NarrateStep,
    PauseStep,
    Scenario,
    ScriptStep,
    SendStep,
    Step,
    step_label,
)
from simulators.scenarios._placeholders import PlaceholderError, fill
from switch.client import Reply, Result

LineKind = Literal[
    "title",
    "narrate",
    "send",
    "permit",
    "deny",
    "error",
    "summary",
    # verbose: the answer's or the ER's own text, under its flow line
    "detail",
    "fault",
    "pause",
    "pass",
    "fail",
]


@dataclass(frozen=True, slots=True)
class Line:
    """`step`: the number of the step it belongs to; `message`: the id the
    hub gave the message a flow line is about (the page finds its card)."""

    kind: LineKind
    text: str
    step: int | None = None
    message: str | None = None


class Target(Protocol):
    """The hub a scenario plays through, and its mock states."""

    async def send(self, sender: str, text: str, wait: float | None) -> Reply: ...

    async def set_faults(self, state: str, faults: Sequence[Fault]) -> None: ...

    async def clear_faults(self, state: str) -> None: ...


@dataclass(frozen=True, slots=True)
class StepFailure:
    """Step `step` failed at its item `label`, the file's `steps:` item `item`."""

    step: int
    label: str
    sent: str | None
    problems: tuple[str, ...]
    item: int | None = None

    def __str__(self) -> str:
        what = f" ({self.sent})" if self.sent else ""
        where = f", item {self.item} of the file's steps" if self.item is not None else ""
        return f"step {self.step} ({self.label}{where}){what}: " + "; ".join(self.problems)


@dataclass(slots=True)
class Outcome:
    scenario: str
    steps: int
    played: int = 0
    failure: StepFailure | None = None
    lines: list[Line] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.failure is None and self.played == self.steps


# The ms on a flow line: the policy decision and the state's answer, not
# the HTTP round trip the sender sees.
IN_HUB = "in hub"


def flow_lines(sender: str, reply: Reply, *, verbose: bool = False) -> list[Line]:
    """A reply as it travelled; `verbose` adds the texts that came back."""
    if reply.error is not None:
        error = reply.error
        lines = [
            Line("error", f"{sender} → hub → ER {error.code} ({reply.status_code}) {error.message}")
        ]
        if verbose and error.er_text:
            lines.append(Line("detail", error.er_text))
        return lines
    lines = []
    for result in reply.results:
        rule = f" {result.rule}" if result.rule else ""
        answer = response_key(result)
        notice = " · notice due" if has_notice(result) else ""
        notice += _refused_at(result)
        kind: LineKind = "permit" if result.permitted else "deny"
        lines.append(
            Line(
                kind,
                f"{sender} → hub → policy {result.decision}{rule} → {result.destination} → "
                f"{result.status}{' · ' + answer if answer else ''}{notice} "
                f"{result.latency_ms:.1f} ms {IN_HUB}",
            )
        )
        if verbose and result.response is not None and result.response.text:
            lines.append(Line("detail", result.response.text))
    if reply.summary:
        parts = [
            f"{k}: {len(v)}" + (f" ({','.join(v)})" if len(v) < 6 else "")
            for k, v in reply.summary.items()
            if v
        ]
        lines.append(Line("summary", "NL summary — " + "; ".join(parts)))
    return lines


def _refused_at(result: Result) -> str:
    """Where a refusal came from, when not from Nlets: the hop it stopped at."""
    sender = result.response.sender if result.response else None
    state = result.destination[:2]
    if result.refused_by == "state-switch":
        return f" · refused at {state}'s switch {sender}"
    if result.refused_by == "dmv":
        return f" · refused by the {state} DMV {sender}"
    return ""


# Awaited with a step's number before it plays (presenter mode).
Gate = Callable[[int], Awaitable[None]]


class ScenarioPlayer:
    """`pace`: seconds between items; 0 plays as fast as it can and skips
    pauses. `verbose`: each answer's text under its flow line. `gate`:
    awaited before each step, which plays when it returns."""

    def __init__(
        self,
        target: Target,
        *,
        warrants: Mapping[str, str],
        pace: float = 0.8,
        seed: int = 0,
        on_line: Callable[[Line], None] | None = None,
        verbose: bool = False,
        gate: Gate | None = None,
    ) -> None:
        self._target = target
        self._verbose = verbose
        self._gate = gate
        self._warrants = dict(warrants)
        self._pace = pace
        self._seed = seed
        self._on_line = on_line
        self._dmvs: dict[str, StateDMV] = {}

    def _driver(self, state: str, index: int) -> Mapping[str, str]:
        dmv = self._dmvs.get(state)
        if dmv is None:
            dmv = self._dmvs[state] = StateDMV(state, seed=self._seed)
        return dmv.driver(index)

    async def play(self, scenario: Scenario) -> Outcome:
        script = scenario.script
        outcome = Outcome(scenario.name, len(script))

        def emit(line: Line) -> None:
            outcome.lines.append(line)
            if self._on_line is not None:
                self._on_line(line)

        emit(Line("title", scenario.title))
        for step in script:
            if self._gate is not None:
                await self._gate(step.number)
            failure = await self._play_script_step(step, emit)
            if failure is not None:
                outcome.failure = failure
                emit(Line("fail", str(failure), step.number))
                return outcome
            outcome.played = step.number
        emit(Line("pass", f"{scenario.name}: all {len(script)} steps as expected"))
        return outcome

    async def _play_script_step(
        self, step: ScriptStep, emit: Callable[[Line], None]
    ) -> StepFailure | None:
        if step.narration is None:
            emit(Line("narrate", f"{step.number}. {step.title}", step.number))
        for item, position in zip(step.items, step.positions, strict=True):
            if position > 1 and self._pace > 0:
                await asyncio.sleep(self._pace)
            failure = await self._play_step(step.number, item, emit)
            if failure is not None:
                return StepFailure(
                    failure.step, failure.label, failure.sent, failure.problems, position
                )
        return None

    async def _play_step(
        self, number: int, step: Step, emit: Callable[[Line], None]
    ) -> StepFailure | None:
        if isinstance(step, NarrateStep):
            emit(Line("narrate", f"{number}. {step.narrate.strip()}", number))
        elif isinstance(step, PauseStep):
            if self._pace > 0:
                emit(Line("pause", f"(pause {step.pause:g} s)", number))
                await asyncio.sleep(step.pause)
        elif isinstance(step, FaultStep):
            change = step.fault
            if change.clear:
                emit(Line("fault", f"{change.state}: faults cleared", number))
                await self._target.clear_faults(change.state)
            else:
                names = ", ".join(f.type for f in change.set or ())
                emit(Line("fault", f"{change.state}: faults set ({names})", number))
                await self._target.set_faults(change.state, change.set or ())
        elif isinstance(step, SendStep):
            return await self._send(number, step, emit)
        return None

    async def _send(
        self, number: int, step: SendStep, emit: Callable[[Line], None]
    ) -> StepFailure | None:
        sender = step.send.sender
        label = step_label(step)
        try:
            text = fill(step.send.text, sender=sender, warrants=self._warrants, driver=self._driver)
        except PlaceholderError as exc:
            return StepFailure(number, label, None, (str(exc),))
        emit(Line("send", f"{sender} sends {text}", number))
        try:
            reply = await self._target.send(sender, text, step.wait)
        except Exception as exc:  # the hub's failure is the step's failure
            return StepFailure(number, label, text, (f"no reply: {exc}",))
        for line in flow_lines(sender, reply, verbose=self._verbose):
            emit(Line(line.kind, line.text, number, reply.id))
        if step.expect is None:
            return None
        problems = differences(step.expect, reply)
        return StepFailure(number, label, text, tuple(problems)) if problems else None

    async def flow(
        self, sender: str, text: str, *, wait: float | None = None, verbose: bool | None = None
    ) -> Reply:
        """One message outside the script (live traffic): sent, and its
        flow lines shown as a step's are. Raises what the target raises."""
        reply = await self._target.send(sender, text, wait)
        shown = self._verbose if verbose is None else verbose
        for line in flow_lines(sender, reply, verbose=shown):
            if self._on_line is not None:
                self._on_line(line)
        return reply
