"""A diff as text a person reads: loosenings first and loud."""

from __future__ import annotations

from rich.text import Text

from switch.impact.diff import Change, DiffReport, StateDiff
from switch.impact.diff_collapse import describe, is_full

LOUD = "bold red"
# Shown even when they cover every value: a reader wants to see "any key".
_ALWAYS = ("requester", "in_state", "key", "warrant")
_TAGS = {"loosen": "!! LOOSEN", "tighten": "tighten", "terms": "terms"}


def describe_classes(change: Change, diff: StateDiff) -> str:
    parts = []
    for name, values in change.classes_by.items():
        domain = diff.domains[name]
        if name in _ALWAYS or not is_full(values, domain):
            parts.append(describe(name, values, domain))
    return " · ".join(parts)


def change_line(change: Change, diff: StateDiff) -> Text:
    tag = "!! terms" if change.drops else _TAGS[change.kind]
    loud = change.kind == "loosen" or change.drops
    what = (
        f"{describe_classes(change, diff)}: "
        f"{change.old.label} ({change.old_by}) → {change.new.label} ({change.new_by})"
        f"  [{change.classes} classes]"
    )
    return Text.assemble("  ", (f"{tag:<9}", LOUD if loud else "bold"), " ", what)


def summary(counts: dict[str, int]) -> Text:
    text = Text(f"{counts['changed']} of {counts['classes']} request classes change: ")
    loosened = f"{counts['loosened']} loosen (deny → permit)"
    text.append(loosened, LOUD if counts["loosened"] else None)
    text.append(f", {counts['tightened']} tighten (permit → deny)")
    text.append(f", {counts['terms']} change terms only")
    if counts["terms_dropped"]:
        text.append(
            f" ({counts['terms_dropped']} give up a redaction or obligation)",
            LOUD,
        )
    return text


def render_state(diff: StateDiff) -> list[Text]:
    lines = [Text.assemble((diff.state, "bold"), f"  {diff.old.label} → {diff.new.label}")]
    if diff.note:
        lines.append(Text(f"  {diff.note}", "yellow"))
    lines.append(Text.assemble("  ", summary(diff.counts())))
    lines.extend(change_line(change, diff) for change in diff.changes)
    return lines


def render_diff(report: DiffReport) -> list[Text]:
    """One block per state that changes; the unchanged ones named on a line."""
    lines: list[Text] = []
    unchanged = [s for s in report.states if not s.changes]
    loosening = [s.state for s in report.states if s.loosened or s.terms_dropped]
    if loosening and len(report.states) > 1:
        lines.append(Text(f"!! LOOSENS in {', '.join(loosening)} (shown first)", LOUD))
        lines.append(Text(""))
    # Loosening states first, each in state order.
    for diff in sorted(report.states, key=lambda s: s.state not in loosening):
        if diff.changes or len(report.states) == 1:
            lines.extend(render_state(diff))
            lines.append(Text(""))
    if unchanged and len(report.states) > 1:
        one_sided = [s.state for s in unchanged if s.note]
        lines.append(Text(f"unchanged ({len(unchanged)}): {', '.join(s.state for s in unchanged)}"))
        if one_sided:
            lines.append(
                Text(f"  of which present on one side only: {', '.join(one_sided)}", "yellow")
            )
    if len(report.states) > 1:
        totals = report.totals()
        head = f"{totals['states']} states compared, {totals['states_changed']} change; "
        lines.append(Text.assemble(head, summary(totals)))
    while lines and not lines[-1].plain:
        lines.pop()
    return lines
