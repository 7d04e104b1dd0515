"""Faults a mock state can be told to show, and the seeded draw that picks
which ones hit a given query.

A fault is data: `{type, probability, params, keys, oris, name, seed}`.
`latency` and `jitter` add delay and combine; the others decide the reply,
and the first of those to hit (in list order) wins:

    latency         fixed delay            params: ms
    jitter          random delay           params: distribution (uniform | normal |
                                           exponential), ms, spread
    error           HTTP 5xx               params: status (default 500)
    timeout         never answer           params: seconds (optional: drop after)
    reset           drop the connection    (none)
    malformed       a 200 the hub cannot read
                                           params: kind (garbage | truncated |
                                           wrong_shape | wrong_key)
    out_of_service  HTTP 503               (none; scope it with `keys`)

A type's params may also sit beside `type`: `{"type": "latency", "ms": 400}`
reads as `{"type": "latency", "params": {"ms": 400}}`. A name that is neither
a field nor one of the type's params is refused with the names it takes
(and `probability` for `rate`, the usual slip).

`probability` ("toxicity") is the chance a fault hits a query it applies
to. Each fault draws from its own generator, seeded by its `seed` or by the
service seed and its position, so a given list of faults hits the same
queries in the same order on every run.
"""

from __future__ import annotations

import difflib
import fnmatch
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from simulators.mockstate._errors import FaultSpecError, describe
from switch.messages.model import QUERY_KEYS

FaultType = Literal["latency", "jitter", "error", "timeout", "reset", "malformed", "out_of_service"]
DELAY_TYPES: frozenset[str] = frozenset({"latency", "jitter"})
# Ten minutes: beyond any wait the hub allows (60 s), short of a hung test run.
MAX_DELAY_MS = 600_000.0


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LatencyParams(_Params):
    ms: float = Field(ge=0, le=MAX_DELAY_MS, description="delay added to every hit")


class JitterParams(_Params):
    distribution: Literal["uniform", "normal", "exponential"] = "uniform"
    ms: float = Field(ge=0, le=MAX_DELAY_MS, description="centre (uniform), mean (others)")
    spread: float = Field(
        default=0.0, ge=0, le=MAX_DELAY_MS, description="± half-width (uniform), stddev (normal)"
    )

    def sample(self, rng: random.Random) -> float:
        if self.distribution == "uniform":
            value = rng.uniform(self.ms - self.spread, self.ms + self.spread)
        elif self.distribution == "normal":
            value = rng.gauss(self.ms, self.spread)
        else:
            value = rng.expovariate(1.0 / self.ms) if self.ms > 0 else 0.0
        return min(max(value, 0.0), MAX_DELAY_MS)


class ErrorParams(_Params):
    status: int = Field(default=500, ge=500, le=599)

    @field_validator("status")
    @classmethod
    def _not_503(cls, status: int) -> int:
        if status == 503:
            raise ValueError("503 is the out_of_service fault; use that type")
        return status


class TimeoutParams(_Params):
    seconds: float | None = Field(
        default=None, gt=0, le=MAX_DELAY_MS / 1000, description="drop after; none: hold on"
    )


class MalformedParams(_Params):
    kind: Literal["garbage", "truncated", "wrong_shape", "wrong_key"] = "garbage"


class NoParams(_Params):
    pass


# Words people write for the chance a fault hits; all mean `probability`.
_PROBABILITY_WORDS = frozenset({"chance", "error_rate", "p", "prob", "rate", "toxicity"})


