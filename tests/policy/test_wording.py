"""Every kind of mistake in a policy or a policy test file, said in the
language's words at its file and line: one fixture per kind under
`fixtures/bad/<kind>/`, each with the whole of what it must be told."""

# ruff: noqa: E501  (each message is asserted whole, on one line as it is printed)
from __future__ import annotations

from pathlib import Path

import pytest

from switch.policy import PolicyError, load_policy_file
from switch.policy.cases import load_tests

BAD = Path(__file__).parent / "fixtures" / "bad"

# kind -> every problem, whole, with the file named from the fixture's folder
EXPECTED = {
    "bad_hours": [
        "WA.yaml:7: rules.0.when.time.hours: hours must be HH-HH with start before end, e.g. 08-17",
    ],
    "bad_key": [
        "WA.yaml:7: rules.0.when: message.key `XQ` is not one of DQ, DNQ, RQ, RNQ, KQ, AM",
    ],
    "bad_rule_id": [
        "WA.yaml:4: rules.0: id `No ICE` is not a rule id: lower-case letters, digits, dashes",
    ],
    "bad_warrant_level": [
        "WA.yaml:6: rules.0.when: warrant `signed` is not one of none, cited, administrative, judicial",
    ],
    "deny_without_reason": [
        "WA.yaml:4: rules.0: a deny rule must give a reason: the requester is told it",
    ],
    "duplicate_key": [
        "WA.yaml:4: key 'default' given twice",
    ],
    "duplicate_rule_id": [
        "WA.yaml:6: rules.1: rule id 'r1' appears twice (first as rules.0)",
    ],
    "empty_condition": [
        "WA.yaml:6: rules.0.when: an empty condition matches everything; leave it out instead",
    ],
    "missing_required_key": [
        "WA.yaml:1: missing `title`: a policy needs it",
    ],
    "misspelt_attribute": [
        "WA.yaml:7: rules.0.when: unknown attribute `requester.componnet`; did you mean `requester.component`?",
    ],
    "misspelt_obligation": [
        "WA.yaml:8: rules.0.obligations: unknown obligation `notify_subjet`; did you mean `notify_subject`? (report, flag_for_review, notify_subject)",
    ],
    "misspelt_rule_key": [
        "WA.yaml:5: rules.0: unknown key `efect`; did you mean `effect`?",
    ],
    "misspelt_value": [
        "WA.yaml:8: rules.0.when: requester.type `SOO` is not one of PD, SO, SA, LE, FE, CJ, NJ; did you mean `SO`?",
    ],
    "not_a_mapping": [
        "WA.yaml:1: a policy is a mapping with state, title, rules",
    ],
    "number_out_of_range": [
        "WA.yaml:7: rules.0.obligations.0.notify_subject: within_business_days must be at most 60, not `90`",
    ],
    "redact_on_deny": [
        "WA.yaml:4: rules.0: redact and obligations belong on permit rules",
    ],
    "test_file_expectation": [
        "tests/WA.yaml:6: cases.0.expect: effect `refuse` is not one of permit, deny",
    ],
    "test_file_is_a_policy": [
        "tests/WA.yaml:1: this is a policy, not a test file: tests go in the tests/ folder beside it",
    ],
    "test_file_key": [
        "tests/WA.yaml:5: cases.0: unknown key `expected`; did you mean `expect`?",
    ],
    "test_file_warrant": [
        "tests/WA.yaml:5: cases.0: warrant `judical` is not one of none, cited, administrative, judicial; did you mean `judicial`?",
    ],
    "unknown_attribute": [
        "WA.yaml:7: rules.0.when: unknown attribute `requester.agency` (a condition has requester.ori, requester.state, requester.in_state, requester.type, requester.department, requester.component, requester.tags, message.key, message.reason, message.image, warrant, subject.refused_to, time, not, any, all)",
    ],
    "unknown_top_key": [
        "WA.yaml:3: unknown key `defualt`; did you mean `default`?",
    ],
    "wrong_file_name": [
        "draft.yaml:1: a policy file is named for its state, e.g. WA.yaml, not draft.yaml",
        "draft.yaml:6: rules.0.when: unknown attribute `requester.componnet`; did you mean `requester.component`?",
    ],
    "wrong_state": [
        "WA.yaml:1: state is NY but the file is WA's",
    ],
    "wrong_type": [
        "WA.yaml:2: title must be text, not a list",
    ],
    "yaml_syntax": [
        "WA.yaml:6: not valid YAML: expected ',' or ']', but got '<stream end>'",
    ],
}
PYDANTIC = ("Extra inputs", "Input should", "pydantic", "Field required", "literal[", "list[")


def _problems(kind: str) -> list[str]:
    folder = BAD / kind
    tests = sorted(folder.glob("tests/*.yaml"))
    path = tests[0] if tests else next(iter(sorted(folder.glob("*.yaml"))))
    with pytest.raises(PolicyError) as caught:
        load_tests(path) if tests else load_policy_file(path)
    return [str(p).removeprefix(f"{folder}/") for p in caught.value.problems]


def test_every_fixture_is_listed() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 15


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_mistake_is_said_whole_at_its_line(kind: str) -> None:
    said = _problems(kind)
    assert said == EXPECTED[kind]
    assert not [line for line in said if any(word in line for word in PYDANTIC)]
