"""The report in plain words: the paragraph an official reads first, and the
number formats every renderer shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from switch.reports._model import DEFAULT_RULE, PLACEHOLDERS, STATE_OR_LOCAL, Group, Tally

if TYPE_CHECKING:
    from switch.reports._model import Report

# Components named one by one before the rest are counted together.
NAMED_COMPONENTS = 6


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def percent(part: int, whole: int) -> str:
    """Whole percentages that never round a remainder away: a part that is
    not the whole never reads as 100%, a part above nothing never as 0%."""
    if whole <= 0:
        return "0%"
    share = 100 * part / whole
    if 0 < share < 1:
        return "under 1%"
    if 99 < share < 100:
        return "over 99%"
    return f"{share:.0f}%"


def and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def rule_words(rule: str) -> str:
    return "the state's default" if rule == DEFAULT_RULE else f"rule {rule}"


def fate(tally: Tally) -> tuple[str, bool]:
    """What became of a group's queries, and whether the words hold no counts
    (so groups that share them can be named together)."""
    unanswered = tally.permitted - tally.answered
    rules = sorted(tally.denied_by, key=lambda r: (-tally.denied_by[r], r))
    if tally.denied == tally.queries:
        if len(rules) == 1:
            return f"all refused under {rule_words(rules[0])}", True
        return f"all refused, under {and_list([rule_words(r) for r in rules])}", True
    if tally.answered == tally.queries:
        return "all answered", True
    parts = []
    if tally.answered:
        parts.append(f"{tally.answered:,} answered")
    if tally.denied:
        under = f" under {rule_words(rules[0])}" if len(rules) == 1 else ""
        parts.append(f"{tally.denied:,} refused{under}")
    if unanswered:
        parts.append(f"{unanswered:,} not answered by the DMV")
    return and_list(parts), False


def _opening(report: Report) -> str:
    t = report.totals
    queries = plural(t.queries, "query", "queries")
    verb = "was" if t.queries == 1 else "were"
    parts = [f"{percent(t.answered, t.queries)} {verb} answered"]
    if t.denied:
        parts.append(f"{percent(t.denied, t.queries)} refused under the state's rules")
    unanswered = t.permitted - t.answered
    if unanswered:
        parts.append(f"{percent(unanswered, t.queries)} got no answer from the DMV")
    return f"In this period, {queries} asked for {report.state_name}'s data; {and_list(parts)}."


def _federal(components: list[Group]) -> list[str]:
    # Components whose queries met the same end are named together, in the
    # order of the largest: "ICE-ERO and ICE-HSI made 321, all refused ...".
    clusters: list[tuple[str, list[Group]]] = []
    shared: dict[str, list[Group]] = {}
    for group in components:
        words, countless = fate(group.tally)
        if countless and words in shared:
            shared[words].append(group)
            continue
        clusters.append((words, [group]))
        if countless:
            shared[words] = clusters[-1][1]
    sentences = []
    for words, groups in clusters[:NAMED_COMPONENTS]:
        made = sum(g.tally.queries for g in groups)
        sentences.append(f"{and_list([g.name for g in groups])} made {made:,}, {words}.")
    rest = [g for _, groups in clusters[NAMED_COMPONENTS:] for g in groups]
    if rest:
        made = sum(g.tally.queries for g in rest)
        others = plural(len(rest), "other federal component", "other federal components")
        sentences.append(f"{others} made {made:,}.")
    return sentences


def summarise(report: Report) -> list[str]:
    """Sentences naming the period's totals, each federal component and what
    became of its queries, then state and local agencies, the candidate
    policy and the notices owed."""
    if report.totals.queries == 0:
        return [f"In this period, no queries asked for {report.state_name}'s data."]
    sentences = [_opening(report)]
    components = report.breakdown("by_component")
    federal = [g for g in components if g.name not in PLACEHOLDERS]
    sentences += _federal(federal)
    for group in components:
        if group.name == STATE_OR_LOCAL:
            words, _ = fate(group.tally)
            sentences.append(f"State and local agencies made {group.tally.queries:,}, {words}.")
    outside = [g for g in report.breakdown("by_locality") if g.name == "out-of-state"]
    if outside:
        made = outside[0].tally.queries
        sentences.append(
            f"Agencies outside {report.state_name} made {made:,} "
            f"({percent(made, report.totals.queries)} of all queries)."
        )
    sentences += _where(report)
    sentences += _shadow(report)
    sentences += _notices(report)
    sentences += _access(report)
    return sentences


# Where a refusal happened, as a reader says it, and as a table's row.
REFUSAL_WORDS = {"nlets": "Nlets", "state-switch": "the state's switch", "dmv": "the DMV"}


def _where(report: Report) -> list[str]:
    """Where the refusals happened, when not all at Nlets (where they
    happened before a state could say otherwise)."""
    placed = {p: n for p, n in report.refused_at.items() if n}
    if set(placed) <= {"nlets"}:
        return []
    words = {**REFUSAL_WORDS, "state-switch": f"{report.state_name}'s own switch"}
    total = plural(sum(placed.values()), "refusal", "refusals")
    if len(placed) == 1:
        (place,) = placed
        return [f"All {total} happened at {words[place]}, not at Nlets."]
    parts = [f"{n:,} at {words[p]}" for p, n in placed.items()]
    return [f"Of the {total}, {and_list(parts)}."]


def _access(report: Report) -> list[str]:
    done = sum(c.done for c in report.access_changes)
    refused = sum(c.refused for c in report.access_changes)
    if not done and not refused:
        return []
    tried = f"; {plural(refused, 'attempt was', 'attempts were')} refused" if refused else ""
    return [f"Admins made {plural(done, 'change', 'changes')} to its access{tried}."]


def _shadow(report: Report) -> list[str]:
    if not report.shadow.disagreements:
        return []
    tightened = sum(
        c.count for c in report.shadow.changes if (c.enforced, c.candidate) == ("permit", "deny")
    )
    loosened = sum(
        c.count for c in report.shadow.changes if (c.enforced, c.candidate) == ("deny", "permit")
    )
    parts = []
    if tightened:
        parts.append(f"refused {tightened:,} that were permitted")
    if loosened:
        parts.append(f"permitted {loosened:,} that were refused")
    detail = f": it would have {and_list(parts)}" if parts else ""
    n = report.shadow.disagreements
    return [
        f"The candidate policy under test would have decided "
        f"{plural(n, 'query', 'queries')} differently{detail}."
    ]


def _notices(report: Report) -> list[str]:
    owed = report.notices
    if not owed.total:
        return []
    are = "is" if owed.total == 1 else "are"
    if owed.overdue == 0:
        late = "none is overdue"
    elif owed.overdue == 1:
        late = "1 is past its due date unsent"
    else:
        late = f"{owed.overdue:,} are past their due date unsent"
    return [
        f"{plural(owed.total, 'notice', 'notices')} {are} owed to people whose records were "
        f"released; {owed.sent:,} sent, {late}."
    ]


def period_words(report: Report) -> str:
    """The period as asked for, then the span of queries actually found."""
    since, until = report.period.since, report.period.until
    if since and until:
        asked = f"From {since} to {until} (UTC)"
    elif since:
        asked = f"From {since} (UTC) on"
    elif until:
        asked = f"Up to {until} (UTC)"
    else:
        asked = "Everything recorded"
    if report.first_query is None or report.last_query is None:
        return f"{asked}; no queries found."
    first = report.first_query.strftime("%Y-%m-%d %H:%M")
    last = report.last_query.strftime("%Y-%m-%d %H:%M")
    return f"{asked}; queries found from {first} to {last} UTC."
