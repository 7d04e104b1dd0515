"""Replay: re-decide every recorded query with candidate policies and count
what would change.

The audit keeps each outcome's request as the policy saw it (state, sender,
key, reason, image, warrant, time), so replay reads one table, in `seq`
order, through the raw DBAPI cursor (`replay_source`). The database packs
each row's decision class into one string, holding only what the candidates
test; rows are counted per class in C (`Counter.update`), each new class is
decided once, and evaluations are memoised on the sender's attributes the
candidates can tell apart, so a million rows cost a few hundred
evaluations. Only batches holding a change still short of example ids are
walked row by row in Python.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Engine

from switch.directory import Directory
from switch.directory.model import Agency
from switch.impact.replay_input import choose_states
from switch.impact.replay_memory import remembered_queries
from switch.impact.replay_report import (
    EXAMPLES,
    NONE_LABEL,
    ReplayReport,
    Transition,
    Unreplayable,
    ordered,
)
from switch.impact.replay_source import (
    BATCH,
    PACKABLE,
    message_ids,
    stream_queries,
    tested_by,
)
from switch.messages.model import Message
from switch.policy import CompiledPolicy, Facts, PolicyRequest, evaluate
from switch.policy.refusals import Refusal

# The packing's name for what a replay with memory adds to each class.
REFUSED = "subject_refused_to"

_NOON = datetime(2025, 1, 1, 12, tzinfo=UTC)  # any time will do when no rule tests it


# -- deciding ------------------------------------------------------------


class Class(NamedTuple):
    """A packed decision class, unpacked: the request as far as the
    candidates can tell, and what was decided for it."""

    state: str
    ori: str
    old: str
    key: str = "DQ"
    reason: str = "none"
    image: bool = False
    warrant: str = "none"
    hour: str | None = None
    # Which of the state's `subject.refused_to` tests a recent refusal meets,
    # one digit each ("" when none is remembered): see `replay_memory`.
    refused: str = ""

    @classmethod
    def unpack(cls, packed: str, packing: tuple[str, ...]) -> Class:
        # From the right: whatever a recorded sender holds, the class still parses
        # (and an odd sender is simply not in the directory).
        head, old, *rest = packed.rsplit("|", len(packing) + 1)
        state, _, ori = head.partition("|")
        found = dict(zip(packing, rest, strict=True))
        # INVARIANT: a NULL warrant or reason is read as none cited, none given.
        return cls(
            state,
            ori,
            old,
            key=found.get("message_key") or "DQ",
            reason=found.get("message_reason") or "none",
            image=found.get("message_image") == "1",
            warrant=found.get("warrant") or "none",
            hour=found.get("time") or None,
            refused=found.get(REFUSED, ""),
        )


Decided = tuple[str, str | None]  # the candidate's effect and deciding rule


class _Decider:
    """Each distinct request, projected onto what the candidates test, is
    evaluated once."""

    def __init__(self, candidates: Mapping[str, CompiledPolicy], directory: Directory) -> None:
        self.candidates = candidates
        self.directory = directory
        self.tested = tested_by(candidates)
        # What the database packs, and after it what a replay with memory adds.
        self.sql_packing = tuple(name for name in PACKABLE if name in self.tested)
        self.remembers = any(p.memory_hours > 0 for p in candidates.values())
        self.packing = (*self.sql_packing, REFUSED) if self.remembers else self.sql_packing
        self._agencies: dict[str, tuple[Agency, tuple[Any, ...]] | None] = {}
        self._evaluated: dict[tuple[Any, ...], Decided] = {}

    def unpack(self, packed: str) -> Class:
        return Class.unpack(packed, self.packing)

    @property
    def evaluations(self) -> int:
        return len(self._evaluated)

    def agency(self, ori: str) -> tuple[Agency, tuple[Any, ...]] | None:
        """The sender and the part of it the candidates can tell apart."""
        if ori not in self._agencies:
            agency = self.directory.get(ori) if ori else None
            self._agencies[ori] = None if agency is None else (agency, self._project(agency))
        return self._agencies[ori]

    def _project(self, agency: Agency) -> tuple[Any, ...]:
        t = self.tested
        return (
            agency.ori if "requester_ori" in t else None,
            agency.state if {"requester_state", "requester_in_state"} & t else None,
            agency.type if "requester_type" in t else None,
            agency.department if "requester_department" in t else None,
            agency.component,  # the policy index keys on it
            agency.tags if "requester_tags" in t else None,
        )

    def decide(
        self, c: Class, refusals: tuple[Refusal, ...] = (), at: datetime | None = None
    ) -> Decided | None:
        """What the candidate decides, or None when the sender is not in the
        directory. A class with `refused` digits is decided once, on the
        first row's own `refusals` and time: the digits are all a decision
        can see of them."""
        found = self.agency(c.ori)
        if found is None:
            return None
        agency, projection = found
        memo = (c.state, projection, c.key, c.reason, c.image, c.warrant, c.hour, c.refused)
        decided = self._evaluated.get(memo)
        if decided is None:
            fields = {"RSN": c.reason} if c.reason != "none" else {}
            if c.image:
                fields["IMQ"] = "Y"
            message = Message(c.key, agency.ori, (c.state,), fields)
            when = at if c.refused and at is not None else _hour_start(c.hour)
            request = PolicyRequest(agency, c.state, message, c.warrant, when, refusals)
            decision = evaluate(self.candidates[c.state], Facts.of(request))
            decided = self._evaluated[memo] = (decision.effect, decision.rule)
        return decided


def _hour_start(hour: str | None) -> datetime:
    if hour is None:
        return _NOON
    return datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC)


# -- replaying -----------------------------------------------------------

_packed = itemgetter(1)


class _Tally:
    """Rows counted per packed class (in C), each class decided once, and
    the seqs of a few examples of every change."""

    def __init__(self, decider: _Decider) -> None:
        self.decider = decider
        self.counts: Counter[str] = Counter()
        self.classes: dict[str, tuple[Class, Decided | None]] = {}
        self.examples: dict[tuple[str, str], list[int]] = {}
        self.examples_by_state: dict[tuple[str, str, str], list[int]] = {}
        self.unknown_examples: list[int] = []
        # Classes that change, still short of examples -> their count when last looked.
        self.wanted: dict[str, int] = {}

    def add(self, rows: list[tuple[int, str]]) -> None:
        counts = self.counts
        counts.update(map(_packed, rows))
        if len(counts) != len(self.classes):
            for packed in counts.keys() - self.classes.keys():
                c = self.decider.unpack(packed)
                decided = self.decider.decide(c)
                self.classes[packed] = (c, decided)
                if decided is None or decided[0] != c.old:
                    self.wanted[packed] = 0
        if self.wanted:
            grown = {p for p, seen in self.wanted.items() if counts[p] != seen}
            if grown:
                self._collect(rows, grown)

    def _collect(self, rows: list[tuple[int, str]], grown: set[str]) -> None:
        """Walk a batch row by row: only while a change still lacks examples."""
        for seq, packed in rows:
            if packed in grown and not self._example(packed, seq):
                grown.discard(packed)
                del self.wanted[packed]
                if not grown:
                    break
        for packed in grown:
            self.wanted[packed] = self.counts[packed]

    def _example(self, packed: str, seq: int) -> bool:
        """Keep `seq` where an example is wanted; False once its class needs no more."""
        c, decided = self.classes[packed]
        if decided is None:
            if len(self.unknown_examples) < EXAMPLES:
                self.unknown_examples.append(seq)
            return len(self.unknown_examples) < EXAMPLES
        overall = self.examples.setdefault((c.old, decided[0]), [])
        local = self.examples_by_state.setdefault((c.old, decided[0], c.state), [])
        if len(overall) < EXAMPLES:
            overall.append(seq)
        if len(local) < EXAMPLES:
            local.append(seq)
        return len(overall) < EXAMPLES or len(local) < EXAMPLES

    def example_seqs(self) -> set[int]:
        seqs = set(self.unknown_examples)
        for found in (*self.examples.values(), *self.examples_by_state.values()):
            seqs.update(found)
        return seqs


def replay_policies(
    engine: Engine,
    candidates: Mapping[str, CompiledPolicy],
    directory: Directory,
    *,
    states: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    batch_size: int = BATCH,
    on_progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Re-decide the recorded queries to the candidates' states (or `states`)
    received in [since, until); `on_progress` hears the rows read so far."""
    started = time.perf_counter()
    chosen = choose_states(candidates, directory, states)
    decider = _Decider(candidates, directory)
    tally = _Tally(decider)
    records = 0
    if decider.remembers:
        batches = remembered_queries(
            engine, candidates, decider, chosen, since, until, batch_size=batch_size
        )
    else:
        batches = stream_queries(
            engine, chosen, since, until, packing=decider.sql_packing, batch_size=batch_size
        )
    for rows in batches:
        tally.add(rows)
        records += len(rows)
        if on_progress is not None:
            on_progress(records)
    report = _report(tally, message_ids(engine, tally.example_seqs()))
    report.candidate = {s: candidates[s].version for s in chosen}
    report.states = chosen
    report.since, report.until = since, until
    report.records = records
    report.evaluations = decider.evaluations
    report.seconds = time.perf_counter() - started
    return report


