"""Reading scenario files: YAML in, a checked `Scenario` out, or a
ScenarioError naming the file, the step and the reason."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulators.scenarios._model import STEP_KINDS, FaultStep, Scenario, SendStep
from simulators.scenarios._placeholders import PlaceholderError, check

SHIPPED_PACKAGE = "simulators.scenarios.shipped"


class ScenarioError(Exception):
    """A scenario file that cannot be played: where and why."""

    def __init__(self, source: str, reason: str, *, step: int | None = None) -> None:
        self.source = source
        self.step = step
        self.reason = reason
        where = source if step is None else f"{source}: step {step}"
        super().__init__(f"{where}: {reason}")


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
    )


def _step(source: str, number: int, raw: Any, scenario: dict[str, Any]) -> BaseModel:
    if not isinstance(raw, dict) or not raw:
        raise ScenarioError(source, "a step is a mapping, e.g. {narrate: text}", step=number)
    kinds = [k for k in raw if k in STEP_KINDS]
    if len(kinds) != 1:
        found = ", ".join(map(str, raw)) or "nothing"
        what = "several step types" if kinds else f"unknown step type ({found})"
        raise ScenarioError(
            source, f"{what}: a step is one of {', '.join(STEP_KINDS)}", step=number
        )
    try:
        step = STEP_KINDS[kinds[0]].model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(source, _errors(exc), step=number) from None
    if isinstance(step, SendStep):
        try:
            check(step.send.text, scenario.get("warrants") or {})
        except PlaceholderError as exc:
            raise ScenarioError(source, str(exc), step=number) from None
    if isinstance(step, FaultStep) and step.fault.state not in _mock_states(scenario):
        raise ScenarioError(
            source,
            f"fault on {step.fault.state}, which is not a mock state: "
            f"add it to `states:` at the top of the file",
            step=number,
        )
    return step


def _mock_states(scenario: dict[str, Any]) -> set[str]:
    return {str(s).upper() for s in scenario.get("states") or ()}


def parse_scenario(text: str, *, name: str, source: str) -> Scenario:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(source, f"not YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(source, "a scenario is a mapping with title and steps")
    steps = raw.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ScenarioError(source, "steps: a list of at least one step is needed")
    checked = [_step(source, n, s, raw) for n, s in enumerate(steps, start=1)]
    try:
        return Scenario.model_validate({"name": name} | raw | {"steps": checked})
    except ValidationError as exc:
        raise ScenarioError(source, _errors(exc)) from None


def load_scenario(path: Path | str) -> Scenario:
    """A scenario from a file path, or the name of a shipped one (`ice-2025`)."""
    candidate = Path(path)
    if candidate.is_file():
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(str(candidate), f"cannot read: {exc}") from None
        return parse_scenario(text, name=candidate.stem, source=str(candidate))
    name = str(path)
    shipped = resources.files(SHIPPED_PACKAGE).joinpath(f"{name}.yaml")
    if "/" not in name and "\\" not in name and shipped.is_file():
        return parse_scenario(shipped.read_text("utf-8"), name=name, source=f"{name}.yaml")
    known = ", ".join(shipped_names())
    raise ScenarioError(str(path), f"no such file, nor a shipped scenario ({known})")


def shipped_names() -> list[str]:
    folder = resources.files(SHIPPED_PACKAGE)
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def shipped_scenarios() -> list[Scenario]:
    return [load_scenario(name) for name in shipped_names()]
