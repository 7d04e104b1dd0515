"""What a replay is asked: candidate policies, states, a time window.

Every mistake a user can make here is a `ReplayError` (or a `PolicyError`
naming file, line and reason) before any row is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from switch.directory import Directory
from switch.errors import SwitchError
from switch.moments import ISO_HINT, end_after, read_moment
from switch.policy import (
    CompiledPolicy,
    PolicyError,
    PolicyProblem,
    compile_policy,
    load_policy_file,
)

# The audit keeps microseconds: an inclusive end instant is the exclusive
# bound one microsecond later.


class ReplayError(SwitchError):
    """Replay cannot run as asked: no candidate, an unknown state, no database."""

    http_status = 422
    code = "REPLAY_INVALID"


def load_candidates(path: Path) -> dict[str, CompiledPolicy]:
    """A policy file, or every `<ST>.yaml` in a folder, compiled; every
    problem of every file is raised together (file:line: reason)."""
    if path.is_dir():
        files = sorted(p for p in path.glob("*.yaml") if len(p.stem) == 2 and p.stem.isupper())
        if not files:
            raise ReplayError(f"no <ST>.yaml candidate policy in {path}")
    elif path.exists():
        files = [path]
    else:
        raise ReplayError(f"no candidate policy at {path}")
    candidates: dict[str, CompiledPolicy] = {}
    problems: list[PolicyProblem] = []
    for file in files:
        try:
            policy = compile_policy(load_policy_file(file))
        except PolicyError as exc:
            problems.extend(exc.problems)
            continue
        candidates[policy.state] = policy
    if problems:
        raise PolicyError(problems)
    return candidates


def choose_states(
    candidates: Mapping[str, CompiledPolicy], directory: Directory, states: Iterable[str] | None
) -> list[str]:
    """The states to replay: those asked for, each of which needs a candidate."""
    if not candidates:
        raise ReplayError("no candidate policy given")
    if states is None:
        return sorted(candidates)
    chosen = sorted({s.upper() for s in states})
    for state in chosen:
        if state not in directory.states():
            raise ReplayError(f"unknown state {state}: not a jurisdiction of the switch")
        if state not in candidates:
            have = ", ".join(sorted(candidates))
            raise ReplayError(f"no candidate policy for {state} (the candidate covers {have})")
    return chosen


def parse_window(
    since: str | None = None, until: str | None = None
) -> tuple[datetime | None, datetime | None]:
    """`[start, end)` in UTC from ISO dates or times, both ends inclusive as
    written: a date alone runs to the end of that day, a time to that instant
    (as `switch report` reads them). A time without a zone is UTC."""
    start = _moment(since, "since")[0] if since else None
    end = end_after(*_moment(until, "until")) if until else None
    if start is not None and end is not None and start >= end:
        # Neutral names, as `switch report` words them: the CLI's --since and
        # the HTTP routes' `since` are the same bound.
        raise ReplayError(f"since {since} is not before until {until}")
    return start, end


def _moment(text: str, option: str) -> tuple[datetime, bool]:
    try:
        return read_moment(text)
    except ValueError:
        raise ReplayError(f"{option} {text!r} is not {ISO_HINT}") from None
