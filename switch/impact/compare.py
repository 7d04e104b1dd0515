"""`switch policy compare`: blocking options side by side, each replayed
over the same recorded history, the policy in force first.

Two reads of the audit, whatever the number of options: the detector's
(`find_proxies`, which suspected relays there were), then one stream of the
state's recorded queries in `seq` order, packed into decision classes by
the database (`replay_source`), with every option's tested attributes in
one packing. Each class is decided once per option; the suspected relays
are picked out of the stream by `seq` as it passes, so they are re-decided
by the same classes. An option testing `subject.refused_to` cannot be
counted out of order: then the stream is read in arrival order instead and
each remembering option keeps its own memory of refusals (`compare_memory`).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter

from sqlalchemy import Engine, bindparam, text

from switch.directory import Directory
from switch.impact.compare_column import Column
from switch.impact.compare_input import CompareError, Option
from switch.impact.compare_memory import remembered_classes
from switch.impact.proxies import ProxyReport, find_proxies
from switch.impact.replay import REFUSED, Class
from switch.impact.replay_source import PACKABLE, stream_queries, tested_by
from switch.messages.model import Message
from switch.policy import Decision, Facts, PolicyRequest, evaluate

_NOON = datetime(2025, 1, 1, 12, tzinfo=UTC)  # any time will do when no rule tests it
# What a decision class carries: the request's packed attributes and the
# sender, placed with the directory. A rule testing anything else (a fact of
# the state's recent history) cannot be decided from a class.
_REPLAYABLE = frozenset(PACKABLE) | {
    "requester_ori",
    "requester_state",
    "requester_in_state",
    "requester_type",
    "requester_department",
    "requester_component",
    "requester_tags",
    # Decided by the pass in arrival order (`compare_memory`), not from a class alone.
    REFUSED,
}
_seq = itemgetter(0)


@dataclass(frozen=True, slots=True)
class Comparison:
    state: str
    since: datetime | None
    until: datetime | None
    records: int  # the state's recorded queries replayed
    unknown: int  # of them, from a sender the directory does not hold (not decided)
    classes: int
    detector: ProxyReport
    columns: tuple[Column, ...]  # the policy in force first
    seconds: float
    replay_seconds: float  # of them, the stream and the deciding, after the detector

    @property
    def records_per_s(self) -> float:
        """The state's queries replayed, every option at once, per second."""
        return self.records / self.replay_seconds if self.replay_seconds else 0.0

    @property
    def audit_records_per_s(self) -> float:
        """The whole audit (the detector reads it all) per second of the comparison."""
        return self.detector.records / self.seconds if self.seconds else 0.0


def _replayable(options: Sequence[Option]) -> None:
    """Fail closed: an option whose rules a class cannot decide is refused,
    never decided as if the rule were not there."""
    for option in options:
        beyond = sorted(tested_by({option.name: option.policy}) - _REPLAYABLE)
        if beyond:
            names = ", ".join(name.replace("_", ".", 1) for name in beyond)
            raise CompareError(f"{option.source}: compare cannot replay rules that test {names}")


def _packing(options: Sequence[Option]) -> tuple[str, ...]:
    # The reason is always packed: the serious-crime counts read it.
    tested = tested_by({o.name: o.policy for o in options}) | {"message_reason"}
    return tuple(name for name in PACKABLE if name in tested)


def _request(c: Class, directory: Directory) -> PolicyRequest | None:
    agency = directory.get(c.ori) if c.ori else None
    if agency is None:
        return None
    fields = {"RSN": c.reason} if c.reason != "none" else {}
    if c.image:
        fields["IMQ"] = "Y"
    at = _NOON if c.hour is None else datetime.strptime(c.hour, "%Y-%m-%d %H")
    message = Message(c.key, agency.ori, (c.state,), fields)
    return PolicyRequest(agency, c.state, message, c.warrant, at.replace(tzinfo=UTC))


