"""From grouped counts to a report: who each ORI is, sums per breakdown,
the timeline's buckets."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from switch.directory import AGENCY_TYPES, JURISDICTIONS, Agency, Directory
from switch.reports._model import (
    ACT_LABELS,
    DEFAULT_RULE,
    NOT_IN_DIRECTORY,
    NOT_RECORDED,
    STATE_OR_LOCAL,
    STATUSES,
    AccessChange,
    Breakdown,
    Bucket,
    Group,
    Notices,
    PolicyVersion,
    Redactions,
    Report,
    RuleCount,
    Shadow,
    ShadowChange,
    Tally,
    Timeline,
    TimePoint,
    TopAgency,
)
from switch.reports._period import Period, check_state
from switch.reports._proxies import build_section
from switch.reports._queries import Aggregates, RequestCount, SenderCount, fetch
from switch.reports._summary import summarise

TOP_AGENCIES = 10
# Longest period counted per day, then per week; beyond, per month.
DAILY_UP_TO = timedelta(days=92)
WEEKLY_UP_TO = timedelta(days=3 * 366)
# A requested bound far outside the recorded history would only add empty buckets.
_SLACK = timedelta(days=366)

KEY_LABELS = {
    "DQ": "licence by number or name and birth date",
    "DNQ": "licence by name only",
    "RQ": "registration by plate or VIN",
    "RNQ": "registration by owner name",
    "KQ": "driver history",
}
REASON_LABELS = {
    "N": "narcotics",
    "F": "fraud",
    "V": "violent crime",
    "T": "traffic",
    "S": "theft",
    "H": "humanitarian",
    "none": "no reason given",
}


def build_report(
    engine: Engine,
    directory: Directory,
    state: str,
    period: Period | None = None,
    *,
    now: datetime | None = None,
) -> Report:
    """The transparency report on who asked for `state`'s data in `period`."""
    state = check_state(state)
    period = period or Period()
    now = now or datetime.now(UTC)
    counts = fetch(engine, state, period, now.date())
    report = Report(
        state=state,
        state_name=JURISDICTIONS[state],
        period=period,
        generated_at=now,
        first_query=_earliest(c.first for c in counts.senders),
        last_query=_latest(c.last for c in counts.senders),
        totals=Tally(),
        statuses=dict.fromkeys(STATUSES, 0),
        breakdowns=_requester_breakdowns(counts.senders, directory, state)
        + _request_breakdowns(counts.requests),
        denials_by_rule=_denials(counts.senders),
        redactions=_redactions(counts),
        notices=_notices(counts, now.date()),
        shadow=_shadow(counts),
        top_agencies=_top_agencies(counts.senders, directory),
        timeline=_timeline(counts, period),
        access_changes=_access_changes(counts),
        policy_versions=[_policy_version(row) for row in counts.versions],
        proxies=build_section(engine, directory, state, period),
    )
    for place, count in counts.refused_at:
        report.refused_at[place] = report.refused_at.get(place, 0) + count
    for row in counts.senders:
        report.totals.add(row.decision, row.status, row.rule, row.count)
        report.statuses[row.status] = report.statuses.get(row.status, 0) + row.count
    report.summary = summarise(report)
    return report


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    return min((_utc(m) for m in moments if m is not None), default=None)


def _latest(moments: Iterable[datetime | None]) -> datetime | None:
    return max((_utc(m) for m in moments if m is not None), default=None)


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for what was stored as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _grouped(
    rows: Iterable[tuple[str, str, str, str, str | None, int]],
) -> list[Group]:
    """(name, label, decision, status, rule, count) rows summed per name,
    largest first."""
    groups: dict[str, Group] = {}
    for name, label, decision, status, rule, count in rows:
        group = groups.get(name)
        if group is None:
            group = groups[name] = Group(name, label)
        group.tally.add(decision, status, rule, count)
    return sorted(groups.values(), key=lambda g: (-g.tally.queries, g.name))


Classifier = Callable[[str | None, Agency | None], tuple[str, str]]


def _department(ori: str | None, agency: Agency | None) -> tuple[str, str]:
    if agency is None:
        return _unknown(ori)
    if agency.department is None:
        return STATE_OR_LOCAL, STATE_OR_LOCAL
    return agency.department, agency.department


