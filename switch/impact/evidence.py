"""A replay's summary, as kept with a candidate and with the version it is
promoted to: what the candidate would have tightened (permit -> deny) and
loosened (deny -> permit) in the recorded traffic, by requester component
and by reason (the candidate's deciding rule and that rule's reason text).

Pure: a ReplayReport in, plain JSON-ready data out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from switch.impact.replay_report import ReplayReport, TransitionKind
from switch.policy.compiler import CompiledPolicy

# The label a replay gives a decision no rule made (switch.impact.replay).
DEFAULT_RULE = "(default)"
DEFAULT_REASON = "the policy's default"

_KINDS: tuple[tuple[str, TransitionKind], ...] = (("tightened", "tighten"), ("loosened", "loosen"))


def rule_reasons(policy: CompiledPolicy) -> dict[str, str | None]:
    """Each rule id of a policy and its reason text (None when it gives none)."""
    return {rule.id: rule.spec.reason for rule in policy.rules}


def _moment(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _ranked(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def summarize(
    report: ReplayReport, state: str, version: str, reasons: Mapping[str, str | None]
) -> dict[str, Any]:
    """One state's replay against one candidate version, summarised."""
    summary: dict[str, Any] = {
        "state": state,
        "version": version,
        "since": _moment(report.since),
        "until": _moment(report.until),
        "records": report.records,
        "replayed": report.replayed,
        "unreplayable": report.unreplayable.count,
    }
    for name, kind in _KINDS:
        by_component: Counter[str] = Counter()
        by_rule: Counter[str] = Counter()
        for transition in report.of_kind(kind):
            by_component.update(transition.by_component)
            by_rule.update(transition.by_rule)
        summary[name] = sum(t.count for t in report.of_kind(kind))
        summary[f"{name}_by_component"] = _ranked(by_component)
        summary[f"{name}_by_reason"] = [
            {
                "rule": rule,
                "reason": DEFAULT_REASON if rule == DEFAULT_RULE else reasons.get(rule),
                "count": count,
            }
            for rule, count in _ranked(by_rule).items()
        ]
    return summary
