"""What a comparison is asked: a state, the policy in force there, and the
blocking options to set beside it.

An option file may be named anything (`ice-and-cbp.yaml`): its name is the
column's. It must be the state's, and every problem of every file is raised
together (file:line: reason) before any row is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from switch.errors import SwitchError
from switch.policy import (
    CompiledPolicy,
    PolicyError,
    PolicyProblem,
    compile_policy,
    load_policy_file,
    load_policy_text,
)

IN_FORCE = "in-force"
# What Nlets does where a state has acted on nothing: it answers every query.
_NO_POLICY = "state: {state}\ntitle: No policy in force (every query is answered)\nrules: []\n"


class CompareError(SwitchError):
    """The comparison cannot run as asked: no option, two of one name."""

    http_status = 422
    code = "COMPARE_INVALID"


@dataclass(frozen=True, slots=True)
class Option:
    """One column: a name, where its rules came from, and the rules."""

    name: str
    source: str
    policy: CompiledPolicy


def no_policy(state: str) -> Option:
    """The column for a state with no policy in force: every query answered."""
    policy = compile_policy(load_policy_text(_NO_POLICY.format(state=state), "(none)"))
    return Option(IN_FORCE, "(none)", policy)


def in_force(folder: Path | None, state: str) -> Option:
    """The state's policy in a hub's policy folder (`<ST>.yaml`), or none."""
    path = None if folder is None else folder / f"{state}.yaml"
    if path is None or not path.is_file():
        return no_policy(state)
    return Option(IN_FORCE, str(path), compile_policy(load_policy_file(path)))


def load_options(paths: Sequence[Path], state: str) -> list[Option]:
    """Each option file compiled, in the order given."""
    if not paths:
        raise CompareError("give at least one OPTION.yaml to compare with the policy in force")
    options: list[Option] = []
    problems: list[PolicyProblem] = []
    for path in paths:
        name = path.stem
        if name == IN_FORCE or any(o.name == name for o in options):
            raise CompareError(f"{path}: two columns would be called {name}; rename one")
        if not path.is_file():
            raise CompareError(f"no option file at {path}")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(PolicyProblem(str(path), None, f"cannot read: {exc}"))
            continue
        try:
            # The name is the option's, not a state's: the state is checked instead.
            loaded = load_policy_text(text, str(path), expected_state=state)
        except PolicyError as exc:
            problems.extend(exc.problems)
            continue
        options.append(Option(name, str(path), compile_policy(loaded)))
    if problems:
        raise PolicyError(problems)
    return options


def option_texts(texts: Sequence[tuple[str, str]], state: str) -> list[Option]:
    """Options given as (name, YAML text), as the API takes them; the name
    stands for the file in every problem (`option-2:4: reason`)."""
    if not texts:
        raise CompareError("give at least one option to compare with the policy in force")
    options: list[Option] = []
    problems: list[PolicyProblem] = []
    for name, text in texts:
        if name == IN_FORCE or any(o.name == name for o in options):
            raise CompareError(f"two columns would be called {name}; rename one")
        try:
            loaded = load_policy_text(text, name, expected_state=state)
        except PolicyError as exc:
            problems.extend(exc.problems)
            continue
        options.append(Option(name, name, compile_policy(loaded)))
    if problems:
        raise PolicyError(problems)
    return options
