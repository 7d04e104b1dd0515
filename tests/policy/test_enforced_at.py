"""A policy's `enforced_at`: where its refusals happen. Every decision of a
policy carries it; the default is Nlets, as before the key existed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switch.directory import Directory
from switch.policy import PolicyError, compile_policy, evaluate, explain, load_policy_text
from switch.policy.decision import ENFORCEMENT_POINTS
from switch.policy.facts import Facts
from switch.policy.requests import probe_request
from switch.policy.trace_text import format_trace

POLICY = """\
state: WA
title: t
{line}rules:
  - id: no-ice
    effect: deny
    reason: not for ICE
    when: {{requester.component: [ICE-ERO]}}
  - id: broken
    effect: deny
    reason: fails
    when: {{warrant: judicial}}
"""
DIRECTORY = Directory.load()


def _facts(ori: str, warrant: str | None = "none") -> Facts:
    request = probe_request(DIRECTORY, state="WA", ori=ori, key="DQ", warrant="none")
    return Facts(request.requester, request.message, warrant, request.at)


def _policy(enforced_at: str | None):  # type: ignore[no-untyped-def]
    line = "" if enforced_at is None else f"enforced_at: {enforced_at}\n"
    return compile_policy(load_policy_text(POLICY.format(line=line), "WA.yaml"))


def test_the_default_is_nlets() -> None:
    policy = _policy(None)
    assert policy.enforced_at == "nlets"
    assert evaluate(policy, _facts("VTICE0900")).enforced_at == "nlets"


@pytest.mark.parametrize("where", ENFORCEMENT_POINTS)
def test_every_decision_carries_where_it_is_enforced(where: str) -> None:
    policy = _policy(where)
    denied = evaluate(policy, _facts("VTICE0900"))
    permitted = evaluate(policy, _facts("NY0303000"))
    # A rule that cannot be evaluated fails closed where the policy is enforced.
    failed = evaluate(policy, _facts("NY0303000", warrant=None))
    assert (denied.effect, permitted.effect, failed.effect) == ("deny", "permit", "deny")
    assert {denied.enforced_at, permitted.enforced_at, failed.enforced_at} == {where}
    assert denied.as_dict()["enforced_at"] == where
    trace = explain(policy, _facts("VTICE0900"))
    assert trace["enforced_at"] == where
    assert "  refused at: " in format_trace(trace)


def test_explain_says_where_a_denial_is_refused() -> None:
    assert "refused at: WA's own switch, ACCESS" in format_trace(
        explain(_policy("state-switch"), _facts("VTICE0900"))
    )
    assert "refused at: Nlets (ER .02. from NL0000000)" in format_trace(
        explain(_policy(None), _facts("VTICE0900"))
    )
    assert "refused at" not in format_trace(explain(_policy("dmv"), _facts("NY0303000")))


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_ ", min_size=1, max_size=14))
def test_any_other_value_is_one_problem_at_its_line(value: str) -> None:
    value = value.strip() or "x"
    if value in ENFORCEMENT_POINTS:
        return
    with pytest.raises(PolicyError) as caught:
        _policy(f'"{value}"')
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert problem.reason.startswith("enforced_at ")
    assert "is not one of nlets, state-switch, dmv" in problem.reason
    hint = problem.reason.partition("did you mean `")[2].rstrip("`?")
    assert hint in ("", *ENFORCEMENT_POINTS)


@pytest.mark.parametrize(
    ("written", "meant"),
    [("state_switch", "state-switch"), ("stateswitch", "state-switch"), ("swich", "state-switch"),
     ("Nlets", "nlets"), ("dvm", "dmv")],
)  # fmt: skip
def test_a_misspelling_is_told_the_nearest_value(written: str, meant: str) -> None:
    with pytest.raises(PolicyError) as caught:
        _policy(written)
    assert str(caught.value).endswith(f"did you mean `{meant}`?")
