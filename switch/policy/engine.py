"""Evaluation: a pure function of (compiled policy, facts) -> Decision.

No I/O and no allocation on the common paths: the decision of a single
deciding rule, and the default, are built at compile time.
"""

from __future__ import annotations

from typing import Any

from switch.policy.compiler import CompiledPolicy, CompiledRule
from switch.policy.decision import Decision
from switch.policy.facts import Facts


def _failed(policy: CompiledPolicy, failures: list[tuple[CompiledRule, Exception]]) -> Decision:
    # INVARIANT: a rule that cannot be evaluated counts as a deny (fail closed).
    first, error = failures[0]
    errors = tuple(f"rule {rule.id}: {exc}" for rule, exc in failures)
    return Decision(
        effect="deny",
        rules=tuple(rule.id for rule, _ in failures),
        reason=f"rule {first.id} could not be evaluated ({error}); denied to fail closed",
        version=policy.version,
        errors=errors,
        enforced_at=policy.enforced_at,
    )


def _merge(policy: CompiledPolicy, rules: list[CompiledRule]) -> Decision:
    """Several rules of one effect decided together: one decision naming all."""
    if len(rules) == 1:
        return rules[0].decision
    first = rules[0].decision
    redact = tuple(dict.fromkeys(f for r in rules for f in r.decision.redact))
    obligations = tuple(dict.fromkeys(o for r in rules for o in r.decision.obligations))
    wanted = {w for r in rules for w in r.decision.warrant_wanted}
    return Decision(
        effect=first.effect,
        rules=tuple(r.id for r in rules),
        reason=first.reason,
        version=policy.version,
        redact=redact,
        obligations=obligations,
        enforced_at=policy.enforced_at,
        warrant_wanted=tuple(w for w in ("administrative", "judicial") if w in wanted),
    )


def evaluate(policy: CompiledPolicy, facts: Facts) -> Decision:
    candidates = policy.candidates(facts.component, facts.key)
    if not candidates:
        return policy.default
    if policy.combine == "first-match":
        for rule in candidates:
            try:
                if rule.matches(facts):
                    return rule.decision
            except Exception as exc:  # any failure inside a rule must deny, never crash
                return _failed(policy, [(rule, exc)])
        return policy.default
    denies: list[CompiledRule] = []
    permits: list[CompiledRule] = []
    failures: list[tuple[CompiledRule, Exception]] = []
    for rule in candidates:
        try:
            matched = rule.matches(facts)
        except Exception as exc:  # as above: fail closed
            failures.append((rule, exc))
            continue
        if matched:
            (denies if rule.spec.effect == "deny" else permits).append(rule)
    if failures:
        return _failed(policy, failures)
    if denies:
        return _merge(policy, denies)
    if permits:
        return _merge(policy, permits)
    return policy.default


def explain(policy: CompiledPolicy, facts: Facts) -> dict[str, Any]:
    """Every rule tried, each test with the value it saw, and the decision.

    Walks all rules, not only the index's candidates, so a reader sees why a
    rule did not apply; the decision itself comes from `evaluate`.
    """
    candidates = {r.id for r in policy.candidates(facts.component, facts.key)}
    rules: list[dict[str, Any]] = []
    for rule in policy.rules:
        entry: dict[str, Any] = {
            "id": rule.id,
            "effect": rule.spec.effect,
            "reason": rule.spec.reason,
            "considered": rule.id in candidates,
        }
        try:
            entry["when"] = rule.when.trace(facts) if rule.when else None
            entry["unless"] = rule.unless.trace(facts) if rule.unless else None
            entry["matched"] = rule.matches(facts)
        except Exception as exc:  # explain must show the failure, not raise it
            entry["matched"] = None
            entry["error"] = str(exc)
        rules.append(entry)
    decision = evaluate(policy, facts)
    return {
        "state": policy.state,
        "title": policy.title,
        "version": policy.version,
        "source": policy.source,
        "combine": policy.combine,
        "default": policy.default.effect,
        "enforced_at": policy.enforced_at,
        "request": facts.as_dict(),
        "rules": rules,
        "decision": decision.as_dict(),
    }
