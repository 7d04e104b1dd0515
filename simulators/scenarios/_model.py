"""What a scenario file says: a title, the mock states and warrants it sets
up, then its steps. Placeholders in `send.text` are checked by the loader.

The file's `steps:` are items (narrate, send, pause, fault); the audience
counts steps (`Scenario.script`): a narration and the items it introduces,
numbered 1, 2, 3… without gaps, the same in the terminal, on the page and
in a failure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulators.mockstate import Fault
from switch.directory.jurisdictions import JURISDICTIONS

ORI = re.compile(r"[A-Z0-9]{9}")
# `expect:` keys that are not destinations.
RESERVED = ("summary", "error")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _state(value: str) -> str:
    state = value.strip().upper()
    if state not in JURISDICTIONS:
        raise ValueError(f"{value!r} is not a state code")
    return state


class DriverRef(_Strict):
    """Driver `driver` of the simulated DMV of `state` (seed 0 unless the run says)."""

    state: str
    driver: int = Field(ge=0)

    _check_state = field_validator("state")(_state)


class WarrantSpec(_Strict):
    kind: Literal["judicial", "administrative"]
    to: str
    subject: DriverRef | None = None
    oln: str | None = None
    form: str | None = None
    days: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _one_subject(self) -> WarrantSpec:
        if (self.subject is None) == (self.oln is None):
            raise ValueError("a warrant names a subject ({state, driver}) or an oln, not both")
        return self


class ResultExpect(_Strict):
    """What one destination's result must be; unset fields are not checked."""

    decision: Literal["permit", "deny"] | None = None
    rule: str | None = None
    status: (
        Literal["answered", "rejected", "no_response", "out_of_service", "delivered", "fault"]
        | None
    ) = None
    # The answer's message key (DR, ER, SM, ...) or NOT ON FILE for a DR without a record.
    response: str | None = None
    # True: the release obliges a notice to the subject; False: it must not.
    notice: bool | None = None
    # The ORI that answered (NL0000000, a state's switch, a DMV).
    sender: str | None = None
    # Where the state's policy refused it: nlets | state-switch | dmv.
    refused_by: Literal["nlets", "state-switch", "dmv"] | None = None


class Expect(_Strict):
    """`expect:` of a send step: destination (state or ORI) -> ResultExpect,
    plus `summary` (NL: each listed state must be in that bucket) and `error`
    (the ER code the hub must refuse the message with)."""

    results: dict[str, ResultExpect] = Field(default_factory=dict)
    summary: dict[Literal["hit", "no_hit", "no_response", "denied"], list[str]] | None = None
    error: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _split(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        results = {str(k).upper(): v for k, v in raw.items() if k not in RESERVED}
        for dest in results:
            if dest not in JURISDICTIONS and not ORI.fullmatch(dest):
                raise ValueError(f"expect: {dest!r} is neither a state nor an ORI")
        return {k: v for k, v in raw.items() if k in RESERVED} | {"results": results}


class Send(_Strict):
    sender: str = Field(alias="from")
    text: str = Field(min_length=1)

    @field_validator("sender")
    @classmethod
    def _ori(cls, value: str) -> str:
        ori = value.strip().upper()
        if not ORI.fullmatch(ori):
            raise ValueError(f"from: {value!r} is not an ORI (9 letters or digits)")
        return ori


class NarrateStep(_Strict):
    narrate: str


class PauseStep(_Strict):
    pause: float = Field(ge=0, le=600)


class SendStep(_Strict):
    send: Send
    expect: Expect | None = None
    # Seconds the hub may wait for the destinations (the hub's default if unset).
    wait: float | None = Field(default=None, ge=0, le=60)


class FaultChange(_Strict):
    state: str
    set: list[Fault] | None = None
    clear: bool = False

    _check_state = field_validator("state")(_state)

    @model_validator(mode="after")
    def _one_change(self) -> FaultChange:
        if (self.set is None) == (not self.clear):
            raise ValueError("a fault step either sets faults (set: [...]) or clears them")
        return self


class FaultStep(_Strict):
    fault: FaultChange


Step = NarrateStep | PauseStep | SendStep | FaultStep
STEP_KINDS: dict[str, type[BaseModel]] = {
    "narrate": NarrateStep,
    "pause": PauseStep,
    "send": SendStep,
    "fault": FaultStep,
}


class Scenario(_Strict):
    name: str
    title: str
    description: str = ""
    # States served as mock HTTP services for this scenario; others are built in.
    states: list[str] = Field(default_factory=list)
    warrants: dict[str, WarrantSpec] = Field(default_factory=dict)
    steps: list[Step]

    @field_validator("states")
    @classmethod
    def _known_states(cls, values: list[str]) -> list[str]:
        return [_state(v) for v in values]

    @property
    def senders(self) -> list[str]:
        return sorted({s.send.sender for s in self.steps if isinstance(s, SendStep)})

    @property
    def script(self) -> tuple[ScriptStep, ...]:
        """The steps as the audience counts them: each narration starts one;
        items before the first narration are a step of their own."""
        found: list[ScriptStep] = []
        for position, item in enumerate(self.steps, start=1):
            if isinstance(item, NarrateStep) or not found:
                narration = item.narrate.strip() if isinstance(item, NarrateStep) else None
                found.append(ScriptStep(len(found) + 1, narration, (), ()))
            last = found[-1]
            found[-1] = ScriptStep(
                last.number,
                last.narration,
                (*last.items, item),
                (*last.positions, position),
            )
        return tuple(found)


@dataclass(frozen=True, slots=True)
class ScriptStep:
    """Step `number` of a scenario: its narration (None for items that come
    before any) and the items it plays, with each one's place in the file's
    `steps:` (1-based), which a failure also names."""

    number: int
    narration: str | None
    items: tuple[Step, ...]
    positions: tuple[int, ...]

    @property
    def title(self) -> str:
        """What the step is about, in one line: its narration or its first action."""
        if self.narration is not None:
            return self.narration
        return step_label(self.items[0])

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "narration": self.narration,
            "title": " ".join(self.title.split()),
            "items": [step_label(item) for item in self.items],
            "sends": sum(isinstance(item, SendStep) for item in self.items),
        }


def step_label(step: Step) -> str:
    """A short name for a step in messages: `send from VTICE0900`, `fault OR`."""
    if isinstance(step, SendStep):
        return f"send from {step.send.sender}"
    if isinstance(step, FaultStep):
        return f"fault {step.fault.state}"
    if isinstance(step, PauseStep):
        return "pause"
    return "narrate"