class _FaultBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, description="default: the type")
    probability: float = Field(default=1.0, ge=0, le=1, description="toxicity: chance to hit")
    keys: tuple[str, ...] | None = Field(
        default=None, min_length=1, description="message keys it applies to; none: all"
    )
    oris: tuple[str, ...] | None = Field(
        default=None, min_length=1, description="requester ORIs (glob allowed); none: all"
    )
    seed: int | None = Field(default=None, description="own random seed; none: the service's")
    type: FaultType

    @model_validator(mode="before")
    @classmethod
    def _name_defaults_to_type(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not data.get("name") and isinstance(data.get("type"), str):
            return {**data, "name": data["type"]}
        return data

    @model_validator(mode="before")
    @classmethod
    def _params_beside_type(cls, data: Any) -> Any:
        """Gather params written flat beside `type` into `params`, and refuse
        a name that is neither a field nor a param with the names it takes."""
        if not isinstance(data, Mapping) or "params" not in cls.model_fields:
            return data
        nested = data.get("params", {})
        if not isinstance(nested, Mapping):
            return data  # pydantic says what is wrong with it
        takes = tuple(_params_model(cls).model_fields)
        flat = {k: v for k, v in data.items() if k not in cls.model_fields}
        for name in nested:
            if name in cls.model_fields:
                raise ValueError(f"{name} goes beside type, not in params")
        for name in [*flat, *nested]:
            if name not in takes:
                raise ValueError(_unknown_name(str(data.get("type")), str(name), takes))
        twice = sorted(set(flat) & set(nested))
        if twice:
            raise ValueError(f"{', '.join(twice)} given both beside type and in params")
        rest = {k: v for k, v in data.items() if k in cls.model_fields}
        # Always a mapping, so a missing required param is named (`params.ms`).
        return {**rest, "params": {**nested, **flat}}

    @field_validator("keys")
    @classmethod
    def _query_keys(cls, keys: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if keys is None:
            return None
        upper = tuple(k.upper() for k in keys)
        unknown = sorted(set(upper) - QUERY_KEYS)
        if unknown:
            raise ValueError(f"not query keys: {unknown}; want some of {sorted(QUERY_KEYS)}")
        return upper

    @field_validator("oris")
    @classmethod
    def _upper_oris(cls, oris: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if oris is None else tuple(o.upper() for o in oris)

    def applies_to(self, key: str, ori: str) -> bool:
        if self.keys is not None and key not in self.keys:
            return False
        return self.oris is None or any(fnmatch.fnmatchcase(ori, o) for o in self.oris)


def _params_model(fault: type[_FaultBase]) -> type[BaseModel]:
    annotation = fault.model_fields["params"].annotation
    assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation


# What every fault takes besides its type and params.
_FIELDS = tuple(name for name in _FaultBase.model_fields if name != "type")


def _unknown_name(kind: str, name: str, takes: tuple[str, ...]) -> str:
    if name.lower() in _PROBABILITY_WORDS:
        guess: str | None = "probability"
    else:
        guess = next(iter(difflib.get_close_matches(name, [*takes, *_FIELDS], n=1)), None)
    hint = f" (did you mean {guess}?)" if guess else ""
    params = f"params {', '.join(takes)}" if takes else "no params"
    fields = ", ".join(_FIELDS)
    return f"unknown name {name!r}{hint}: {kind} takes {params}; every fault takes {fields}"


class LatencyFault(_FaultBase):
    type: Literal["latency"]
    params: LatencyParams


class JitterFault(_FaultBase):
    type: Literal["jitter"]
    params: JitterParams


class ErrorFault(_FaultBase):
    type: Literal["error"]
    params: ErrorParams = ErrorParams()


class TimeoutFault(_FaultBase):
    type: Literal["timeout"]
    params: TimeoutParams = TimeoutParams()


class ResetFault(_FaultBase):
    type: Literal["reset"]
    params: NoParams = NoParams()


class MalformedFault(_FaultBase):
    type: Literal["malformed"]
    params: MalformedParams = MalformedParams()


class OutOfServiceFault(_FaultBase):
    type: Literal["out_of_service"]
    params: NoParams = NoParams()


Fault = Annotated[
    LatencyFault
    | JitterFault
    | ErrorFault
    | TimeoutFault
    | ResetFault
    | MalformedFault
    | OutOfServiceFault,
    Field(discriminator="type"),
]
FAULTS: TypeAdapter[list[Fault]] = TypeAdapter(list[Fault])
FAULT: TypeAdapter[Fault] = TypeAdapter(Fault)


def fault_from(spec: Any) -> Fault:
    """A fault from a mapping (or a fault), with the reason when it is not one."""
    try:
        return FAULT.validate_python(spec)
    except ValidationError as exc:
        raise FaultSpecError(f"invalid fault spec: {describe(exc)}") from exc


def load_faults(path: str | Path) -> list[Fault]:
    """A faults file: a YAML or JSON list of fault specs."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise FaultSpecError(f"{path}: {exc}") from exc
    try:
        return FAULTS.validate_python(data if data is not None else [])
    except ValidationError as exc:
        raise FaultSpecError(f"{path}: invalid fault spec: {describe(exc)}") from exc


def parse_fault(text: str) -> Fault:
    """The compact CLI form `TYPE[@PROBABILITY][:NAME=VALUE,...]`.

    `keys` and `oris` take `+`-separated lists; `name`, `seed` and
    `probability` are fields; other names are params:
    `error@0.1`, `latency:ms=200`, `jitter:distribution=normal,ms=300,spread=50`,
    `out_of_service:keys=DQ+KQ`, `reset@0.5:seed=7`.
    """
    head, _, tail = text.strip().partition(":")
    kind, at, probability = head.partition("@")
    spec: dict[str, Any] = {"type": kind.strip().lower()}
    if at:
        spec["probability"] = probability.strip()
    params: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in tail.split(","))):
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise FaultSpecError(f"invalid fault {text!r}: want NAME=VALUE, got {item!r}")
        name, value = name.strip().lower(), value.strip()
        if name in ("keys", "oris"):
            spec[name] = [v for v in value.split("+") if v]
        elif name in ("name", "seed", "probability"):
            spec[name] = value
        else:
            params[name] = value
    if params:
        spec["params"] = params
    return fault_from(spec)


@dataclass(slots=True)
class Effects:
    """What the faults that hit one query do to it."""

    delay_ms: float = 0.0
    # The fault that decides the reply; None: answer normally.
    action: Fault | None = None
    applied: list[str] = field(default_factory=list)


class FaultPlan:
    """The active faults with their generators; `draw` decides one query."""

    def __init__(self, faults: Iterable[Fault] = (), *, seed: int = 0) -> None:
        self.seed = seed
        self._faults: list[tuple[Fault, random.Random]] = []
        self.extend(faults)

    @property
    def faults(self) -> list[Fault]:
        return [f for f, _ in self._faults]

    def extend(self, faults: Iterable[Fault]) -> None:
        for fault in faults:
            position = len(self._faults)
            seed = fault.seed if fault.seed is not None else f"{self.seed}/{position}"
            self._faults.append((fault, random.Random(seed)))

    def replace(self, faults: Sequence[Fault]) -> None:
        self._faults.clear()
        self.extend(faults)

    def remove(self, name: str) -> int:
        """Drop the faults called `name`; how many there were."""
        kept = [(f, r) for f, r in self._faults if f.name != name]
        removed = len(self._faults) - len(kept)
        self._faults = kept
        return removed

    def draw(self, key: str, ori: str) -> Effects:
        effects = Effects()
        for fault, rng in self._faults:
            if not fault.applies_to(key, ori):
                continue
            # INVARIANT: every applicable fault draws once per query, hit or
            # not, so one fault's pattern does not depend on the others.
            if not rng.random() < fault.probability:
                continue
            if isinstance(fault, LatencyFault):
                effects.delay_ms += fault.params.ms
            elif isinstance(fault, JitterFault):
                effects.delay_ms += fault.params.sample(rng)
            elif effects.action is None:
                effects.action = fault
            else:
                continue
            effects.applied.append(fault.name)
        effects.delay_ms = min(effects.delay_ms, MAX_DELAY_MS)
        return effects
