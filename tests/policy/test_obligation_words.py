"""Every obligation said in words, from the obligation and from the
identifier a reply and the audit carry; and the warrant levels a decision
names, from the rules that decided it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switch.policy import (
    Facts,
    Obligation,
    compile_policy,
    explain,
    load_policy_text,
    obligation_words,
)
from switch.policy.compiler import warrants_named
from switch.policy.decision import ObligationKind
from switch.policy.trace_text import format_trace
from tests.policy.helpers import request


def facts_for(ori: str, state: str, *, warrant: str) -> Facts:
    return Facts.of(request(ori, state, warrant=warrant))


WORDS: list[tuple[Obligation, str]] = [
    (Obligation("notify_subject", 3), "the driver must be told within 3 business days"),
    (Obligation("notify_subject", 1), "the driver must be told within 1 business day"),
    (Obligation("notify_subject", 0), "the driver must be told the same day"),
    (Obligation("report"), "the release is reported"),
    (Obligation("flag_for_review"), "the release is flagged for review"),
]


def test_every_obligation_kind_has_words() -> None:
    kinds: tuple[ObligationKind, ...] = ObligationKind.__args__  # type: ignore[attr-defined]
    assert {o.kind for o, _ in WORDS} == set(kinds)


@pytest.mark.parametrize(("obligation", "words"), WORDS)
def test_an_obligation_in_words(obligation: Obligation, words: str) -> None:
    assert obligation_words(obligation) == words
    # The identifier (as the reply and the audit hold it) reads the same.
    assert obligation_words(str(obligation)) == words


def test_an_identifier_not_known_is_given_as_it_is() -> None:
    for text in ("notify_subject", "report(2)", "tell_the_press", ""):
        assert obligation_words(text) == text
    # The client's short form of the identifier still reads.
    assert obligation_words("notify_subject(3)") == "the driver must be told within 3 business days"


@given(st.integers(0, 60))
def test_identifiers_round_trip(days: int) -> None:
    notify = Obligation("notify_subject", days)
    assert Obligation.parse(str(notify)) == notify


POLICY = """\
state: NY
title: test
rules:
  - id: ny-only-judicial
    effect: deny
    reason: a judge must sign
    when: {requester.component: ICE-ERO}
    unless: {warrant: judicial}
  - id: ny-release
    effect: permit
    when: {requester.component: ICE-ERO, warrant: [judicial, administrative]}
    obligations: [{notify_subject: {within_business_days: 3}}, report, flag_for_review]
  - id: ny-no-nj
    effect: deny
    reason: not for non-criminal-justice
    when: {requester.type: NJ}
"""


def test_a_decision_names_the_warrant_its_rules_want_and_its_obligations_in_words() -> None:
    policy = compile_policy(load_policy_text(POLICY, "NY.yaml"))
    [deny, release, other] = policy.rules
    assert warrants_named(deny.spec) == ("judicial",)
    assert warrants_named(release.spec) == ("administrative", "judicial")
    assert warrants_named(other.spec) == ()
    trace = explain(policy, facts_for("VTICE0900", "NY", warrant="administrative"))
    decision = trace["decision"]
    assert (decision["effect"], decision["rule"]) == ("deny", "ny-only-judicial")
    assert decision["warrant_wanted"] == ["judicial"]
    granted = explain(policy, facts_for("VTICE0900", "NY", warrant="judicial"))["decision"]
    assert granted["effect"] == "permit"
    identifiers = ["notify_subject(3 business days)", "report", "flag_for_review"]
    assert granted["obligations"] == identifiers
    assert granted["obligations_words"] == [
        "the driver must be told within 3 business days",
        "the release is reported",
        "the release is flagged for review",
    ]
    # The CLI's explain says them in words too.
    text = format_trace(explain(policy, facts_for("VTICE0900", "NY", warrant="judicial")))
    assert (
        "obligations: the driver must be told within 3 business days; the release is reported; "
        "the release is flagged for review" in text
    )
