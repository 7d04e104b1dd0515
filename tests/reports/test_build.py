"""The report's numbers against a hand-built audit, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, insert

import switch.reports._queries as queries
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_outcomes
from switch.notices import list_notices, mark_sent
from switch.reports import Group, Report, ReportError, build_report, parse_period
from tests.reports.audit import CANDIDATE, NOW, directory, seed


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    seed(engine)
    yield engine
    engine.dispose()


def wa(engine: Engine, since: str | None = None, until: str | None = None) -> Report:
    return build_report(engine, directory(), "WA", parse_period(since, until), now=NOW)


def counts(groups: list[Group]) -> list[tuple[str, int, int, int, int]]:
    """(name, queries, permitted, denied, answered) per group, in report order."""
    return [
        (g.name, g.tally.queries, g.tally.permitted, g.tally.denied, g.tally.answered)
        for g in groups
    ]


def test_totals_and_statuses(engine: Engine) -> None:
    report = wa(engine)
    t = report.totals
    assert (t.queries, t.permitted, t.denied, t.answered) == (24, 17, 7, 14)
    assert t.denied_by == {"wa-no-ice": 5, "(default)": 1, "wa-unknown": 1}
    assert report.statuses == {
        "answered": 14,
        "rejected": 7,
        "no_response": 1,
        "out_of_service": 1,
        "fault": 1,
    }
    assert report.first_query == datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    assert report.last_query == datetime(2025, 3, 12, 23, 59, 59, tzinfo=UTC)


EXPECTED_BREAKDOWNS = {
    "by_department": [
        ("(state or local)", 13, 12, 1, 10),
        ("DHS", 8, 3, 5, 3),
        ("DOJ", 2, 2, 0, 1),
        ("(not in directory)", 1, 0, 1, 0),
    ],
    "by_component": [
        ("(state or local)", 13, 12, 1, 10),
        ("CBP", 3, 3, 0, 3),
        ("ICE-ERO", 3, 0, 3, 0),
        ("FBI", 2, 2, 0, 1),
        ("ICE-HSI", 2, 0, 2, 0),
        ("(not in directory)", 1, 0, 1, 0),
    ],
    "by_type": [
        ("FE", 10, 5, 5, 4),
        ("PD", 9, 8, 1, 7),
        ("SO", 3, 3, 0, 2),
        ("(not in directory)", 1, 0, 1, 0),
        ("LE", 1, 1, 0, 1),
    ],
    "by_requester_state": [
        ("WA", 10, 10, 0, 8),
        ("AZ", 5, 3, 2, 3),
        ("NY", 3, 2, 1, 2),
        ("VT", 3, 0, 3, 0),
        ("AL", 2, 2, 0, 1),
        ("TX", 1, 0, 1, 0),
    ],
    "by_locality": [("out-of-state", 14, 7, 7, 6), ("in-state", 10, 10, 0, 8)],
    "by_key": [
        ("DQ", 18, 14, 4, 11),
        ("KQ", 3, 2, 1, 2),
        ("RQ", 2, 1, 1, 1),
        ("DNQ", 1, 0, 1, 0),
    ],
    "by_reason": [
        ("none", 13, 8, 5, 6),
        ("T", 5, 5, 0, 5),
        ("N", 2, 0, 2, 0),
        ("S", 2, 2, 0, 2),
        ("V", 2, 2, 0, 1),
    ],
}


@pytest.mark.parametrize("key", sorted(EXPECTED_BREAKDOWNS))
def test_breakdowns(engine: Engine, key: str) -> None:
    assert counts(wa(engine).breakdown(key)) == EXPECTED_BREAKDOWNS[key]


def test_breakdowns_say_which_rule_refused_whom(engine: Engine) -> None:
    report = wa(engine)
    components = {g.name: g for g in report.breakdown("by_component")}
    assert components["ICE-ERO"].tally.denied_by == {"wa-no-ice": 3}
    assert components["ICE-HSI"].tally.denied_by == {"wa-no-ice": 2}
    assert components["CBP"].tally.denied_by == {}
    types = {g.name: g.label for g in report.breakdown("by_type")}
    assert types["FE"] == "federal" and types["PD"] == "police"


def test_denials_by_rule(engine: Engine) -> None:
    rules = [(r.rule, r.reason, r.count) for r in wa(engine).denials_by_rule]
    assert rules == [
        ("wa-no-ice", "Keep Washington Working", 5),
        ("(default)", None, 1),
        ("wa-unknown", "requester not in the directory", 1),
    ]


def test_redactions_count_answers_only(engine: Engine) -> None:
    # The no_response outcome under an ADR redaction withheld nothing from anyone.
    r = wa(engine).redactions
    assert (r.answered, r.withheld) == (14, 6)
    assert r.fields == [("ADR", 6), ("SSN", 1)]


def test_notices_due_and_overdue(engine: Engine) -> None:
    owed = wa(engine).notices
    assert (owed.total, owed.sent, owed.due, owed.overdue) == (3, 0, 2, 1)
    assert owed.next_due == "2025-03-13"
    assert owed.as_of == date(2025, 3, 13)


def test_a_sent_notice_is_neither_due_nor_overdue(engine: Engine) -> None:
    listed = {n["due_date"]: n["seq"] for n in list_notices(engine, state="WA")}
    overdue = listed[min(listed)]  # the one past its date
    assert mark_sent(engine, [overdue], state="NY") == 0  # another state's reach
    assert mark_sent(engine, [overdue], state="WA") == 1
    assert mark_sent(engine, [overdue]) == 0  # already sent
    owed = wa(engine).notices
    assert (owed.total, owed.sent, owed.due, owed.overdue) == (3, 1, 2, 0)


def test_shadow_disagreements(engine: Engine) -> None:
    shadow = wa(engine).shadow
    assert shadow.compared == 7
    assert shadow.disagreements == 3
    assert [(c.enforced, c.candidate, c.candidate_version, c.count) for c in shadow.changes] == [
        ("permit", "deny", CANDIDATE, 2),
        ("deny", "permit", CANDIDATE, 1),
    ]


def test_top_agencies(engine: Engine) -> None:
    top = [
        (a.ori, a.state, a.tally.queries, a.tally.permitted, a.tally.denied)
        for a in wa(engine).top_agencies
    ]
    assert top == [
        ("WA0170100", "WA", 6, 6, 0),
        ("AZCBP0100", "AZ", 3, 3, 0),
        ("NY0140100", "NY", 3, 2, 1),
        ("VTICE0900", "VT", 3, 0, 3),
        ("WA0170000", "WA", 3, 3, 0),
        ("ALFBI0100", "AL", 2, 2, 0),
        ("AZHSI0100", "AZ", 2, 0, 2),
        ("TX9999999", "TX", 1, 0, 1),
        ("WA9990000", "WA", 1, 1, 0),
    ]
    names = {a.ori: a.name for a in wa(engine).top_agencies}
    assert names["VTICE0900"] == "ICE Law Enforcement Support Center"
    assert names["TX9999999"] == "(not in directory)"


def test_timeline_per_day(engine: Engine) -> None:
    timeline = wa(engine).timeline
    assert timeline.bucket == "day"
    assert [(p.start.day, p.permitted, p.denied) for p in timeline.points] == [
        (3, 0, 2),
        (4, 0, 2),
        (5, 1, 1),
        (6, 3, 0),
        (7, 2, 0),
        (8, 2, 0),
        (9, 1, 0),
        (10, 3, 0),
        (11, 3, 1),
        (12, 2, 1),
    ]


def test_timeline_per_week_over_a_long_period(engine: Engine) -> None:
    timeline = wa(engine, "2025-01-01", "2025-06-30").timeline
    assert timeline.bucket == "week"
    # Mondays from the week holding 1 January to the week holding 30 June.
    assert timeline.points[0].start == date(2024, 12, 30)
    assert timeline.points[-1].start == date(2025, 6, 30)
    assert len(timeline.points) == 27
    busy = {p.start: p.queries for p in timeline.points if p.queries}
    assert busy == {date(2025, 3, 3): 14, date(2025, 3, 10): 10}


def test_timeline_per_month_over_years(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    rows = [
        {
            "message_id": f"m{i}",
            "destination": "WA",
            "state": "WA",
            "decision": "permit",
            "policy_version": "v1",
            "status": "answered",
            "latency_ms": 1.0,
            "received_at": moment,
            "sender_ori": "WA0170100",
            "message_key": "DQ",
        }
        for i, moment in enumerate(
            [datetime(2021, 1, 15, tzinfo=UTC), datetime(2025, 3, 3, tzinfo=UTC)]
        )
    ]
    with engine.begin() as conn:
        conn.execute(insert(audit_outcomes), rows)
    timeline = build_report(engine, directory(), "WA", now=NOW).timeline
    engine.dispose()
    assert timeline.bucket == "month"
    assert timeline.points[0].start == date(2021, 1, 1)
    assert timeline.points[-1].start == date(2025, 3, 1)
    assert len(timeline.points) == 4 * 12 + 3
    assert sum(p.queries for p in timeline.points) == 2


def test_summary_in_plain_words(engine: Engine) -> None:
    assert wa(engine).summary == [
        "In this period, 24 queries asked for Washington's data; 58% were answered, "
        "29% refused under the state's rules and 12% got no answer from the DMV.",
        "CBP made 3, all answered.",
        "ICE-ERO and ICE-HSI made 5, all refused under rule wa-no-ice.",
        "FBI made 2, 1 answered and 1 not answered by the DMV.",
        "State and local agencies made 13, 10 answered, 1 refused under the state's default "
        "and 2 not answered by the DMV.",
        "Agencies outside Washington made 14 (58% of all queries).",
        "The candidate policy under test would have decided 3 queries differently: it would "
        "have refused 2 that were permitted and permitted 1 that were refused.",
        "3 notices are owed to people whose records were released; 0 sent, "
        "1 is past its due date unsent.",
    ]


def test_other_states_are_their_own(engine: Engine) -> None:
    ny = build_report(engine, directory(), "ny", now=NOW)
    assert ny.state == "NY"
    assert (ny.totals.queries, ny.totals.denied) == (2, 2)
    assert counts(ny.breakdown("by_component")) == [("ICE-ERO", 2, 0, 2, 0)]
    assert (ny.notices.total, ny.notices.overdue) == (1, 1)
    assert ny.summary[1] == "ICE-ERO made 2, all refused under rule ny-green-light."


def test_dates_are_inclusive_whole_days(engine: Engine) -> None:
    report = wa(engine, "2025-03-05", "2025-03-10")
    t = report.totals
    assert (t.queries, t.permitted, t.denied, t.answered) == (13, 12, 1, 11)
    assert [(p.start.day, p.queries) for p in report.timeline.points] == [
        (5, 2),
        (6, 3),
        (7, 2),
        (8, 2),
        (9, 1),
        (10, 3),
    ]
    # Notices created 5 and 10 March; the one of 12 March falls outside.
    assert report.notices.total == 2
    assert report.shadow.compared == 3


def test_times_bound_to_the_instant(engine: Engine) -> None:
    assert wa(engine, since="2025-03-12T10:00:00Z").totals.queries == 2
    assert wa(engine, since="2025-03-12T10:00:00.000001+00:00").totals.queries == 1
    # A time without a zone is UTC; the bound itself is inside.
    assert wa(engine, until="2025-03-03T09:00").totals.queries == 1
    # 09:30 in New York on 12 March (UTC-4) is 13:30 UTC: only the 23:59:59 fault is later.
    assert wa(engine, since="2025-03-12T09:30:00-04:00").totals.queries == 1


def test_an_empty_period(engine: Engine) -> None:
    report = wa(engine, "2024-01-01", "2024-12-31")
    assert report.totals.queries == 0
    assert report.timeline.points == []
    assert report.top_agencies == []
    assert report.summary == ["In this period, no queries asked for Washington's data."]


def test_scan_and_index_agree(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "SCAN_SHARE", 1_000_000)
    scanned = wa(engine, "2025-03-05", "2025-03-10").as_dict()
    monkeypatch.setattr(queries, "SCAN_SHARE", 0)
    indexed = wa(engine, "2025-03-05", "2025-03-10").as_dict()
    assert scanned == indexed
    assert scanned["totals"]["queries"] == 13


@pytest.mark.parametrize(
    ("state", "since", "until", "says"),
    [
        ("ZZ", None, None, "unknown state 'ZZ'"),
        ("", None, None, "unknown state"),
        ("WA", "yesterday", None, "since 'yesterday' is not an ISO date"),
        ("WA", None, "2025-13-01", "until '2025-13-01' is not an ISO date"),
        ("WA", "2025-03-10", "2025-03-09", "since 2025-03-10 is after until 2025-03-09"),
    ],
)
def test_bad_requests_are_refused(
    sqlite_url: str, state: str, since: str | None, until: str | None, says: str
) -> None:
    engine = open_engine(sqlite_url)
    with pytest.raises(ReportError, match=says) as caught:
        build_report(engine, directory(), state, parse_period(since, until))
    engine.dispose()
    assert caught.value.http_status == 422


def test_a_period_of_one_day() -> None:
    period = parse_period("2025-03-05", "2025-03-05")
    assert period.start == datetime(2025, 3, 5, tzinfo=UTC)
    assert period.end == datetime(2025, 3, 6, tzinfo=UTC)
