"""The policies in force: loaded from `policies/`, swapped whole on change.

A state whose file is refused, and of which no valid version is in force,
fails closed: every query to it is denied, the denial naming the file's
problem, until a valid version is put in force (a fixed file, a PUT, a change
through another hub); the other states run. A file refused while a version
of its state is in force leaves that version in force. Either way the
problem is reported (`problems()`, shown by /healthz) until the file is
valid again. A state with no file is answered as Nlets does unless a state
acts (permit).

Files are compared by content: an edit that keeps the old mtime (`cp -p`,
`rsync -t`) is picked up like any other. Swaps are a single dict
assignment, so a decision in flight sees one version or the other, never a
mix.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from switch.directory import JURISDICTIONS
from switch.errors import NotFoundError, SwitchError
from switch.policy.compiler import CompiledPolicy, compile_policy
from switch.policy.decision import Decision, PolicyRequest
from switch.policy.engine import evaluate, explain
from switch.policy.facts import Facts
from switch.policy.loader import (
    PolicyError,
    PolicyProblem,
    load_policy_data,
    load_policy_file,
    load_policy_text,
)

log = logging.getLogger("switch.policy")

NO_POLICY = Decision(effect="permit", reason="no policy in force for this state", version="none")
# The rule a state failing closed is denied by (no rule of the state's own decided).
REFUSED_RULE = "policy-refused"
REFUSED_VERSION = "refused"


class NoPolicies(SwitchError):
    """No policy file where the switch looked: a hub would answer every query."""

    code = "NO_POLICIES"


class UnknownState(PolicyError):
    """A policy for a code that names no jurisdiction."""

    code = "UNKNOWN_STATE"

    def __init__(self, state: str) -> None:
        reason = f"{state[:10]!r} is not a jurisdiction: expected a code such as WA"
        super().__init__([PolicyProblem(f"{state[:10]}.yaml", None, reason)], reason)


@dataclass(frozen=True, slots=True)
class ReloadEvent:
    state: str
    path: str
    version: str | None
    problems: tuple[PolicyProblem, ...] = ()


def policy_files(folder: Path) -> list[Path]:
    """A folder's `<ST>.yaml` files (not its candidates)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if len(p.stem) == 2 and p.stem.isupper())


def _all_files(folder: Path) -> list[Path]:
    return policy_files(folder) + policy_files(folder / "candidates")


