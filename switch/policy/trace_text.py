"""An explain trace as text a person reads top to bottom."""

from __future__ import annotations

from typing import Any

from switch.directory.jurisdictions import state_switch_name
from switch.policy.decision import obligation_words

# Where a denial is refused (the policy's `enforced_at`), and who answers.
REFUSED_AT = {
    "nlets": "Nlets (ER .02. from NL0000000)",
    "state-switch": "{state}'s own switch, {switch} (ER .02. from its control terminal)",
    "dmv": "the DMV (its own answer, no record)",
}


def _node_lines(node: dict[str, Any], depth: int) -> list[str]:
    pad = "    " * depth
    mark = "✓" if node.get("result") else "✗"
    if node.get("test") == "subject.refused_to":
        return [f"{pad}{mark} subject.refused_to {_refusal_test(node)}"]
    if "test" in node:
        expected = node["expected"]
        relation = "in" if isinstance(expected, list) else "=="
        return [f"{pad}{mark} {node['test']} {relation} {expected!r} (saw {node['actual']!r})"]
    lines = [f"{pad}{mark} {node['op']}:"]
    for child in node.get("children", []):
        lines.extend(_node_lines(child, depth + 1))
    return lines


def _refusal_test(node: dict[str, Any]) -> str:
    """The window asked for, and the refusal that matched, in words."""
    expected = node["expected"]
    components = expected["component"]
    named = ", ".join(components) if isinstance(components, list) else components
    asked = f"{named} within {expected['within_hours']:g}h"
    found = node["actual"]
    if not found:
        return f"{asked} (no such refusal)"
    return (
        f"{asked} (refused: message {found['message_id']} at {found['at']}"
        f" to {found['requester_ori']}, {found['component']})"
    )


def format_trace(trace: dict[str, Any]) -> str:
    decision = trace["decision"]
    lines = [
        f"{trace['state']} policy {trace['version']} ({trace.get('combine', '-')}, "
        f"default {trace.get('default', 'permit')})",
        "request: "
        + ", ".join(
            f"{k}={v}"
            for k, v in trace["request"].items()
            if v not in (None, [], False) and k != "subject.refusals"
        ),
    ]
    warrant = trace.get("warrant")
    if warrant:
        # Why a cited warrant is worth what it is: the line a reader checks
        # first when a warrant rule did not match.
        lines.append(f"warrant: counts as {warrant['level']}: {warrant['reason']}")
    for rule in trace["rules"]:
        if rule.get("error"):
            verdict = f"ERROR: {rule['error']}"
        elif rule["matched"]:
            verdict = "MATCHED"
        else:
            verdict = "did not match"
        skipped = "" if rule["considered"] else " [index: cannot apply]"
        lines.append(f"  rule {rule['id']} ({rule['effect']}): {verdict}{skipped}")
        if rule.get("when"):
            lines.append("    when:")
            lines.extend(_node_lines(rule["when"], 2))
        if rule.get("unless"):
            lines.append("    unless:")
            lines.extend(_node_lines(rule["unless"], 2))
    deciding = ", ".join(decision["rules"]) or "(default)"
    lines.append(f"decision: {decision['effect'].upper()} by {deciding}: {decision['reason']}")
    if decision["redact"]:
        lines.append(f"  redact: {', '.join(decision['redact'])}")
    if decision["obligations"]:
        said = "; ".join(obligation_words(o) for o in decision["obligations"])
        lines.append(f"  obligations: {said}")
    if decision["errors"]:
        lines.append(f"  errors: {'; '.join(decision['errors'])}")
    if decision["effect"] == "deny":
        where = REFUSED_AT[decision.get("enforced_at") or "nlets"]
        state = trace["state"]
        lines.append(f"  refused at: {where.format(state=state, switch=state_switch_name(state))}")
    return "\n".join(lines)
