"""Compare's pass for options that remember (`subject.refused_to`).

Such an option's decision depends on what it refused before, so its rows
cannot be counted out of order: they are read in arrival order
(`replay_memory.time_ordered`), as replay reads them, and every option that
remembers keeps its own memory, filled by its own refusals (what the hub's
index would have held had that option been in force). A row's class is the
shared packing plus, per remembering option, the digits its memory gives;
each option decides a class with its own digits once, on the first row's
refusals and time, as replay does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from switch.directory import Directory
from switch.impact.compare_input import Option
from switch.impact.replay import Class, _hour_start
from switch.impact.replay_memory import Remembering, time_ordered
from switch.impact.replay_source import BATCH
from switch.messages.model import Message
from switch.policy import Decision, Facts, PolicyRequest, evaluate
from switch.policy.refusals import Refusal


@dataclass(slots=True)
class Remembered:
    """The pass's counts: each class (the packing, then one `|digits` per
    option, "" for one that does not remember) and its queries; each
    option's decision of each class it saw; the suspected relays' classes."""

    counts: Counter[str] = field(default_factory=Counter)
    decisions: dict[str, tuple[Decision | None, ...]] = field(default_factory=dict)
    relays: list[tuple[str, str]] = field(default_factory=list)  # (pattern, class)
    records: int = 0


def remembered_classes(
    engine: Engine,
    options: Sequence[Option],
    directory: Directory,
    packing: tuple[str, ...],
    state: str,
    since: datetime | None,
    until: datetime | None,
    relays: dict[int, str],
    *,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH,
) -> Remembered:
    """One pass in arrival order over the queries to `state`; `relays`: the
    suspected relays' seqs -> pattern."""
    memories = [
        Remembering({state: o.policy}, [state]) if o.policy.memory_hours > 0 else None
        for o in options
    ]
    unpacked: dict[str, Class] = {}
    # Per option, (class, its digits) -> the decision (None: sender not in the directory).
    memo: list[dict[tuple[str, str], Decision | None]] = [{} for _ in options]
    found = Remembered()
    for rows in time_ordered(engine, packing, [state], since, until, batch_size=batch_size):
        for seq, packed, at, message_id, subjects in rows:
            c = unpacked.get(packed)
            if c is None:
                c = unpacked[packed] = Class.unpack(packed, packing)
            agency = directory.get(c.ori) if c.ori else None
            parts = [packed]
            row: list[Decision | None] = []
            for i, memory in enumerate(memories):
                digits, refusals = memory.recall(state, subjects, at) if memory else ("", ())
                mine = memo[i]
                if (packed, digits) in mine:
                    decision = mine[packed, digits]
                else:
                    decision = mine[packed, digits] = _decide(
                        options[i], c, digits, refusals, at, directory
                    )
                if memory is not None and decision is not None and agency is not None:
                    refused = (message_id, at, state, agency.ori, agency.component)
                    memory.decided(subjects, refused, not decision.permitted)
                parts.append(digits)
                row.append(decision)
            key = "|".join(parts)
            if key not in found.decisions:
                found.decisions[key] = tuple(row)
            found.counts[key] += 1
            pattern = relays.get(seq)
            if pattern is not None:
                found.relays.append((pattern, key))
        found.records += len(rows)
        if on_progress is not None:
            on_progress(found.records)
    return found


def _decide(
    option: Option,
    c: Class,
    digits: str,
    refusals: tuple[Refusal, ...],
    at: datetime,
    directory: Directory,
) -> Decision | None:
    agency = directory.get(c.ori) if c.ori else None
    if agency is None:
        return None
    fields = {"RSN": c.reason} if c.reason != "none" else {}
    if c.image:
        fields["IMQ"] = "Y"
    message = Message(c.key, agency.ori, (c.state,), fields)
    # A class with digits is decided at its first row's time, on its refusals:
    # the digits are all a decision can see of them. Without, at the hour's start.
    when = at if digits else _hour_start(c.hour)
    request = PolicyRequest(agency, c.state, message, c.warrant, when, refusals)
    return evaluate(option.policy, Facts.of(request))