class PolicyStore:
    def __init__(
        self,
        folder: Path | None,
        policies: Iterable[CompiledPolicy] = (),
        candidates: Iterable[CompiledPolicy] = (),
        *,
        write_files: bool = True,
    ) -> None:
        self.folder = folder
        # False for the policies installed with the package: a change is
        # kept in the database, never written into site-packages.
        self.write_files = write_files
        self._policies: dict[str, CompiledPolicy] = {p.state: p for p in policies}
        # Shadow mode: candidate policies decided beside the enforced ones.
        self._candidates: dict[str, CompiledPolicy] = {p.state: p for p in candidates}
        # States with a refused file and no valid version in force: each
        # query to one is denied with its decision here (fail closed).
        self._failing_closed: dict[str, Decision] = {}
        # The problems of each file as it is on disk now, as shown to readers.
        self._problems: dict[Path, tuple[PolicyProblem, ...]] = {}
        # The content last read of each file (None: it could not be read).
        self._digests: dict[Path, bytes | None] = {}
        self._lock = threading.Lock()
        self.events: list[ReloadEvent] = []

    @classmethod
    def load(
        cls, folder: Path | None, *, strict: bool = True, write_files: bool = True
    ) -> PolicyStore:
        """Load every `<ST>.yaml` and candidate. `strict` (tools): any invalid
        file stops the load, naming every problem. Not strict (a hub): a
        state whose file is refused fails closed, and the others run."""
        store = cls(folder, write_files=write_files)
        if folder is None:
            return store
        events = [event for path in _all_files(folder) if (event := store._read(path))]
        problems = [problem for event in events for problem in event.problems]
        if problems and strict:
            raise PolicyError(problems)
        return store

    def install(self, policy: CompiledPolicy, candidate: bool = False) -> None:
        with self._lock:
            if candidate:
                candidates = dict(self._candidates)
                candidates[policy.state] = policy
                self._candidates = candidates
                return
            policies = dict(self._policies)
            policies[policy.state] = policy
            self._policies = policies
            if policy.state in self._failing_closed:
                failing = dict(self._failing_closed)
                del failing[policy.state]
                self._failing_closed = failing

    # -- deciding ---------------------------------------------------------

    def decide(self, request: PolicyRequest) -> Decision:
        policy = self._policies.get(request.state)
        candidate = self._candidates.get(request.state)
        if candidate is not None:
            facts = Facts(request)
            enforced = evaluate(policy, facts) if policy is not None else self._none(request.state)
            return replace(enforced, shadow=evaluate(candidate, facts))
        if policy is None:
            return self._none(request.state)
        # Most requests meet no rule that could apply to them: answer those
        # before paying for Facts (three quarters of a decision's cost).
        if not policy.candidates(request.requester.component, request.message.key):
            return policy.default
        return evaluate(policy, Facts(request))

    def _none(self, state: str) -> Decision:
        """The decision for a state with no version in force."""
        return self._failing_closed.get(state, NO_POLICY)

    def explain(self, request: PolicyRequest) -> dict[str, Any]:
        policy = self._policies.get(request.state)
        if policy is None:
            decision = self._none(request.state)
            return {
                "state": request.state,
                "version": decision.version,
                "request": Facts(request).as_dict(),
                "rules": [],
                "decision": decision.as_dict(),
            }
        return explain(policy, Facts(request))

    def get(self, state: str) -> CompiledPolicy | None:
        return self._policies.get(state)

    def candidate(self, state: str) -> CompiledPolicy | None:
        return self._candidates.get(state)

    def candidate_versions(self) -> dict[str, str]:
        return {state: p.version for state, p in sorted(self._candidates.items())}

    def require(self, state: str) -> CompiledPolicy:
        policy = self._policies.get(state)
        if policy is not None:
            return policy
        failing = self._failing_closed.get(state)
        if failing is not None:
            raise NotFoundError(f"no valid policy in force for {state}: {failing.reason}")
        raise NotFoundError(f"no policy in force for {state}")

    def versions(self) -> dict[str, str]:
        return {state: p.version for state, p in sorted(self._policies.items())}

    # -- reporting --------------------------------------------------------

    def failing_closed(self) -> list[str]:
        """States every query to which is denied: no valid version in force."""
        return sorted(self._failing_closed)

    def problems(self) -> list[str]:
        """Every problem of the files as they are now (file:line: reason)."""
        return [str(p) for _, found in sorted(self._problems.items()) for p in found]

    # -- changing ---------------------------------------------------------

    def path_for(self, state: str, *, candidate: bool = False) -> Path | None:
        """Where a state's file is written; None when the store writes none."""
        if self.folder is None or not self.write_files:
            return None
        folder = self.folder / "candidates" if candidate else self.folder
        return folder / f"{state}.yaml"

    def validate(
        self, state: str, text: str, *, candidate: bool = False, source: str | None = None
    ) -> CompiledPolicy:
        """Parse and compile a new version of a state's policy; PolicyError
        (with file, line and reason) when it is refused."""
        if state not in JURISDICTIONS:
            raise UnknownState(state)
        if source is None:
            source = str(self.path_for(state, candidate=candidate) or f"{state}.yaml")
        return compile_policy(load_policy_text(text, source, expected_state=state))

    def save(self, policy: CompiledPolicy, *, candidate: bool = False) -> None:
        """Write the file when the store writes files, then put in force."""
        path = self.path_for(policy.state, candidate=candidate)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write beside, then rename: a crash leaves the old file or the new, whole.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{policy.state}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(policy.text)
            os.replace(tmp, path)
            with self._lock:
                self._digests[path] = _digest(policy.text.encode())
                self._set_problems(path, ())
        self.install(policy, candidate)
        self.events.append(ReloadEvent(policy.state, str(path or policy.source), policy.version))

    def put(self, state: str, text: str, *, candidate: bool = False) -> CompiledPolicy:
        """Validate, write and put in force; on any problem nothing changes."""
        policy = self.validate(state, text, candidate=candidate)
        self.save(policy, candidate=candidate)
        return policy

    def reload_changed(self) -> list[ReloadEvent]:
        """Pick up files whose content changed since they were last read."""
        if self.folder is None or not self.folder.is_dir():
            return []
        paths = _all_files(self.folder)
        events = [event for path in paths if (event := self._read(path))]
        with self._lock:
            # A file taken away leaves its state's version in force; its
            # problems are no longer anyone's to fix.
            for path in set(self._digests) - set(paths):
                del self._digests[path]
                self._set_problems(path, ())
        self.events.extend(events)
        return events

    def _read(self, path: Path) -> ReloadEvent | None:
        """Read a file unless its content is the one last read; put it in
        force, or record why not. An event when anything changed."""
        try:
            data: bytes | None = path.read_bytes()
        except OSError:
            data = None
        digest = None if data is None else _digest(data)
        if path in self._digests and self._digests[path] == digest:
            return None
        state, candidate = path.stem, _is_candidate(path)
        try:
            loaded = load_policy_file(path) if data is None else load_policy_data(data, path)
            policy = compile_policy(loaded)
        except PolicyError as exc:
            with self._lock:
                self._digests[path] = digest
                self._set_problems(path, tuple(exc.problems))
            self._refuse(state, candidate, exc.problems)
            return ReloadEvent(state, str(path), None, tuple(exc.problems))
        with self._lock:
            self._digests[path] = digest
            self._set_problems(path, ())
        current = (self._candidates if candidate else self._policies).get(state)
        if current is not None and current.version == policy.version:
            return None
        self.install(policy, candidate)
        log.info("policy %s now in force: %s", path, policy.version)
        return ReloadEvent(state, str(path), policy.version)

    def _refuse(self, state: str, candidate: bool, problems: list[PolicyProblem]) -> None:
        kept = (self._candidates if candidate else self._policies).get(state)
        if kept is not None or candidate:
            version = kept.version if kept else "no candidate"
            log.error("policy refused, %s stays in force: %s", version, problems[0])
            return
        shown = self._shown(problems)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        denial = Decision(
            effect="deny",
            rule=REFUSED_RULE,
            rules=(REFUSED_RULE,),
            reason=f"no valid policy in force, so every query is denied: {shown[0]}{more}",
            version=REFUSED_VERSION,
            errors=tuple(str(p) for p in shown),
        )
        with self._lock:
            self._failing_closed = {**self._failing_closed, state: denial}
        log.error("policy refused, every query to %s is denied: %s", state, problems[0])

    def _set_problems(self, path: Path, problems: tuple[PolicyProblem, ...]) -> None:
        """Under the lock: a new dict, so a reader iterates a whole one."""
        found = {k: v for k, v in self._problems.items() if k != path}
        if problems:
            found[path] = self._shown(list(problems))
        self._problems = found

    def _shown(self, problems: list[PolicyProblem]) -> tuple[PolicyProblem, ...]:
        """Problems named by the file's place in the folder (`WA.yaml`,
        `candidates/OR.yaml`): an ER or /healthz tells no server paths."""
        return tuple(replace(p, file=self._relative(p.file)) for p in problems)

    def _relative(self, file: str) -> str:
        if self.folder is None:
            return file
        try:
            return str(Path(file).resolve().relative_to(self.folder.resolve()))
        except ValueError:
            return file


def _is_candidate(path: Path) -> bool:
    return path.parent.name == "candidates"


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