def _report(tally: _Tally, ids: Mapping[int, str]) -> ReplayReport:
    def named(seqs: list[int]) -> list[str]:
        return [ids[s] for s in seqs if s in ids]

    # Classes folded to (old, new, rule, state, sender) first: the breakdowns
    # only need the sender, and there are far fewer senders than classes.
    folded: Counter[tuple[str, str, str | None, str, str]] = Counter()
    unknown = Unreplayable(examples=named(tally.unknown_examples))
    for packed, n in tally.counts.items():
        c, decided = tally.classes[packed]
        if decided is None:
            unknown.count += n
            unknown.by_ori[c.ori or NONE_LABEL] += n
            unknown.by_state[c.state] += n
        else:
            folded[c.old, decided[0], decided[1], c.state, c.ori] += n
    transitions: dict[tuple[str, str], Transition] = {}
    for (old, new, rule, state, ori), n in folded.items():
        t = transitions.get((old, new))
        if t is None:
            t = transitions[old, new] = Transition(old, new)
        found = tally.decider.agency(ori)
        assert found is not None  # decided, so in the directory
        agency = found[0]
        t.count += n
        t.by_state[state] += n
        t.by_department[agency.department or NONE_LABEL] += n
        t.by_component[agency.component or NONE_LABEL] += n
        t.by_type[agency.type] += n
        t.by_rule[rule or "(default)"] += n
    for (old, new), t in transitions.items():
        t.examples = named(tally.examples.get((old, new), []))
        t.examples_by_state = {
            s: named(seqs)
            for (o, n, s), seqs in sorted(tally.examples_by_state.items())
            if (o, n) == (old, new)
        }
    return ReplayReport(
        candidate={},
        states=[],
        since=None,
        until=None,
        transitions=ordered(list(transitions.values())),
        unreplayable=unknown,
    )
