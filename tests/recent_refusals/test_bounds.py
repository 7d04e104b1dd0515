"""The index of recent refusals, in the database and in memory: the same
answers, and the same bound (the horizon, then a count with the oldest
going first), driven by a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert

from switch.audit.records import RefusalItem
from switch.db.database import migrate, open_engine
from switch.db.schema import recent_refusals
from switch.policy.refusals import Refusal
from switch.recent_refusals import RefusalIndex, RefusalMemory
from switch.recent_refusals._index import PRUNE_EVERY_ROWS, PRUNE_EVERY_SECONDS

T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = open_engine(database_url)
    migrate(made)
    yield made
    made.dispose()


def _put(engine: Engine, *items: RefusalItem) -> None:
    with engine.begin() as conn:
        conn.execute(insert(recent_refusals), [vars_of(i) for i in items])


def vars_of(item: RefusalItem) -> dict[str, object]:
    return {name: getattr(item, name) for name in RefusalItem.__dataclass_fields__}


def _item(n: int, at: datetime, subject: str = "OLN:A", state: str = "WA") -> RefusalItem:
    return RefusalItem(subject, state, at, f"m{n}", "WAICE0100", "ICE-ERO")


def test_the_table_answers_one_refusal_per_message_and_state(engine: Engine) -> None:
    index = RefusalIndex(engine)
    # One message named its subject both ways: two rows, one refusal.
    _put(
        engine,
        _item(1, T0, "OLN:A"),
        _item(1, T0, "NAM+DOB:DOE,JANE|19800102"),
        _item(2, T0 - timedelta(hours=30), "OLN:A"),
        _item(3, T0, "OLN:B"),
    )
    found = index.recent(["OLN:A", "NAM+DOB:DOE,JANE|19800102"], T0 + timedelta(hours=1), 24)
    assert found == (Refusal("m1", T0, "WA", "WAICE0100", "ICE-ERO"),)
    assert index.recent(["OLN:A"], T0 - timedelta(seconds=1), 24) == ()  # not yet refused
    assert index.recent([], T0, 24) == ()


def test_pruning_keeps_the_horizon_then_the_newest_entries(engine: Engine) -> None:
    clock = FakeClock()
    index = RefusalIndex(engine, max_entries=3, clock=clock)
    _put(engine, *(_item(n, T0 + timedelta(hours=n)) for n in range(6)))
    clock.now = T0 + timedelta(hours=30)
    # A 26h horizon at T0+30h: m0-m4 (T0..T0+4h) are past it, m4 exactly at its edge.
    assert index.prune(26) == 5
    assert [r.message_id for r in index.recent(["OLN:A"], clock.now, 100)] == ["m5"]
    _put(engine, *(_item(n, clock.now) for n in range(10, 15)))
    assert index.prune(26) == 3  # six rows, three kept: the oldest go first
    assert index.count() == 3
    kept = [r.message_id for r in index.recent(["OLN:A"], clock.now, 100)]
    assert kept == ["m12", "m13", "m14"]


def test_the_hub_prunes_after_enough_rows_or_enough_time(engine: Engine) -> None:
    clock = FakeClock()
    index = RefusalIndex(engine, max_entries=1, clock=clock)
    _put(engine, _item(1, T0), _item(2, T0))
    assert index.added(2, 24) == 1  # the first prune is due at once
    _put(engine, _item(3, T0))
    assert index.added(1, 24) == 0  # not due: too soon, too few
    assert index.count() == 2
    clock.now += timedelta(seconds=PRUNE_EVERY_SECONDS)
    assert index.added(0, 24) == 1
    _put(engine, _item(4, clock.now))
    assert index.added(PRUNE_EVERY_ROWS, 24) == 1
    assert index.count() == 1


def test_memory_keeps_the_same_bound() -> None:
    memory = RefusalMemory(24, max_entries=3)
    for n in range(5):
        memory.add(["OLN:A"], Refusal(f"m{n}", T0 + timedelta(hours=n), "WA", "O", "ICE-ERO"))
    assert len(memory) == 3
    assert [r.message_id for r in memory.recent(["OLN:A"], T0 + timedelta(hours=5), 100)] == [
        "m2",
        "m3",
        "m4",
    ]
    # A refusal a day later pushes out everything past the horizon.
    later = T0 + timedelta(hours=28, minutes=1)
    memory.add(["OLN:B"], Refusal("m9", later, "WA", "O", "ICE-ERO"))
    assert len(memory) == 1
    assert not memory.has(["OLN:A"])
    assert memory.recent(["OLN:B"], later, 24)[0].message_id == "m9"


def test_a_bound_below_one_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="at least one"):
        RefusalIndex(engine, max_entries=0)
    with pytest.raises(ValueError, match="at least one"):
        RefusalMemory(24, max_entries=0)


def test_refused_to_answers_the_rule_s_question_for_other_callers(engine: Engine) -> None:
    index = RefusalIndex(engine)
    memory = RefusalMemory(24)
    items = [_item(1, T0), _item(2, T0 + timedelta(hours=1)), _item(3, T0, state="OR")]
    _put(engine, *items)
    for item in items:
        memory.add(
            [item.subject],
            Refusal(item.message_id, item.refused_at, item.state, "WAICE0100", "ICE-ERO"),
        )
    for source in (index, memory):
        at = T0 + timedelta(hours=2)
        found = source.refused_to(["OLN:A"], "WA", ["ICE-ERO", "ICE-HSI"], at, 24)
        assert found is not None and found.message_id == "m2"  # the latest
        assert source.refused_to(["OLN:A"], "WA", ["CBP"], at, 24) is None
        assert source.refused_to(["OLN:A"], "WA", ["ICE-ERO"], at, 0.5) is None
