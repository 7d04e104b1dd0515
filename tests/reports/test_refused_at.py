"""Reports count refusals by where they happened: Nlets, the state's own
switch or the DMV (outcomes' `refused_by`); a deny recorded before outcomes
said so (NULL) was refused at Nlets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, update

from switch.db.database import migrate, open_engine
from switch.db.schema import audit_outcomes
from switch.reports import build_report, parse_period, render
from tests.reports.audit import NOW, directory, seed


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    seed(engine)
    yield engine
    engine.dispose()


def _place(engine: Engine, message_ids: list[str], place: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(audit_outcomes)
            .where(audit_outcomes.c.message_id.in_(message_ids))
            .values(refused_by=place)
        )


def _denied_ids(engine: Engine, state: str) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            audit_outcomes.select()
            .where(audit_outcomes.c.state == state, audit_outcomes.c.decision == "deny")
            .order_by(audit_outcomes.c.seq)
        ).all()
    return [row.message_id for row in rows]


def test_an_audit_from_before_counts_every_refusal_at_nlets(engine: Engine) -> None:
    report = build_report(engine, directory(), "WA", parse_period(None, None), now=NOW)
    assert report.refused_at == {"nlets": 7, "state-switch": 0, "dmv": 0}
    assert not any("own switch" in s for s in report.summary)


def test_refusals_are_counted_where_they_happened(engine: Engine) -> None:
    denied = _denied_ids(engine, "WA")
    assert len(denied) == 7
    _place(engine, denied[:4], "state-switch")
    _place(engine, denied[4:5], "dmv")
    _place(engine, denied[5:6], "nlets")  # the 7th stays NULL: Nlets too
    # Another state's refusals are not this report's.
    _place(engine, _denied_ids(engine, "NY"), "dmv")
    report = build_report(engine, directory(), "WA", parse_period(None, None), now=NOW)
    assert report.refused_at == {"nlets": 2, "state-switch": 4, "dmv": 1}
    assert sum(report.refused_at.values()) == report.totals.denied
    assert report.as_dict()["refused_at"] == {"nlets": 2, "state-switch": 4, "dmv": 1}
    assert "Of the 7 refusals, 2 at Nlets, 4 at Washington's own switch and 1 at the DMV." in (
        report.summary
    )
    csv = render(report, "csv")
    assert "totals,refused_at,state-switch,denied,4" in csv
    table = render(report, "table")
    assert "Refused at: the state's switch" in table


def test_all_at_the_state_switch_is_said_so(engine: Engine) -> None:
    _place(engine, _denied_ids(engine, "WA"), "state-switch")
    report = build_report(engine, directory(), "WA", parse_period(None, None), now=NOW)
    assert report.refused_at == {"nlets": 0, "state-switch": 7, "dmv": 0}
    assert "All 7 refusals happened at Washington's own switch, not at Nlets." in report.summary
    ny = build_report(engine, directory(), "NY", parse_period(None, None), now=NOW)
    assert ny.refused_at == {"nlets": 2, "state-switch": 0, "dmv": 0}