def _relay_seqs(engine: Engine, state: str, report: ProxyReport) -> dict[int, str]:
    """The audit `seq` of each suspected relay to `state` -> its pattern."""
    patterns = {s.query.id: s.pattern for s in report.flagged if s.query.state == state}
    if not patterns:
        return {}
    statement = text(
        "SELECT seq, message_id FROM audit_outcomes WHERE state = :state AND message_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    found: dict[int, str] = {}
    ids = sorted(patterns)
    with engine.connect() as connection:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for seq, mid in connection.execute(statement, {"state": state, "ids": chunk}):
                found[int(seq)] = patterns[str(mid)]
    return found


def _picked(rows: list[tuple[int, str]], wanted: list[int]) -> list[tuple[int, str]]:
    """The rows of a batch (in `seq` order) whose seq is wanted: a bisection
    per wanted seq in the batch's range, no walk through the batch."""
    if not wanted or not rows:
        return []
    lo, hi = bisect_left(wanted, rows[0][0]), bisect_left(wanted, rows[-1][0] + 1)
    picked = []
    for seq in wanted[lo:hi]:
        at = bisect_left(rows, seq, key=_seq)
        if at < len(rows) and rows[at][0] == seq:
            picked.append(rows[at])
    return picked


def compare_options(
    engine: Engine,
    options: Sequence[Option],
    directory: Directory,
    *,
    state: str,
    since: datetime | None = None,
    until: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Replay every option (the first: the policy in force) over the queries
    to `state` received in [since, until)."""
    _replayable(options)
    started = time.perf_counter()
    detector = find_proxies(engine, directory, state=state, since=since, until=until)
    replaying = time.perf_counter()
    relays = _relay_seqs(engine, state, detector)
    packing = _packing(options)
    columns = tuple(Column(o.name, o.source, o.policy.version, o.policy.title) for o in options)
    if any(o.policy.memory_hours > 0 for o in options):
        records, unknown, classes = _remembering(
            engine, options, directory, columns, packing, state, since, until, relays, on_progress
        )
    else:
        records, unknown, classes = _counted(
            engine, options, directory, columns, packing, state, since, until, relays, on_progress
        )
    return Comparison(
        state,
        since,
        until,
        records,
        unknown,
        classes,
        detector,
        columns,
        seconds=time.perf_counter() - started,
        replay_seconds=time.perf_counter() - replaying,
    )


def _counted(
    engine: Engine,
    options: Sequence[Option],
    directory: Directory,
    columns: tuple[Column, ...],
    packing: tuple[str, ...],
    state: str,
    since: datetime | None,
    until: datetime | None,
    relays: dict[int, str],
    on_progress: Callable[[int], None] | None,
) -> tuple[int, int, int]:
    """No option remembers: rows counted per class in `seq` order, each class
    decided once per option. Returns (records, unknown, classes)."""
    wanted = sorted(relays)
    counts: Counter[str] = Counter()
    relay_classes: list[tuple[str, str]] = []  # (pattern, packed class)
    records = 0
    for rows in stream_queries(engine, [state], since, until, packing=packing):
        counts.update(map(itemgetter(1), rows))
        relay_classes.extend((relays[seq], packed) for seq, packed in _picked(rows, wanted))
        records += len(rows)
        if on_progress is not None:
            on_progress(records)
    decided: dict[str, tuple[Decision, ...]] = {}
    unknown = 0
    for packed, n in counts.items():
        c = Class.unpack(packed, packing)
        request = _request(c, directory)
        if request is None:
            unknown += n
            continue
        facts = Facts.of(request)
        decisions = decided[packed] = tuple(evaluate(o.policy, facts) for o in options)
        before = decisions[0].permitted
        for column, decision in zip(columns, decisions, strict=True):
            column.add(request.requester, c.reason, n, decision, before)
    for pattern, packed in relay_classes:
        # A flagged relay's sender is in the directory: the detector placed it there.
        for column, decision in zip(columns, decided.get(packed, ()), strict=False):
            column.add_relay(pattern, decision.permitted)
    return records, unknown, len(counts)


def _remembering(
    engine: Engine,
    options: Sequence[Option],
    directory: Directory,
    columns: tuple[Column, ...],
    packing: tuple[str, ...],
    state: str,
    since: datetime | None,
    until: datetime | None,
    relays: dict[int, str],
    on_progress: Callable[[int], None] | None,
) -> tuple[int, int, int]:
    """An option remembers: the rows in arrival order, each remembering
    option fed its own refusals (`compare_memory`). Returns (records,
    unknown, classes)."""
    found = remembered_classes(
        engine, options, directory, packing, state, since, until, relays,
        on_progress=on_progress,
    )  # fmt: skip
    unknown = 0
    for key, n in found.counts.items():
        decisions = found.decisions[key]
        first = decisions[0]
        # The key ends in one `|digits` per option; the class is what comes before.
        c = Class.unpack(key.rsplit("|", len(options))[0], packing)
        agency = directory.get(c.ori) if c.ori else None
        if agency is None or first is None:
            unknown += n
            continue
        for column, decision in zip(columns, decisions, strict=True):
            assert decision is not None  # the sender is in the directory
            column.add(agency, c.reason, n, decision, first.permitted)
    for pattern, key in found.relays:
        for column, decision in zip(columns, found.decisions[key], strict=True):
            if decision is not None:
                column.add_relay(pattern, decision.permitted)
    return found.records, unknown, len(found.counts)
