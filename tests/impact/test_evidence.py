"""A replay's summary as promotion evidence: tightened and loosened counts,
by requester component and by the candidate's deciding rule with its reason."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from switch.impact.evidence import rule_reasons, summarize
from switch.impact.replay_report import ReplayReport, Transition, Unreplayable
from switch.policy import compile_policy, load_policy_text

POLICY = """state: WA
title: t
rules:
  - id: wa-no-cbp
    effect: deny
    reason: no CBP
    when: {requester.component: CBP}
  - id: wa-open-fbi
    effect: permit
    when: {requester.component: FBI}
"""


def _report() -> ReplayReport:
    tighten = Transition("permit", "deny", count=3)
    tighten.by_component.update({"CBP": 2, "ICE-HSI": 1})
    tighten.by_rule.update({"wa-no-cbp": 3})
    redact = Transition("redact", "deny", count=1)
    redact.by_component.update({"CBP": 1})
    redact.by_rule.update({"wa-no-cbp": 1})
    loosen = Transition("deny", "permit", count=2)
    loosen.by_component.update({"FBI": 2})
    loosen.by_rule.update({"(default)": 1, "wa-open-fbi": 1})
    same = Transition("permit", "permit", count=7)
    same.by_component.update({"-": 7})
    return ReplayReport(
        candidate={"WA": "sha256:ab"},
        states=["WA"],
        since=datetime(2025, 1, 1, tzinfo=UTC),
        until=None,
        records=14,
        transitions=[loosen, tighten, redact, same],
        unreplayable=Unreplayable(count=1),
    )


def test_summary_counts_by_component_and_reason() -> None:
    policy = compile_policy(load_policy_text(POLICY, expected_state="WA"))
    assert rule_reasons(policy) == {"wa-no-cbp": "no CBP", "wa-open-fbi": None}
    assert summarize(_report(), "WA", "sha256:ab", rule_reasons(policy)) == {
        "state": "WA",
        "version": "sha256:ab",
        "since": "2025-01-01T00:00:00+00:00",
        "until": None,
        "records": 14,
        "replayed": 13,
        "unreplayable": 1,
        "tightened": 4,
        "tightened_by_component": {"CBP": 3, "ICE-HSI": 1},
        "tightened_by_reason": [{"rule": "wa-no-cbp", "reason": "no CBP", "count": 4}],
        "loosened": 2,
        "loosened_by_component": {"FBI": 2},
        "loosened_by_reason": [
            {"rule": "(default)", "reason": "the policy's default", "count": 1},
            {"rule": "wa-open-fbi", "reason": None, "count": 1},
        ],
    }


@given(st.lists(st.tuples(st.sampled_from(["permit", "deny", "redact"]), st.integers(0, 50))))
def test_the_breakdowns_add_up_to_the_counts(pairs: list[tuple[str, int]]) -> None:
    transitions: dict[tuple[str, str], Transition] = {}
    for i, (new, n) in enumerate(pairs):
        old = ["permit", "deny"][i % 2]
        t = transitions.setdefault((old, new), Transition(old, new))
        t.count += n
        t.by_component[f"c{i % 3}"] += n
        t.by_rule[f"r{i % 4}"] += n
    report = ReplayReport({}, ["WA"], None, None, transitions=list(transitions.values()))
    found = summarize(report, "WA", "sha256:ab", {})
    for name, kind in (("tightened", "tighten"), ("loosened", "loosen")):
        assert found[name] == report.count(kind)  # type: ignore[arg-type]
        assert sum(found[f"{name}_by_component"].values()) == found[name]
        assert sum(r["count"] for r in found[f"{name}_by_reason"]) == found[name]
        assert Counter(found[f"{name}_by_component"]) == sum(
            (t.by_component for t in report.of_kind(kind)),  # type: ignore[arg-type]
            Counter(),
        )
