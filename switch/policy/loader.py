"""Parse and validate a policy file, naming the file, line and reason of
every problem. A policy with any problem is refused whole."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from switch.errors import SwitchError
from switch.policy.model import PolicyFile

MAX_POLICY_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


class PolicyError(SwitchError):
    """A policy file that cannot be put in force."""

    http_status = 422
    code = "POLICY_INVALID"

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    model: PolicyFile
    version: str
    source: str
    text: str


def policy_version(text: str) -> str:
    """The content hash every decision names, so it can be traced to a file."""
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest node a pydantic error location reaches."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            match = node.value[part] if part < len(node.value) else None
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


def _duplicate_keys(node: yaml.Node | None, source: str) -> list[PolicyProblem]:
    """YAML lets a later key silently replace an earlier one; a policy may not."""
    problems: list[PolicyProblem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                line = key.start_mark.line + 1
                problems.append(PolicyProblem(source, line, f"key {key.value!r} given twice"))
            seen.add(key.value)
            problems.extend(_duplicate_keys(value, source))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems.extend(_duplicate_keys(item, source))
    return problems


_UNION_TAGS = {"str", "bool", "int", "constrained-str"}


def _field_path(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """The location without pydantic's union-member tags (`list[...]`, `str`)."""
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in _UNION_TAGS)))


def _reason(path: tuple[int | str, ...], error: Any) -> str:
    loc = ".".join(str(p) for p in path)
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}" if loc else message


def load_policy_text(
    text: str, source: str = "<policy>", *, expected_state: str | None = None
) -> LoadedPolicy:
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise PolicyError([PolicyProblem(source, None, "policy file over 256 KiB")])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError([PolicyProblem(source, line, f"not valid YAML: {problem}")]) from exc
    problems = _duplicate_keys(root, source)
    if not isinstance(data, dict):
        problems.append(PolicyProblem(source, 1, "a policy is a mapping with state, title, rules"))
        raise PolicyError(problems)
    try:
        model = PolicyFile.model_validate(data)
    except ValidationError as exc:
        reported: set[tuple[int | str, ...]] = set()
        for error in exc.errors():
            # A value of the wrong shape fails each member of `X | list[X]`:
            # one problem per place is what a person wants to read.
            path = _field_path(error["loc"])
            if path not in reported:
                reported.add(path)
                problems.append(PolicyProblem(source, _line_of(root, path), _reason(path, error)))
        raise PolicyError(problems) from exc
    if expected_state is not None and model.state != expected_state:
        line = _line_of(root, ("state",))
        problems.append(
            PolicyProblem(
                source, line, f"state is {model.state} but the file is {expected_state}'s"
            )
        )
    if problems:
        raise PolicyError(problems)
    return LoadedPolicy(model=model, version=policy_version(text), source=source, text=text)


def load_policy_file(path: Path) -> LoadedPolicy:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([PolicyProblem(str(path), None, f"cannot read: {exc}")]) from exc
    return load_policy_text(text, str(path), expected_state=path.stem.upper())


def rule_line(loaded: LoadedPolicy, rule_id: str) -> int | None:
    """The line where a rule starts, for problems found after validation."""
    root = yaml.compose(loaded.text, Loader=yaml.SafeLoader)
    for position, rule in enumerate(loaded.model.rules):
        if rule.id == rule_id:
            return _line_of(root, ("rules", position))
    return None