def _component(ori: str | None, agency: Agency | None) -> tuple[str, str]:
    if agency is None:
        return _unknown(ori)
    if agency.component is None:
        return STATE_OR_LOCAL, STATE_OR_LOCAL
    return agency.component, agency.component


def _type(ori: str | None, agency: Agency | None) -> tuple[str, str]:
    if agency is None:
        return _unknown(ori)
    return agency.type, AGENCY_TYPES.get(agency.type, agency.type)


def _requester_state(ori: str | None, agency: Agency | None) -> str | None:
    if agency is not None:
        return agency.state
    # INVARIANT: an ORI's first two characters are its state.
    return ori[:2].upper() if ori else None


def _unknown(ori: str | None) -> tuple[str, str]:
    label = NOT_IN_DIRECTORY if ori else NOT_RECORDED
    return label, label


def _requester_breakdowns(
    senders: list[SenderCount], directory: Directory, state: str
) -> list[Breakdown]:
    agencies = {row.sender_ori: _lookup(directory, row.sender_ori) for row in senders}

    def by(classify: Classifier) -> list[Group]:
        return _grouped(
            (*classify(r.sender_ori, agencies[r.sender_ori]), r.decision, r.status, r.rule, r.count)
            for r in senders
        )

    def home(ori: str | None, agency: Agency | None) -> tuple[str, str]:
        code = _requester_state(ori, agency)
        if code is None:
            return NOT_RECORDED, NOT_RECORDED
        return code, JURISDICTIONS.get(code, code)

    def locality(ori: str | None, agency: Agency | None) -> tuple[str, str]:
        code = _requester_state(ori, agency)
        if code is None:
            return NOT_RECORDED, NOT_RECORDED
        if code == state:
            return "in-state", f"agencies in {JURISDICTIONS[state]}"
        return "out-of-state", f"agencies outside {JURISDICTIONS[state]}"

    return [
        Breakdown("by_department", "By requesting department", by(_department)),
        Breakdown("by_component", "By requesting component", by(_component)),
        Breakdown("by_type", "By agency type", by(_type)),
        Breakdown("by_requester_state", "By requester's state", by(home)),
        Breakdown("by_locality", "In-state and out-of-state", by(locality)),
    ]


def _lookup(directory: Directory, ori: str | None) -> Agency | None:
    return directory.get(ori) if ori else None


def _request_breakdowns(requests: list[RequestCount]) -> list[Breakdown]:
    def key(row: RequestCount) -> tuple[str, str]:
        if row.message_key is None:
            return NOT_RECORDED, NOT_RECORDED
        return row.message_key, KEY_LABELS.get(row.message_key, row.message_key)

    def reason(row: RequestCount) -> tuple[str, str]:
        if row.message_key is None:
            return NOT_RECORDED, NOT_RECORDED
        code = row.message_reason or "none"
        return code, REASON_LABELS.get(code, code)

    return [
        Breakdown(
            "by_key",
            "By kind of query",
            _grouped((*key(r), r.decision, r.status, r.rule, r.count) for r in requests),
        ),
        Breakdown(
            "by_reason",
            "By stated reason",
            _grouped((*reason(r), r.decision, r.status, r.rule, r.count) for r in requests),
        ),
    ]


def _denials(senders: list[SenderCount]) -> list[RuleCount]:
    counts: dict[str, int] = {}
    reasons: dict[str, str | None] = {}
    for row in senders:
        if row.decision != "deny":
            continue
        rule = row.rule or DEFAULT_RULE
        counts[rule] = counts.get(rule, 0) + row.count
        reasons[rule] = reasons.get(rule) or row.reason
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [RuleCount(rule, reasons[rule], count) for rule, count in ranked]


def _redactions(counts: Aggregates) -> Redactions:
    answered = sum(r.count for r in counts.senders if r.status == "answered")
    withheld = 0
    per_field: dict[str, int] = {}
    for stored, status, count in counts.redactions:
        if status != "answered":
            continue
        withheld += count
        for name in filter(None, (f.strip() for f in stored.split(","))):
            per_field[name] = per_field.get(name, 0) + count
    ranked = sorted(per_field.items(), key=lambda kv: (-kv[1], kv[0]))
    return Redactions(answered=answered, withheld=withheld, fields=ranked)


