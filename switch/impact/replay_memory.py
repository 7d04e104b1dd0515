"""Replay of policies that remember: `subject.refused_to` answered in time order.

A rule testing `subject.refused_to` depends on what was refused before, so
its classes cannot be counted out of order. Here the recorded queries are
read in arrival order with their subject fields; a `RefusalMemory` is filled
as the candidates refuse (what the hub's index would have held had they
been in force), and each row is asked of it before it is decided, as the
hub asks its index before `decide`. A row whose subject has a refusal in
memory gets one digit per `subject.refused_to` test of its state (met or
not) added to its class; the rest are counted in classes as any replay's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from switch.impact.replay_input import ReplayError
from switch.impact.replay_source import (
    _HOUR,
    _PACKABLE,
    BATCH,
    _connect,
    _first_line,
    _reading,
    _where,
)
from switch.messages.subjects import person_keys
from switch.policy import CompiledPolicy
from switch.policy.compiler import _conditions
from switch.policy.refusals import Refusal, latest_refusal
from switch.recent_refusals import RefusalMemory, horizon_hours

if TYPE_CHECKING:
    from switch.impact.replay import _Decider

_ALWAYS = "state || '|' || coalesce(sender_ori, '') || '|' || decision"

Tests = tuple[tuple[frozenset[str], timedelta], ...]


def _tests(policy: CompiledPolicy) -> Tests:
    """The state's `subject.refused_to` tests, each once, in rule order."""
    found: dict[tuple[frozenset[str], float], None] = {}
    for rule in policy.rules:
        for c in (*_conditions(rule.spec.when), *_conditions(rule.spec.unless)):
            spec = c.subject_refused_to
            if spec is not None:
                found[spec.components, spec.within_hours] = None
    return tuple((components, timedelta(hours=h)) for components, h in found)


def _sql(dialect: str, states: list[str], since: Any, until: Any, packing: tuple[str, ...]) -> Any:
    where, params = _where(dialect, states, since, until)
    parts = [_HOUR[dialect] if name == "time" else _PACKABLE[name] for name in packing]
    packed = " || '|' || ".join([_ALWAYS, *parts])
    # The subject's fields from the message's record (one per message, by id).
    sql = (
        f"SELECT o.seq, o.packed, o.received_at, o.message_id,"
        f" (SELECT r.fields FROM audit_records r WHERE r.id = o.message_id)"
        f" FROM (SELECT seq, {packed} AS packed, received_at, message_id {where}) o"
        f" ORDER BY o.received_at, o.seq"
    )
    return sql, params


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


class Remembering:
    """One set of candidates' memory of its own refusals: what the hub's
    index would have held had they been in force. Asked of a row before it
    is decided (`recall`), told of the row's decision after (`decided`)."""

    def __init__(self, candidates: Mapping[str, CompiledPolicy], states: list[str]) -> None:
        self.tests = {state: _tests(candidates[state]) for state in states}
        self.hours = {state: candidates[state].memory_hours for state in states}
        self.memory = RefusalMemory(horizon_hours(max(self.hours.values(), default=0.0)))

    def recall(
        self, state: str, subjects: tuple[str, ...], at: datetime
    ) -> tuple[str, tuple[Refusal, ...]]:
        """One digit per `subject.refused_to` test of `state` (met or not; ""
        when nothing is remembered of the subject), and the refusals held."""
        if not subjects or not self.memory.has(subjects):
            return "", ()
        refusals = self.memory.recent(subjects, at, self.hours[state])
        if not refusals:
            return "", ()
        digits = "".join(
            "1" if latest_refusal(refusals, state, comps, at, within) else "0"
            for comps, within in self.tests[state]
        )
        return digits, refusals

    def decided(
        self,
        subjects: tuple[str, ...],
        refusal: tuple[str, datetime, str, str, str | None],
        denied: bool,
    ) -> None:
        """Remember a refusal of a federal requester (message, time, state,
        sender, component), as the hub's index does."""
        message_id, at, state, ori, component = refusal
        if denied and subjects and component is not None:
            self.memory.add(subjects, Refusal(message_id, at, state, ori, component))


Row = tuple[int, str, datetime, str, tuple[str, ...]]  # seq, packed, time, message id, subjects


def time_ordered(
    engine: Engine,
    packing: tuple[str, ...],
    states: list[str],
    since: datetime | None,
    until: datetime | None,
    *,
    batch_size: int = BATCH,
) -> Iterator[list[Row]]:
    """The recorded queries in arrival order, each with its packed class
    (`packing`, after state, sender and recorded decision) and the keys of
    the person it names."""
    dialect = engine.dialect.name
    sql, params = _sql(dialect, states, since, until, packing)
    connection = _connect(engine)
    try:
        cursor = (
            connection.cursor(name="replay") if dialect == "postgresql" else connection.cursor()
        )
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch_size):
            out: list[Row] = []
            for seq, packed, received, message_id, fields in rows:
                at = _moment(received)
                subjects = person_keys(json.loads(fields), at.date()) if fields else ()
                out.append((seq, packed, at, message_id, subjects))
            yield out
        cursor.close()
    except _reading(engine) as exc:
        raise ReplayError(f"cannot read the audit database: {_first_line(exc)}") from exc
    finally:
        connection.rollback()
        connection.close()


def remembered_queries(
    engine: Engine,
    candidates: Mapping[str, CompiledPolicy],
    decider: _Decider,
    states: list[str],
    since: datetime | None,
    until: datetime | None,
    *,
    batch_size: int = BATCH,
) -> Iterator[list[tuple[int, str]]]:
    """Batches of (seq, packed class with its refusal digits), in arrival order."""
    remembering = Remembering(candidates, states)
    classes: dict[str, Any] = {}
    batches = time_ordered(engine, decider.sql_packing, states, since, until, batch_size=batch_size)
    for rows in batches:
        out: list[tuple[int, str]] = []
        for seq, packed, at, message_id, subjects in rows:
            c = classes.get(packed)
            if c is None:
                c = classes[packed] = decider.unpack(packed + "|")
            digits, refusals = remembering.recall(c.state, subjects, at)
            cd = c._replace(refused=digits) if digits else c
            decided = decider.decide(cd, refusals, at)
            if decided is not None and decided[0] == "deny" and subjects:
                agency = decider.agency(c.ori)
                component = agency[0].component if agency else None
                remembering.decided(subjects, (message_id, at, c.state, c.ori, component), True)
            out.append((seq, f"{packed}|{digits}"))
        yield out
