"""`subject.refused_to`: validated in domain words, decided from the fact
handed in, failing closed when the index could not be read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from switch.directory import Directory
from switch.messages.model import Message
from switch.messages.subjects import person_keys
from switch.policy import PolicyError, compile_policy, evaluate, explain, load_policy_text
from switch.policy.facts import Facts
from switch.policy.refusals import Refusal
from switch.policy.trace_text import format_trace
from switch.settings import Settings

AT = datetime(2026, 11, 20, 12, tzinfo=UTC)
RELAY = """\
state: WA
title: no relay
rules:
  - id: wa-no-relay
    effect: deny
    reason: the person was refused to a federal immigration agency within 24 hours
    when:
      requester.tags: [287g]
      subject.refused_to: {component: [ICE-ERO, ICE-HSI], within_hours: 24}
"""


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load(Settings().directory)


def _facts(
    directory: Directory, refusals: tuple[Refusal, ...] | None, ori: str = "AZ0110000"
) -> Facts:
    agency = directory.get(ori)
    assert agency is not None
    message = Message("DQ", ori, ("WA",), {"OLN": "WAL1"})
    return Facts(agency, message, "none", AT, refusals)


def _refusal(hours_ago: float, *, state: str = "WA", component: str = "ICE-ERO") -> Refusal:
    return Refusal("m1", AT - timedelta(hours=hours_ago), state, "WAICE0100", component)


@pytest.mark.parametrize(
    ("refusals", "effect"),
    [
        ((), "permit"),
        ((_refusal(1),), "deny"),
        ((_refusal(23.9),), "deny"),
        ((_refusal(24),), "permit"),  # the window is (at - 24h, at]
        ((_refusal(25),), "permit"),
        ((_refusal(1, state="OR"),), "permit"),  # refused elsewhere: not this state's
        ((_refusal(1, component="CBP"),), "permit"),
        ((_refusal(1, component="ICE-HSI"),), "deny"),
        ((_refusal(-1),), "permit"),  # after the query: not yet known
    ],
)
def test_the_rule_denies_a_287g_query_after_a_recent_refusal(
    directory: Directory, refusals: tuple[Refusal, ...], effect: str
) -> None:
    policy = compile_policy(load_policy_text(RELAY, "WA.yaml"))
    assert policy.memory_hours == 24
    assert evaluate(policy, _facts(directory, refusals)).effect == effect


def test_a_requester_without_the_tag_is_not_asked_about(directory: Directory) -> None:
    policy = compile_policy(load_policy_text(RELAY, "WA.yaml"))
    assert evaluate(policy, _facts(directory, (_refusal(1),), "WA0170100")).effect == "permit"


def test_an_unreadable_index_denies_where_the_rule_asks(directory: Directory) -> None:
    policy = compile_policy(load_policy_text(RELAY, "WA.yaml"))
    decision = evaluate(policy, _facts(directory, None))
    assert decision.effect == "deny"
    assert "recent refusals could not be read" in (decision.reason or "")
    # Where the rule does not reach the test, the unreadable index decides nothing.
    assert evaluate(policy, _facts(directory, None, "WA0170100")).effect == "permit"


def test_explain_shows_the_refusal_that_matched(directory: Directory) -> None:
    policy = compile_policy(load_policy_text(RELAY, "WA.yaml"))
    trace = explain(policy, _facts(directory, (_refusal(25), _refusal(2), _refusal(3))))
    test = trace["rules"][0]["when"]["children"][1]
    assert test["test"] == "subject.refused_to"
    assert test["actual"] == {
        "message_id": "m1",
        "at": (AT - timedelta(hours=2)).isoformat(),
        "state": "WA",
        "requester_ori": "WAICE0100",
        "component": "ICE-ERO",
    }
    text = format_trace(trace)
    assert (
        "✓ subject.refused_to ICE-ERO, ICE-HSI within 24h (refused: message m1 at "
        "2026-11-20T10:00:00+00:00 to WAICE0100, ICE-ERO)"
    ) in text


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (
            "{component: [ICE-ERO, ICE-HIS], within_hours: 24}",
            "WA.yaml:9: rules.0.when.subject.refused_to: component `ICE-HIS` is not one of"
            " ICE-ERO, ICE-HSI, CBP, USSS, FBI, USMS, DEA, ATF; did you mean `ICE-HSI`?",
        ),
        (
            "{component: ICE-ERO, within_hours: 0}",
            "WA.yaml:9: rules.0.when.subject.refused_to: within_hours must be more than 0.0,"
            " not `0`",
        ),
        (
            "{component: ICE-ERO, within_hours: 721}",
            "WA.yaml:9: rules.0.when.subject.refused_to: within_hours must be at most 720.0,"
            " not `721`",
        ),
        (
            "{component: ICE-ERO}",
            "WA.yaml:9: rules.0.when.subject.refused_to: missing `within_hours`",
        ),
    ],
)
def test_mistakes_are_said_in_domain_words(value: str, said: str) -> None:
    text = RELAY.replace("{component: [ICE-ERO, ICE-HSI], within_hours: 24}", value)
    with pytest.raises(PolicyError) as raised:
        load_policy_text(text, "WA.yaml")
    assert str(raised.value).startswith(said)


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        ({"OLN": "wal123"}, ("OLN:WAL123",)),
        ({"NAM": "doe , jane", "DOB": "19800102"}, ("NAM+DOB:DOE,JANE|19800102",)),
        ({"NAM": "DOE,JANE", "DOB": "010280"}, ("NAM+DOB:DOE,JANE|19800102",)),
        ({"NAM": "DOE,JANE", "DOB": "19801302"}, ()),  # no such date: names no one
        ({"LIC": "ABC1234"}, ()),
        ({"OLN": "X1", "NAM": "A,B", "DOB": "19800102"}, ("OLN:X1", "NAM+DOB:A,B|19800102")),
    ],
)
def test_subject_keys_link_oln_or_name_and_normalised_dob(
    fields: dict[str, str], keys: tuple[str, ...]
) -> None:
    assert person_keys(fields, AT.date()) == keys