def _notices(counts: Aggregates, today: date) -> Notices:
    total, overdue, next_due, sent = counts.notices
    return Notices(
        total=total,
        due=total - overdue - sent,
        overdue=overdue,
        sent=sent,
        next_due=next_due,
        as_of=today,
    )


def _shadow(counts: Aggregates) -> Shadow:
    compared = sum(count for *_, count in counts.shadow)
    changes = [
        ShadowChange(enforced, candidate, version or "(unknown)", count)
        for enforced, candidate, version, count in counts.shadow
        if candidate != enforced
    ]
    changes.sort(key=lambda c: (-c.count, c.enforced, c.candidate, c.candidate_version))
    return Shadow(compared=compared, changes=changes)


def _policy_version(row: Any) -> PolicyVersion:
    evidence = json.loads(row.evidence) if row.evidence else {}
    return PolicyVersion(
        time=_utc(row.changed_at),
        version=row.version,
        origin=row.origin or "put",
        candidate=bool(row.candidate),
        author=row.author or (f"key:{row.changed_by}" if row.changed_by else None),
        comment=row.comment,
        tightened=evidence.get("tightened"),
        loosened=evidence.get("loosened"),
        approved_by=row.approved_by,
    )


def _access_changes(counts: Aggregates) -> list[AccessChange]:
    done: dict[str, int] = {}
    refused: dict[str, int] = {}
    for act, outcome, count in counts.acts:
        into = done if outcome == "done" else refused
        into[act] = into.get(act, 0) + count
    order = {act: n for n, act in enumerate(ACT_LABELS)}
    acts = sorted(set(done) | set(refused), key=lambda a: (order.get(a, len(order)), a))
    return [
        AccessChange(act, ACT_LABELS.get(act, act), done.get(act, 0), refused.get(act, 0))
        for act in acts
    ]


def _top_agencies(senders: list[SenderCount], directory: Directory) -> list[TopAgency]:
    agencies: dict[str, TopAgency] = {}
    for row in senders:
        ori = row.sender_ori or NOT_RECORDED
        top = agencies.get(ori)
        if top is None:
            agency = _lookup(directory, row.sender_ori)
            name = agency.name if agency else NOT_IN_DIRECTORY if row.sender_ori else ""
            top = agencies[ori] = TopAgency(
                ori, name, _requester_state(row.sender_ori, agency) or ""
            )
        top.tally.add(row.decision, row.status, row.rule, row.count)
    ranked = sorted(agencies.values(), key=lambda a: (-a.tally.queries, a.ori))
    return ranked[:TOP_AGENCIES]


def _timeline(counts: Aggregates, period: Period) -> Timeline:
    dated = [(day, p, d) for day, p, d in counts.days if day is not None]
    undated = sum(p + d for day, p, d in counts.days if day is None)
    if not dated:
        return Timeline("day", [], undated)
    first, last = dated[0][0], dated[-1][0]
    start = first if period.start is None else max(period.start.date(), first - _SLACK)
    end_at = period.last
    end = last if end_at is None else min(end_at.date(), last + _SLACK)
    start, end = min(start, first), max(end, last)
    span = end - start
    bucket: Bucket = "day" if span <= DAILY_UP_TO else "week" if span <= WEEKLY_UP_TO else "month"
    sums: dict[date, list[int]] = {}
    for day, permitted, denied in dated:
        slot = sums.setdefault(_bucket_start(day, bucket), [0, 0])
        slot[0] += permitted
        slot[1] += denied
    points = []
    at = _bucket_start(start, bucket)
    while at <= end:
        permitted, denied = sums.get(at, (0, 0))
        points.append(TimePoint(at, permitted, denied))
        at = _next_bucket(at, bucket)
    return Timeline(bucket, points, undated)


def _bucket_start(day: date, bucket: Bucket) -> date:
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def _next_bucket(start: date, bucket: Bucket) -> date:
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
