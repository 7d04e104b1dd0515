"""`switch policy test`: cases of requester, message and warrant with the
decision each must get, run like `opa test`, with per-rule coverage.

A test file `policies/tests/<ST>.yaml`::

    state: WA
    cases:
      - name: ICE without a warrant is refused
        from: VTICE0900          # an ORI in the directory
        key: DQ                  # optional, default DQ
        rsn: none                # optional
        image: false             # optional
        warrant: none            # level: none | cited | administrative | judicial
        expect:
          effect: deny
          rule: wa-no-ice        # optional
          redact: []             # optional, exact
          obligations: []        # optional, exact, e.g. ["report"]
          enforced_at: nlets     # optional: where a refusal happens
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from switch.directory import Directory
from switch.errors import MessageError
from switch.policy.compiler import CompiledPolicy
from switch.policy.decision import EnforcedAt
from switch.policy.engine import evaluate, explain
from switch.policy.facts import Facts
from switch.policy.loader import PolicyError, PolicyProblem, read_document
from switch.policy.requests import probe_request
from switch.policy.wording import problems


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effect: Literal["permit", "deny"]
    rule: str | None = None
    redact: list[str] | None = None
    obligations: list[str] | None = None
    enforced_at: EnforcedAt | None = None


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str
    from_: str = Field(alias="from")
    key: Literal["DQ", "DNQ", "RQ", "RNQ", "KQ", "AM"] = "DQ"
    rsn: Literal["none", "N", "F", "V", "T", "S", "H"] = "none"
    image: bool = False
    warrant: Literal["none", "cited", "administrative", "judicial"] = "none"
    at: datetime | None = None
    expect: Expectation


class TestFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str = Field(pattern=r"^[A-Z]{2}$")
    cases: list[Case] = Field(min_length=1)


@dataclass(slots=True)
class CaseResult:
    case: Case
    passed: bool
    got: dict[str, Any]
    failures: list[str]
    trace: dict[str, Any] | None = None


@dataclass(slots=True)
class FileResult:
    path: str
    state: str
    version: str
    results: list[CaseResult] = field(default_factory=list)
    coverage: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)


def load_tests(path: Path) -> TestFile:
    """A test file, or PolicyError naming each mistake in it by file and line."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([PolicyProblem(source, None, f"cannot read: {exc}")]) from exc
    root, data = read_document(text, source)
    if isinstance(data, dict) and "cases" not in data and "rules" in data:
        reason = "this is a policy, not a test file: tests go in the tests/ folder beside it"
        raise PolicyError([PolicyProblem(source, 1, reason)])
    if not isinstance(data, dict):
        reason = "a test file is a mapping with state and cases"
        raise PolicyError([PolicyProblem(source, 1, reason)])
    try:
        return TestFile.model_validate(data)
    except ValidationError as exc:
        found = [
            PolicyProblem(source, line, why) for line, why in problems(TestFile, exc, data, root)
        ]
        raise PolicyError(sorted(found, key=lambda p: p.line or 0)) from exc


def run_case(policy: CompiledPolicy, case: Case, directory: Directory) -> CaseResult:
    try:
        request = probe_request(
            directory,
            state=policy.state,
            ori=case.from_.upper(),
            key=case.key,
            reason=case.rsn,
            image=case.image,
            warrant=case.warrant,
            at=case.at,
        )
    except MessageError as exc:
        return CaseResult(case, False, {}, [f"cannot build the request: {exc.message}"])
    facts = Facts.of(request)
    decision = evaluate(policy, facts)
    got = decision.as_dict()
    failures: list[str] = []
    want = case.expect
    if decision.effect != want.effect:
        failures.append(f"effect: want {want.effect}, got {decision.effect}")
    if want.rule is not None and want.rule not in decision.rules:
        failures.append(f"rule: want {want.rule}, got {decision.rule}")
    if want.redact is not None and sorted(want.redact) != sorted(decision.redact):
        failures.append(f"redact: want {want.redact}, got {list(decision.redact)}")
    got_obligations = [str(o) for o in decision.obligations]
    if want.obligations is not None and sorted(want.obligations) != sorted(got_obligations):
        failures.append(f"obligations: want {want.obligations}, got {got_obligations}")
    if want.enforced_at is not None and want.enforced_at != decision.enforced_at:
        failures.append(f"enforced_at: want {want.enforced_at}, got {decision.enforced_at}")
    trace = explain(policy, facts) if failures else None
    return CaseResult(case, not failures, got, failures, trace)


def run_file(path: Path, policy: CompiledPolicy, directory: Directory) -> FileResult:
    tests = load_tests(path)
    result = FileResult(str(path), policy.state, policy.version)
    result.coverage = {rule.id: 0 for rule in policy.rules}
    for case in tests.cases:
        outcome = run_case(policy, case, directory)
        result.results.append(outcome)
        for rule_id in outcome.got.get("rules", []):
            result.coverage[rule_id] = result.coverage.get(rule_id, 0) + 1
    return result
