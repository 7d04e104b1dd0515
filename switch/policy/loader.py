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
from switch.policy import wording
from switch.policy.model import PolicyFile
from switch.policy.wording import line_of

MAX_POLICY_BYTES = 256 * 1024
# Policies are a few levels deep and a few hundred values big; aliases can
# make a short file stand for an endless or exponentially large tree, which
# every later step would walk in full.
MAX_DEPTH = 64
MAX_VALUES = 100_000
# What PyYAML's constructors raise besides YAMLError for a value they cannot
# build (a date of month 13, an int of 5000 digits, `!!timestamp foo`).
_VALUE_ERRORS = (ValueError, TypeError, AttributeError, ArithmeticError, LookupError)


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

    def __init__(self, problems: list[PolicyProblem], message: str | None = None) -> None:
        super().__init__(message or "; ".join(str(p) for p in problems))
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


class _PolicyLoader(yaml.SafeLoader):
    """The safe loader, refusing nesting past MAX_DEPTH (the composer and the
    constructor recurse once per level), and making a value it cannot build
    a YAML error at that value."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                problem = f"nested more than {MAX_DEPTH} deep"
                raise yaml.composer.ComposerError(None, None, problem, mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep)
        except _VALUE_ERRORS as exc:
            kind = node.tag.rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this {kind}: {exc}", node.start_mark
            ) from exc
        if isinstance(value, str) and not _is_unicode(value):
            # "\ud800" builds half a character, which no file or reply can carry.
            problem = "a \\u escape names half a character; write the character itself"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)
        return value


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read(text: str, source: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree, and the data built from that same tree."""
    loader = _PolicyLoader(text)
    try:
        root = loader.get_single_node()
        shape = _shape_problem(root, source)
        if shape is not None:
            raise PolicyError([shape])
        return root, None if root is None else loader.construct_document(root)
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _shape_problem(root: yaml.Node | None, source: str) -> PolicyProblem | None:
    """A tree that refers to itself, nests too deep or expands too far.

    One depth-first walk, without recursion, each distinct node once: the
    size of a node reached again through an alias is remembered, not walked.
    """
    if root is None:
        return None
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key, line = id(node), node.start_mark.line + 1
        if finished:
            children = _children(node)
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
            if depths[key] > MAX_DEPTH:
                return PolicyProblem(source, line, f"nested more than {MAX_DEPTH} deep")
            if sizes[key] > MAX_VALUES:
                reason = f"stands for more than {MAX_VALUES} values (through aliases?)"
                return PolicyProblem(source, line, reason)
        elif key in open_nodes:
            return PolicyProblem(source, line, "an alias refers to a value that contains it")
        elif key not in sizes:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return None


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


def _duplicate_rule_ids(
    data: dict[str, Any], root: yaml.Node | None, source: str
) -> list[PolicyProblem]:
    """Each rule id used before, at the line where it is used again."""
    rules = data.get("rules")
    if not isinstance(rules, list):
        return []
    problems: list[PolicyProblem] = []
    first: dict[str, int] = {}
    for position, rule in enumerate(rules):
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        if not isinstance(rule_id, str):
            continue
        if rule_id in first:
            line = line_of(root, ("rules", position, "id"))
            earlier = f"rules.{first[rule_id]}"
            reason = f"rules.{position}: rule id {rule_id!r} appears twice (first as {earlier})"
            problems.append(PolicyProblem(source, line, reason))
        else:
            first[rule_id] = position
    return problems


def _state_problem(
    data: dict[str, Any], root: yaml.Node | None, source: str, expected_state: str | None
) -> PolicyProblem | None:
    """The file's state against the state its name (or PUT's path) says."""
    state = data.get("state")
    if expected_state is None or not isinstance(state, str) or state == expected_state:
        return None
    reason = f"state is {state} but the file is {expected_state}'s"
    return PolicyProblem(source, line_of(root, ("state",)), reason)


def read_document(text: str, source: str) -> tuple[yaml.Node | None, Any]:
    """A policy or policy test file's node tree and data, bounded as a policy
    is; PolicyError with file and line when it is not YAML."""
    try:
        return _read(text, source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError([PolicyProblem(source, line, f"not valid YAML: {problem}")]) from exc
    except _VALUE_ERRORS as exc:  # raised outside any one value: no line to name
        raise PolicyError([PolicyProblem(source, None, f"not valid YAML: {exc}")]) from exc


def _in_order(problems: list[PolicyProblem]) -> list[PolicyProblem]:
    """By line, as a person fixes a file top to bottom."""
    return sorted(problems, key=lambda p: p.line or 0)


def load_policy_text(
    text: str,
    source: str = "<policy>",
    *,
    expected_state: str | None = None,
    name_problems: tuple[PolicyProblem, ...] = (),
) -> LoadedPolicy:
    # surrogatepass: a lone surrogate is counted here and refused by the reader.
    if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise PolicyError([PolicyProblem(source, None, "policy file over 256 KiB")])
    root, data = read_document(text, source)
    problems = _duplicate_keys(root, source)
    if not isinstance(data, dict):
        problems.append(PolicyProblem(source, 1, "a policy is a mapping with state, title, rules"))
        raise PolicyError(problems + list(name_problems))
    problems.extend(name_problems)
    # Said before the schema's problems and whatever they are, so no one
    # mistake hides another.
    state = _state_problem(data, root, source, expected_state)
    if state is not None:
        problems.append(state)
    problems.extend(_duplicate_rule_ids(data, root, source))
    try:
        model = PolicyFile.model_validate(data)
    except ValidationError as exc:
        for line, reason in wording.problems(PolicyFile, exc, data, root):
            problems.append(PolicyProblem(source, line, reason))
        raise PolicyError(_in_order(problems)) from exc
    if problems:
        raise PolicyError(_in_order(problems))
    return LoadedPolicy(model=model, version=policy_version(text), source=source, text=text)


def load_policy_file(path: Path) -> LoadedPolicy:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError([PolicyProblem(str(path), None, f"cannot read: {exc}")]) from exc
    return load_policy_data(data, path)


def load_policy_data(data: bytes, path: Path) -> LoadedPolicy:
    """A policy file's bytes, as read from `path` (its name says its state)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError([PolicyProblem(str(path), None, f"cannot read: {exc}")]) from exc
    # As a file read as text: the version hashes the same text whatever the line ends.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stem = path.stem
    if len(stem) == 2 and stem.isascii() and stem.isalpha() and stem.isupper():
        return load_policy_text(text, str(path), expected_state=stem)
    # Still read whole: the name is one mistake, and it hides no other.
    reason = f"a policy file is named for its state, e.g. WA.yaml, not {path.name}"
    return load_policy_text(text, str(path), name_problems=(PolicyProblem(str(path), 1, reason),))


def rule_line(loaded: LoadedPolicy, rule_id: str) -> int | None:
    """The line where a rule starts, for problems found after validation."""
    root = yaml.compose(loaded.text, Loader=yaml.SafeLoader)
    for position, rule in enumerate(loaded.model.rules):
        if rule.id == rule_id:
            return line_of(root, ("rules", position))
    return None
