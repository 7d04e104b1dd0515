"""A transparency report as data: counts, nothing rendered yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from switch.reports._period import Period

Bucket = Literal["day", "week", "month"]

# What a query's outcome at the state can be (`audit_outcomes.status`).
STATUSES = ("answered", "rejected", "no_response", "out_of_service", "fault")
# Where a refusal can happen (a policy's `enforced_at`), in report order.
REFUSAL_PLACES = ("nlets", "state-switch", "dmv")
# A denial with no rule named was the policy's default.
DEFAULT_RULE = "(default)"
# Group names for requesters the directory cannot place. Parenthesised, so
# they never clash with a component, department or state code.
STATE_OR_LOCAL = "(state or local)"
NOT_IN_DIRECTORY = "(not in directory)"
NOT_RECORDED = "(not recorded)"
PLACEHOLDERS = frozenset({STATE_OR_LOCAL, NOT_IN_DIRECTORY, NOT_RECORDED})


@dataclass(slots=True)
class Tally:
    """Queries for the state's data and what became of them."""

    queries: int = 0
    permitted: int = 0
    denied: int = 0
    answered: int = 0
    denied_by: dict[str, int] = field(default_factory=dict)

    def add(self, decision: str, status: str, rule: str | None, count: int) -> None:
        self.queries += count
        if decision == "deny":
            self.denied += count
            name = rule or DEFAULT_RULE
            self.denied_by[name] = self.denied_by.get(name, 0) + count
        else:
            self.permitted += count
        if status == "answered":
            self.answered += count

    def merge(self, other: Tally) -> None:
        self.queries += other.queries
        self.permitted += other.permitted
        self.denied += other.denied
        self.answered += other.answered
        for rule, count in other.denied_by.items():
            self.denied_by[rule] = self.denied_by.get(rule, 0) + count

    def as_dict(self) -> dict[str, Any]:
        return {
            "queries": self.queries,
            "permitted": self.permitted,
            "denied": self.denied,
            "answered": self.answered,
            "denied_by": dict(sorted(self.denied_by.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


@dataclass(slots=True)
class Group:
    """One line of a breakdown: `name` is the value grouped on (a component,
    an ORION type code, a state), `label` what a reader calls it."""

    name: str
    label: str
    tally: Tally = field(default_factory=Tally)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, **self.tally.as_dict()}


@dataclass(frozen=True, slots=True)
class Breakdown:
    key: str
    title: str
    groups: list[Group]


@dataclass(frozen=True, slots=True)
class RuleCount:
    rule: str
    reason: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Redactions:
    """Answers sent with DR fields withheld, and how often each field was."""

    answered: int
    withheld: int
    fields: list[tuple[str, int]]


@dataclass(frozen=True, slots=True)
class Notices:
    """Notices owed to people whose records were released in the period:
    `sent`, or not sent and `due` (date not passed) or `overdue` (passed)."""

    total: int
    due: int
    overdue: int
    next_due: str | None
    as_of: date
    sent: int = 0


@dataclass(frozen=True, slots=True)
class ShadowChange:
    enforced: str
    candidate: str
    candidate_version: str
    count: int


@dataclass(frozen=True, slots=True)
class Shadow:
    """How the state's candidate policy would have decided the same queries."""

    compared: int
    changes: list[ShadowChange]

    @property
    def disagreements(self) -> int:
        return sum(change.count for change in self.changes)


# Admin acts (switch.audit.acts) in a reader's words, in the order shown.
ACT_LABELS = {
    "policy.put": "policy versions put in force or under test",
    "policy.file": "policy files recorded as versions",
    "policy.rollback": "policy versions rolled back to",
    "policy.promote": "candidates promoted on a replay's evidence",
    "policy.replay": "replays of its traffic against a candidate",
    "policy.approve": "candidates approved by a second admin",
    "policy.settings": "promotion settings changed",
    "status.out": "marked out of service (queries kept)",
    "status.remove": "put on remove status (queries not kept)",
    "status.in": "returned to service",
    "key.issue": "API keys issued to its agencies or admins",
    "key.revoke": "API keys revoked",
    "warrant.issue": "warrants issued to its agencies",
    "notices.sent": "notices marked sent",
}


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """A version of the state's policy recorded in the period; a promotion
    carries its replay's tightened and loosened counts and its approver."""

    time: datetime
    version: str
    origin: str
    candidate: bool
    author: str | None
    comment: str | None
    tightened: int | None = None
    loosened: int | None = None
    approved_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "time": self.time.isoformat(),
            "version": self.version,
            "origin": self.origin,
            "candidate": self.candidate,
            "author": self.author,
            "comment": self.comment,
            "tightened": self.tightened,
            "loosened": self.loosened,
            "approved_by": self.approved_by,
        }


@dataclass(frozen=True, slots=True)
class AccessChange:
    """Admin acts of one kind about the state: done, and refused."""

    act: str
    label: str
    done: int
    refused: int


@dataclass(slots=True)
class TopAgency:
    ori: str
    name: str
    state: str
    tally: Tally = field(default_factory=Tally)


@dataclass(frozen=True, slots=True)
class TimePoint:
    start: date
    permitted: int
    denied: int

    @property
    def queries(self) -> int:
        return self.permitted + self.denied


@dataclass(frozen=True, slots=True)
class Timeline:
    """Counts per bucket from the period's first bucket to its last, empty
    ones included; `undated` counts outcomes recorded without a time."""

    bucket: Bucket
    points: list[TimePoint]
    undated: int = 0


@dataclass(slots=True)
class Report:
    state: str
    state_name: str
    period: Period
    generated_at: datetime
    first_query: datetime | None
    last_query: datetime | None
    totals: Tally
    statuses: dict[str, int]
    breakdowns: list[Breakdown]
    denials_by_rule: list[RuleCount]
    redactions: Redactions
    notices: Notices
    shadow: Shadow
    top_agencies: list[TopAgency]
    timeline: Timeline
    summary: list[str] = field(default_factory=list)
    access_changes: list[AccessChange] = field(default_factory=list)
    policy_versions: list[PolicyVersion] = field(default_factory=list)
    proxies: Any = None  # _proxies.ProxySection: the detector's section
    # Refusals by where they happened: nlets, state-switch, dmv.
    refused_at: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REFUSAL_PLACES, 0))

    def breakdown(self, key: str) -> list[Group]:
        for found in self.breakdowns:
            if found.key == key:
                return found.groups
        raise KeyError(key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "state_name": self.state_name,
            "since": self.period.since,
            "until": self.period.until,
            "generated_at": _iso(self.generated_at),
            "first_query": _iso(self.first_query),
            "last_query": _iso(self.last_query),
            "summary": " ".join(self.summary),
            "totals": {**self.totals.as_dict(), "statuses": dict(self.statuses)},
            **{b.key: [g.as_dict() for g in b.groups] for b in self.breakdowns},
            "refused_at": dict(self.refused_at),
            "denials_by_rule": [
                {"rule": r.rule, "reason": r.reason, "count": r.count} for r in self.denials_by_rule
            ],
            "redactions": {
                "answered": self.redactions.answered,
                "withheld": self.redactions.withheld,
                "fields": [{"field": f, "answers": n} for f, n in self.redactions.fields],
            },
            "notices": {
                "total": self.notices.total,
                "due": self.notices.due,
                "overdue": self.notices.overdue,
                "next_due": self.notices.next_due,
                "as_of": self.notices.as_of.isoformat(),
                "sent": self.notices.sent,
            },
            "shadow": {
                "compared": self.shadow.compared,
                "disagreements": self.shadow.disagreements,
                "changes": [
                    {
                        "enforced": c.enforced,
                        "candidate": c.candidate,
                        "candidate_version": c.candidate_version,
                        "count": c.count,
                    }
                    for c in self.shadow.changes
                ],
            },
            "top_agencies": [
                {"ori": a.ori, "name": a.name, "state": a.state, **a.tally.as_dict()}
                for a in self.top_agencies
            ],
            "access_changes": [
                {"act": c.act, "label": c.label, "done": c.done, "refused": c.refused}
                for c in self.access_changes
            ],
            "policy_versions": [v.as_dict() for v in self.policy_versions],
            "proxies": self.proxies.as_dict() if self.proxies is not None else None,
            "timeline": {
                "bucket": self.timeline.bucket,
                "undated": self.timeline.undated,
                "points": [
                    {
                        "start": p.start.isoformat(),
                        "queries": p.queries,
                        "permitted": p.permitted,
                        "denied": p.denied,
                    }
                    for p in self.timeline.points
                ],
            },
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
