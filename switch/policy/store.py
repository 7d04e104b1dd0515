"""The policies in force, swapped whole on change.

The store holds one `PolicySnapshot` and puts a new one in its place for
each change, so a decision in flight sees one version or the other, never a
mix. Versions come from the folder (`sources.files`, read here; a tool loads
and hot-reloads them directly) or, on a hub, from the database
(`sources.database`: the folder's files, PUTs and rollbacks, recorded as
versions there). The store never writes a file.

A state whose file is refused, and of which no valid version is in force,
fails closed: every query to it is denied, the denial naming the file's
problem, until a valid version is put in force (a fixed file, a PUT, a change
through another hub); the other states run. A file refused while a version
of its state is in force leaves that version in force. Either way the
problem is reported (`problems()`, shown by /healthz) until the file is
valid again. A state with no file is answered as Nlets does unless a state
acts (permit).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from switch.directory import JURISDICTIONS
from switch.errors import NotFoundError, SwitchError
from switch.policy.compiler import CompiledPolicy, compile_policy
from switch.policy.decision import Decision, PolicyRequest, Ruling
from switch.policy.engine import evaluate, explain
from switch.policy.facts import Facts
from switch.policy.loader import PolicyError, PolicyProblem, load_policy_text
from switch.policy.snapshot import PolicySnapshot, decide
from switch.policy.sources.files import FileRead, PolicyFolder

log = logging.getLogger("switch.policy")

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


class PolicyStore:
    def __init__(
        self,
        folder: Path | None,
        policies: Iterable[CompiledPolicy] = (),
        candidates: Iterable[CompiledPolicy] = (),
    ) -> None:
        self.files = PolicyFolder(folder)
        self._snapshot = PolicySnapshot(
            {p.state: p for p in policies}, {p.state: p for p in candidates}
        )
        # Held to make a new snapshot from the current one; readers take
        # `snapshot` without it.
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path | None, *, strict: bool = True) -> PolicyStore:
        """Load every `<ST>.yaml` and candidate. `strict` (tools): any invalid
        file stops the load, naming every problem. Not strict (a hub): a
        state whose file is refused fails closed, and the others run."""
        store = cls(folder)
        events = store.reload_changed()
        problems = [problem for event in events for problem in event.problems]
        if problems and strict:
            raise PolicyError(problems)
        return store

    @property
    def snapshot(self) -> PolicySnapshot:
        """The versions in force now, never changed (a change makes a new one)."""
        return self._snapshot

    def install(self, policy: CompiledPolicy, candidate: bool = False) -> None:
        with self._lock:
            self._snapshot = self._snapshot.with_policy(policy, candidate=candidate)

    def drop_candidate(self, state: str) -> None:
        """No candidate for `state` any more: it was promoted."""
        with self._lock:
            self._snapshot = self._snapshot.without_candidate(state)

    # -- deciding ---------------------------------------------------------

    def ruling(self, state: str, facts: Facts) -> Ruling:
        """The router's question: a message's facts, built once, for each
        state it goes to."""
        return decide(self._snapshot, state, facts)

    def decide(self, request: PolicyRequest) -> Decision:
        """The enforced decision on one request to one state (tools, probes)."""
        snapshot = self._snapshot
        policy = snapshot.policies.get(request.state)
        if policy is None:
            return snapshot.none(request.state)
        # Most requests meet no rule that could apply to them: answer those
        # before paying for Facts (three quarters of a decision's cost).
        if not policy.candidates(request.requester.component, request.message.key):
            return policy.default
        return evaluate(policy, Facts.of(request))

    def explain(self, request: PolicyRequest) -> dict[str, Any]:
        snapshot = self._snapshot
        policy = snapshot.policies.get(request.state)
        if policy is None:
            decision = snapshot.none(request.state)
            return {
                "state": request.state,
                "version": decision.version,
                "request": Facts.of(request).as_dict(),
                "rules": [],
                "decision": decision.as_dict(),
            }
        return explain(policy, Facts.of(request))

    def get(self, state: str) -> CompiledPolicy | None:
        return self._snapshot.policies.get(state)

    def candidate(self, state: str) -> CompiledPolicy | None:
        return self._snapshot.candidates.get(state)

    def candidate_versions(self) -> dict[str, str]:
        return {state: p.version for state, p in sorted(self._snapshot.candidates.items())}

    def require(self, state: str) -> CompiledPolicy:
        snapshot = self._snapshot
        policy = snapshot.policies.get(state)
        if policy is not None:
            return policy
        failing = snapshot.failing_closed.get(state)
        if failing is not None:
            raise NotFoundError(f"no valid policy in force for {state}: {failing.reason}")
        raise NotFoundError(f"no policy in force for {state}")

    def versions(self) -> dict[str, str]:
        return {state: p.version for state, p in sorted(self._snapshot.policies.items())}

    # -- reporting --------------------------------------------------------

    def failing_closed(self) -> list[str]:
        """States every query to which is denied: no valid version in force."""
        return sorted(self._snapshot.failing_closed)

    def problems(self) -> list[str]:
        """Every problem of the files as they are now (file:line: reason)."""
        return self.files.problems()

    # -- changing ---------------------------------------------------------

    def validate(
        self, state: str, text: str, *, candidate: bool = False, source: str | None = None
    ) -> CompiledPolicy:
        """Parse and compile a new version of a state's policy; PolicyError
        (with file, line and reason) when it is refused."""
        if state not in JURISDICTIONS:
            raise UnknownState(state)
        if source is None:
            source = f"candidates/{state}.yaml" if candidate else f"{state}.yaml"
        return compile_policy(load_policy_text(text, source, expected_state=state))

    def reload_changed(self) -> list[ReloadEvent]:
        """Put in force the files whose content changed since they were last
        read (a tool's store; a hub's goes through the database)."""
        return [event for read in self.files.changed() if (event := self._apply(read))]

    def read_files(self) -> list[FileRead]:
        """The files whose content changed, for a caller to put in force; a
        refused one is handled here (kept version, or the state fails closed)."""
        reads = self.files.changed()
        for read in reads:
            if read.policy is None:
                self._refuse(read.state, read.candidate, list(read.problems))
        return reads

    def _apply(self, read: FileRead) -> ReloadEvent | None:
        """Put a file read in force, or record why not. An event when
        anything changed."""
        state, candidate, policy = read.state, read.candidate, read.policy
        if policy is None:
            self._refuse(state, candidate, list(read.problems))
            return ReloadEvent(state, str(read.path), None, read.problems)
        current = self.candidate(state) if candidate else self.get(state)
        if current is not None and current.version == policy.version:
            return None
        self.install(policy, candidate)
        log.info("policy %s now in force: %s", read.path, policy.version)
        return ReloadEvent(state, str(read.path), policy.version)

    def _refuse(self, state: str, candidate: bool, problems: list[PolicyProblem]) -> None:
        kept = self.candidate(state) if candidate else self.get(state)
        if kept is not None or candidate:
            version = kept.version if kept else "no candidate"
            log.error("policy refused, %s stays in force: %s", version, problems[0])
            return
        shown = self.files.shown(problems)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        denial = Decision(
            effect="deny",
            rules=(REFUSED_RULE,),
            reason=f"no valid policy in force, so every query is denied: {shown[0]}{more}",
            version=REFUSED_VERSION,
            errors=tuple(str(p) for p in shown),
        )
        with self._lock:
            self._snapshot = self._snapshot.refusing(state, denial)
        log.error("policy refused, every query to %s is denied: %s", state, problems[0])
