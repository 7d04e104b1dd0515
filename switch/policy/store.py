"""The policies in force: loaded from `policies/`, swapped whole on change.

A file that fails validation is refused with its problems and the version in
force stays; a state with no file is answered as Nlets does unless a state
acts (permit). Swaps are a single dict assignment, so a decision in flight
sees one version or the other, never a mix.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from switch.errors import NotFoundError
from switch.policy.compiler import CompiledPolicy, compile_policy
from switch.policy.decision import Decision, PolicyRequest
from switch.policy.engine import evaluate, explain
from switch.policy.facts import Facts
from switch.policy.loader import PolicyError, PolicyProblem, load_policy_file, load_policy_text

log = logging.getLogger("switch.policy")

NO_POLICY = Decision(effect="permit", reason="no policy in force for this state", version="none")


@dataclass(frozen=True, slots=True)
class ReloadEvent:
    state: str
    path: str
    version: str | None
    problems: tuple[PolicyProblem, ...] = ()


def _policy_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if len(p.stem) == 2 and p.stem.isupper())


class PolicyStore:
    def __init__(
        self,
        folder: Path | None,
        policies: Iterable[CompiledPolicy] = (),
        candidates: Iterable[CompiledPolicy] = (),
    ) -> None:
        self.folder = folder
        self._policies: dict[str, CompiledPolicy] = {p.state: p for p in policies}
        # Shadow mode: candidate policies decided beside the enforced ones.
        self._candidates: dict[str, CompiledPolicy] = {p.state: p for p in candidates}
        self._stamps: dict[Path, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self.events: list[ReloadEvent] = []

    @classmethod
    def load(cls, folder: Path | None) -> PolicyStore:
        """Load every `<ST>.yaml`; any invalid file stops the load (fail closed)."""
        store = cls(folder)
        if folder is None:
            return store
        problems: list[PolicyProblem] = []
        for path in _policy_files(folder) + _policy_files(folder / "candidates"):
            try:
                store.install(compile_policy(load_policy_file(path)), _is_candidate(path))
                store._stamps[path] = _stamp(path)
            except PolicyError as exc:
                problems.extend(exc.problems)
        if problems:
            raise PolicyError(problems)
        return store

    def install(self, policy: CompiledPolicy, candidate: bool = False) -> None:
        with self._lock:
            if candidate:
                candidates = dict(self._candidates)
                candidates[policy.state] = policy
                self._candidates = candidates
            else:
                policies = dict(self._policies)
                policies[policy.state] = policy
                self._policies = policies

    # -- deciding ---------------------------------------------------------

    def decide(self, request: PolicyRequest) -> Decision:
        policy = self._policies.get(request.state)
        candidate = self._candidates.get(request.state)
        if candidate is not None:
            facts = Facts(request)
            enforced = evaluate(policy, facts) if policy is not None else NO_POLICY
            return replace(enforced, shadow=evaluate(candidate, facts))
        if policy is None:
            return NO_POLICY
        # Most requests meet no rule that could apply to them: answer those
        # before paying for Facts (three quarters of a decision's cost).
        if not policy.candidates(request.requester.component, request.message.key):
            return policy.default
        return evaluate(policy, Facts(request))

    def explain(self, request: PolicyRequest) -> dict[str, Any]:
        policy = self._policies.get(request.state)
        if policy is None:
            return {
                "state": request.state,
                "version": "none",
                "request": Facts(request).as_dict(),
                "rules": [],
                "decision": NO_POLICY.as_dict(),
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
        if policy is None:
            raise NotFoundError(f"no policy in force for {state}")
        return policy

    def versions(self) -> dict[str, str]:
        return {state: p.version for state, p in sorted(self._policies.items())}

    # -- changing ---------------------------------------------------------

    def path_for(self, state: str, *, candidate: bool = False) -> Path | None:
        """Where a state's file lives; None when no folder is configured."""
        if self.folder is None:
            return None
        folder = self.folder / "candidates" if candidate else self.folder
        return folder / f"{state}.yaml"

    def validate(
        self, state: str, text: str, *, candidate: bool = False, source: str | None = None
    ) -> CompiledPolicy:
        """Parse and compile a new version of a state's policy; PolicyError
        (with file, line and reason) when it is refused."""
        if source is None:
            source = str(self.path_for(state, candidate=candidate) or f"{state}.yaml")
        return compile_policy(load_policy_text(text, source, expected_state=state))

    def save(self, policy: CompiledPolicy, *, candidate: bool = False) -> None:
        """Write the file when a folder is configured, then put in force."""
        path = self.path_for(policy.state, candidate=candidate)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write beside, then rename: a crash leaves the old file or the new, whole.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{policy.state}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(policy.text)
            os.replace(tmp, path)
            self._stamps[path] = _stamp(path)
        self.install(policy, candidate)
        self.events.append(ReloadEvent(policy.state, str(path or policy.source), policy.version))

    def put(self, state: str, text: str, *, candidate: bool = False) -> CompiledPolicy:
        """Validate, write and put in force; on any problem nothing changes."""
        policy = self.validate(state, text, candidate=candidate)
        self.save(policy, candidate=candidate)
        return policy

    def reload_changed(self) -> list[ReloadEvent]:
        """Pick up files changed on disk since they were last read."""
        if self.folder is None or not self.folder.is_dir():
            return []
        events: list[ReloadEvent] = []
        for path in _policy_files(self.folder) + _policy_files(self.folder / "candidates"):
            stamp = _stamp(path)
            if self._stamps.get(path) == stamp:
                continue
            self._stamps[path] = stamp
            state = path.stem
            candidate = _is_candidate(path)
            try:
                policy = compile_policy(load_policy_file(path))
            except PolicyError as exc:
                kept = (self._candidates if candidate else self._policies).get(state)
                version = kept.version if kept else "no policy"
                log.error("policy %s refused, %s stays in force: %s", path, version, exc)
                events.append(ReloadEvent(state, str(path), None, tuple(exc.problems)))
                continue
            current = (self._candidates if candidate else self._policies).get(state)
            if current is not None and current.version == policy.version:
                continue
            self.install(policy, candidate)
            log.info("policy %s now in force: %s", path, policy.version)
            events.append(ReloadEvent(state, str(path), policy.version))
        self.events.extend(events)
        return events


def _is_candidate(path: Path) -> bool:
    return path.parent.name == "candidates"


def _stamp(path: Path) -> tuple[float, int]:
    stat = path.stat()
    return stat.st_mtime, stat.st_size
