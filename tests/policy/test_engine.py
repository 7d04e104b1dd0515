"""The language's semantics, rule by rule, as SPEC.md states them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from switch.policy import Facts, Obligation, evaluate
from switch.policy.compiler import CompiledPolicy
from tests.policy.helpers import DIRECTORY, policy, request

ICE = "VTICE0900"
HSI = "NYHSI0200"
SEATTLE_PD = next(a.ori for a in DIRECTORY.by_state("WA") if a.type == "PD")
NYPD = "NY0303000"


def decide(p: CompiledPolicy, ori: str = ICE, **kw: object):  # type: ignore[no-untyped-def]
    return evaluate(p, Facts.of(request(ori, **kw)))  # type: ignore[arg-type]


DENY_ICE = {
    "id": "no-ice",
    "effect": "deny",
    "reason": "no ICE",
    "when": {"requester.component": ["ICE-ERO", "ICE-HSI"]},
}


def test_default_applies_when_no_rule_matches() -> None:
    assert decide(policy([])).effect == "permit"
    denied = decide(policy([], default="deny"))
    assert denied.effect == "deny" and denied.rule is None and "default" in (denied.reason or "")


def test_matching_deny_names_rule_reason_and_version() -> None:
    p = policy([DENY_ICE])
    decision = decide(p)
    assert (decision.effect, decision.rule, decision.reason) == ("deny", "no-ice", "no ICE")
    assert decision.version == p.version and p.version.startswith("sha256:")
    assert decide(p, SEATTLE_PD).effect == "permit"


def test_list_is_or_and_keys_are_and() -> None:
    rule = {
        "id": "r",
        "effect": "deny",
        "reason": "x",
        "when": {"requester.component": ["CBP", "ICE-HSI"], "message.key": "RQ"},
    }
    p = policy([rule])
    assert decide(p, HSI, key="RQ").effect == "deny"
    assert decide(p, HSI, key="DQ").effect == "permit"  # AND: key fails
    assert decide(p, ICE, key="RQ").effect == "permit"  # OR: ERO not listed


def test_unless_exempts() -> None:
    p = policy([{**DENY_ICE, "unless": {"warrant": "judicial"}}])
    assert decide(p, warrant="judicial").effect == "permit"
    for level in ("none", "cited", "administrative"):
        assert decide(p, warrant=level).effect == "deny", level


def test_not_any_all_nest() -> None:
    rule = {
        "id": "r",
        "effect": "deny",
        "reason": "x",
        "when": {
            "any": [{"requester.component": "ICE-ERO"}, {"requester.tags": "287g"}],
            "not": {"message.reason": ["V", "H"]},
            "all": [{"requester.type": ["FE", "SO"]}],
        },
    }
    p = policy([rule])
    sheriff_287g = next(a.ori for a in DIRECTORY if "287g" in a.tags)
    assert decide(p, ICE).effect == "deny"
    assert decide(p, ICE, reason="V").effect == "permit"
    assert decide(p, sheriff_287g).effect == "deny"
    assert decide(p, HSI).effect == "permit"


def test_ori_exact_and_glob() -> None:
    p = policy(
        [{"id": "r", "effect": "deny", "reason": "x", "when": {"requester.ori": ["VTICE*"]}}]
    )
    assert decide(p, ICE).effect == "deny"
    assert decide(p, "WAICE0100").effect == "permit"
    exact = policy([{"id": "r", "effect": "deny", "reason": "x", "when": {"requester.ori": ICE}}])
    assert decide(exact, ICE).effect == "deny" and decide(exact, HSI).effect == "permit"


def test_in_state_compares_with_the_deciding_state() -> None:
    rule = {
        "id": "out",
        "effect": "permit",
        "when": {"requester.in_state": False, "message.key": ["DQ", "DNQ"]},
        "redact": ["ADR"],
    }
    p = policy([rule])
    assert decide(p, NYPD).redact == ("ADR",)
    assert decide(p, SEATTLE_PD).redact == ()


def test_time_windows_use_the_states_local_time() -> None:
    rule = {
        "id": "office-hours",
        "effect": "deny",
        "reason": "after hours",
        "when": {
            "not": {"time": {"weekdays": ["mon", "tue", "wed", "thu", "fri"], "hours": "08-17"}}
        },
    }
    p = policy([rule])
    # 16:00 UTC Wednesday is 08:00 in Seattle: inside the window.
    assert decide(p, at=datetime(2026, 11, 25, 16, 0, tzinfo=UTC)).effect == "permit"
    # 15:59 UTC is 07:59 in Seattle: outside.
    assert decide(p, at=datetime(2026, 11, 25, 15, 59, tzinfo=UTC)).effect == "deny"
    # Saturday noon in Seattle.
    assert decide(p, at=datetime(2026, 11, 28, 20, 0, tzinfo=UTC)).effect == "deny"


def test_deny_overrides_is_order_free_and_merges_permits() -> None:
    permit_a = {"id": "a", "effect": "permit", "redact": ["ADR"], "obligations": ["report"]}
    permit_b = {
        "id": "b",
        "effect": "permit",
        "redact": ["SOC", "ADR"],
        "obligations": [{"notify_subject": {"within_business_days": 3}}],
    }
    merged = decide(policy([permit_a, permit_b]))
    assert merged.rules == ("a", "b")
    assert merged.redact == ("ADR", "SOC")
    assert merged.obligations == (Obligation("report"), Obligation("notify_subject", 3))
    for rules in ([permit_a, DENY_ICE], [DENY_ICE, permit_a]):
        assert decide(policy(rules)).rule == "no-ice"


def test_first_match_takes_the_first_matching_rule() -> None:
    permit_all = {"id": "everyone", "effect": "permit"}
    assert decide(policy([permit_all, DENY_ICE], combine="first-match")).effect == "permit"
    assert decide(policy([DENY_ICE, permit_all], combine="first-match")).effect == "deny"


@pytest.mark.parametrize("combine", ["deny-overrides", "first-match"])
def test_a_rule_that_cannot_be_evaluated_fails_closed(combine: str) -> None:
    # warrant=None: the court registry could not be asked.
    permit_with_warrant = {
        "id": "judicial-ok",
        "effect": "permit",
        "when": {"warrant": "judicial"},
    }
    p = policy([permit_with_warrant], combine=combine)
    decision = decide(p, warrant=None)
    assert decision.effect == "deny"
    assert decision.rule == "judicial-ok"
    assert decision.errors and "court registry" in decision.errors[0]
    assert "fail closed" in (decision.reason or "")
    # A request that never reaches the warrant test is unaffected.
    assert decide(p, warrant="judicial").effect == "permit"


def test_the_index_skips_rules_that_cannot_apply() -> None:
    p = policy([DENY_ICE, {"id": "rq-only", "effect": "permit", "when": {"message.key": "RQ"}}])
    assert [r.id for r in p.candidates("ICE-ERO", "DQ")] == ["no-ice"]
    assert [r.id for r in p.candidates(None, "RQ")] == ["rq-only"]
    assert p.candidates("FBI", "DQ") == ()


def test_decision_is_pure() -> None:
    p = policy([DENY_ICE])
    facts = Facts.of(request())
    assert evaluate(p, facts) == evaluate(p, facts)
