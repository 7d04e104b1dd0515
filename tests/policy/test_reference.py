"""The compiled, indexed engine agrees with a plain reading of SPEC.md.

`reference` below interprets a policy file straight from its model, with no
compilation and no index; hypothesis generates policies and requests and the
two must agree on every decision.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from switch.policy import Facts, PolicyRequest, evaluate
from switch.policy.model import Condition, PolicyFile
from tests.policy.helpers import DIRECTORY, policy, request

AGENCIES = [
    *("VTICE0900", "NYHSI0200", "NYCBP0200", "NYFBI0300", "NY0303000", "WAICE0100"),
    *[a.ori for a in DIRECTORY if "287g" in a.tags][:2],
    next(a.ori for a in DIRECTORY.by_state("WA") if a.type == "PD"),
]

COMPONENTS = ["ICE-ERO", "ICE-HSI", "CBP", "FBI"]
values = {
    "requester.component": st.sampled_from(COMPONENTS),
    "requester.type": st.sampled_from(["FE", "PD", "SO"]),
    "requester.department": st.sampled_from(["DHS", "DOJ"]),
    "requester.tags": st.sampled_from(["287g", "lesc"]),
    "requester.state": st.sampled_from(["WA", "NY", "VT"]),
    "requester.ori": st.sampled_from(["VTICE0900", "NY*", "*ICE*"]),
    "message.key": st.sampled_from(["DQ", "RQ", "KQ"]),
    "message.reason": st.sampled_from(["none", "N", "V"]),
    "warrant": st.sampled_from(["none", "cited", "administrative", "judicial"]),
}


def _leaf() -> st.SearchStrategy[dict[str, Any]]:
    def one(name: str) -> st.SearchStrategy[dict[str, Any]]:
        single = values[name]
        return st.one_of(single, st.lists(single, min_size=1, max_size=3, unique=True)).map(
            lambda v: {name: v}
        )

    singles = st.one_of(
        *(one(n) for n in values),
        st.booleans().map(lambda b: {"requester.in_state": b}),
        st.booleans().map(lambda b: {"message.image": b}),
    )
    return st.lists(singles, min_size=1, max_size=3).map(
        lambda ds: {k: v for d in ds for k, v in d.items()}
    )


conditions = st.recursive(
    _leaf(),
    lambda inner: st.one_of(
        inner.map(lambda c: {"not": c}),
        st.lists(inner, min_size=1, max_size=2).map(lambda cs: {"any": cs}),
        st.lists(inner, min_size=1, max_size=2).map(lambda cs: {"all": cs}),
    ),
    max_leaves=4,
)


@st.composite
def rules(draw: st.DrawFn) -> list[dict[str, Any]]:
    made = []
    for n in range(draw(st.integers(0, 5))):
        effect = draw(st.sampled_from(["permit", "deny"]))
        rule: dict[str, Any] = {"id": f"r{n}", "effect": effect}
        if effect == "deny":
            rule["reason"] = f"reason {n}"
        if draw(st.booleans()):
            rule["when"] = draw(conditions)
        if draw(st.booleans()):
            rule["unless"] = draw(conditions)
        if effect == "permit" and draw(st.booleans()):
            rule["redact"] = draw(st.lists(st.sampled_from(["ADR", "SOC", "IMG"]), max_size=2))
        made.append(rule)
    return made


def matches(cond: Condition | None, req: PolicyRequest) -> bool:
    if cond is None:
        return True
    a, m = req.requester, req.message

    def one_of(value: Any, actual: Any) -> bool:
        return actual in (value if isinstance(value, list) else [value])

    checks = []
    if cond.requester_ori is not None:
        pats = cond.requester_ori if isinstance(cond.requester_ori, list) else [cond.requester_ori]
        checks.append(any(fnmatch.fnmatchcase(a.ori, p) for p in pats))
    if cond.requester_state is not None:
        checks.append(one_of(cond.requester_state, a.state))
    if cond.requester_in_state is not None:
        checks.append((a.state == req.state) == cond.requester_in_state)
    if cond.requester_type is not None:
        checks.append(one_of(cond.requester_type, a.type))
    if cond.requester_department is not None:
        checks.append(one_of(cond.requester_department, a.department))
    if cond.requester_component is not None:
        checks.append(one_of(cond.requester_component, a.component))
    if cond.requester_tags is not None:
        wanted = (
            cond.requester_tags if isinstance(cond.requester_tags, list) else [cond.requester_tags]
        )
        checks.append(any(t in a.tags for t in wanted))
    if cond.message_key is not None:
        checks.append(one_of(cond.message_key, m.key))
    if cond.message_reason is not None:
        checks.append(one_of(cond.message_reason, m.fields.get("RSN", "none")))
    if cond.message_image is not None:
        checks.append((m.fields.get("IMQ") == "Y") == cond.message_image)
    if cond.warrant is not None:
        checks.append(one_of(cond.warrant, req.warrant))
    if cond.not_ is not None:
        checks.append(not matches(cond.not_, req))
    if cond.any is not None:
        checks.append(any(matches(c, req) for c in cond.any))
    if cond.all is not None:
        checks.append(all(matches(c, req) for c in cond.all))
    return all(checks)


def reference(model: PolicyFile, req: PolicyRequest) -> tuple[str, str | None]:
    matched = [
        r for r in model.rules if matches(r.when, req) and not (r.unless and matches(r.unless, req))
    ]
    if model.combine == "first-match":
        return (matched[0].effect, matched[0].id) if matched else (model.default, None)
    denies = [r for r in matched if r.effect == "deny"]
    if denies:
        return "deny", denies[0].id
    permits = [r for r in matched if r.effect == "permit"]
    return ("permit", permits[0].id) if permits else (model.default, None)


@settings(max_examples=200, deadline=None)
@given(
    rules=rules(),
    combine=st.sampled_from(["deny-overrides", "first-match"]),
    default=st.sampled_from(["permit", "deny"]),
    ori=st.sampled_from(AGENCIES),
    key=st.sampled_from(["DQ", "RQ", "KQ", "DNQ"]),
    reason=st.sampled_from(["none", "N", "V"]),
    image=st.booleans(),
    warrant=st.sampled_from(["none", "cited", "administrative", "judicial"]),
    state=st.sampled_from(["WA", "NY"]),
)
def test_engine_agrees_with_the_reference(
    rules: list[dict[str, Any]],
    combine: str,
    default: str,
    ori: str,
    key: str,
    reason: str,
    image: bool,
    warrant: str,
    state: str,
) -> None:
    compiled = policy(rules, combine=combine, default=default, state=state)
    from switch.policy import load_policy_text

    model = load_policy_text(compiled.text, "x.yaml").model
    req = request(ori, state=state, key=key, reason=reason, image=image, warrant=warrant)
    decision = evaluate(compiled, Facts.of(req))
    assert (decision.effect, decision.rule) == reference(model, req)


@settings(max_examples=100, deadline=None)
@given(rules=rules(), data=st.data())
def test_deny_overrides_does_not_depend_on_rule_order(
    rules: list[dict[str, Any]], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(rules))
    req = request(data.draw(st.sampled_from(AGENCIES)), warrant="none")
    first = evaluate(policy(rules), Facts.of(req))
    second = evaluate(policy(shuffled), Facts.of(req))
    assert first.effect == second.effect
    assert set(first.rules) == set(second.rules)
