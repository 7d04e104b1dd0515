"""One mock state: its simulated DMV, programmed records, faults and journal,
and the path a query takes through them:

    query -> journal -> faults drawn -> delay -> the deciding fault, or the answer

Nothing here knows HTTP beyond status codes: `handle` returns a `Reply`
for the app to send, and is told through `gone` when the client hangs up.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from simulators.dmv import StateDMV
from simulators.mockstate._faults import (
    ErrorFault,
    Fault,
    FaultPlan,
    MalformedFault,
    OutOfServiceFault,
    ResetFault,
    TimeoutFault,
)
from simulators.mockstate._journal import Answer, Journal, JournalEntry, Source
from simulators.mockstate._records import ProgrammedRecords, RecordSet
from switch.directory.jurisdictions import JURISDICTIONS
from switch.messages.model import RESPONSE_KEYS

Part = Literal["journal", "faults", "records"]
PARTS: tuple[Part, ...] = ("journal", "faults", "records")
# Completes when the client hangs up.
Gone = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send: a status and body, or `status=None` to drop the connection."""

    status: int | None
    body: bytes = b""
    media_type: str = "application/json"


DROP = Reply(None)


class MockState:
    def __init__(
        self,
        state: str,
        *,
        seed: int = 0,
        records: RecordSet | None = None,
        faults: Sequence[Fault] = (),
        generated: bool = True,
        journal_size: int = 10_000,
        today: date | None = None,
    ) -> None:
        state = state.upper()
        if state not in JURISDICTIONS:
            raise ValueError(f"unknown state {state!r}")
        self.state = state
        self.seed = seed
        # False: only programmed records exist; everything else is NOT ON FILE.
        self.generated = generated
        self.dmv = StateDMV(state, seed=seed, today=today)
        self.records = ProgrammedRecords(self.dmv.today)
        if records is not None:
            self.records.add(records)
        self.faults = FaultPlan(faults, seed=seed)
        self.journal = Journal(journal_size)

    def __repr__(self) -> str:
        return f"MockState({self.state!r}, seed={self.seed})"

    def reset(self, parts: Iterable[Part] = PARTS) -> list[Part]:
        done: list[Part] = []
        for part in parts:
            if part == "journal":
                self.journal.clear()
            elif part == "faults":
                self.faults.replace([])
            else:
                self.records.clear()
            done.append(part)
        return done

    async def handle(self, key: str, ori: str, fields: Mapping[str, str], gone: Gone) -> Reply:
        entry = self.journal.record(key, ori, dict(fields))
        effects = self.faults.draw(key, ori)
        entry.faults = effects.applied
        entry.delay_ms = round(effects.delay_ms, 3)
        if effects.delay_ms and await _client_left(gone, effects.delay_ms / 1000.0):
            entry.outcome = "client_gone"
            return DROP
        action = effects.action
        if isinstance(action, OutOfServiceFault):
            return _failed(entry, "out_of_service", 503, f"{self.state} DMV out of service")
        if isinstance(action, ErrorFault):
            return _failed(entry, "error", action.params.status, "injected fault")
        if isinstance(action, ResetFault):
            entry.outcome = "reset"
            return DROP
        if isinstance(action, TimeoutFault):
            left = await _client_left(gone, action.params.seconds)
            entry.outcome = "client_gone" if left else "timeout"
            return DROP
        answer, entry.source = await self.lookup(key, fields)
        body = answer.model_dump_json().encode()
        entry.status = 200
        if isinstance(action, MalformedFault):
            entry.outcome = "malformed"
            return Reply(200, *_malformed(action, answer, body))
        entry.outcome = "answered"
        entry.answer = answer
        return Reply(200, body)

    async def lookup(self, key: str, fields: Mapping[str, str]) -> tuple[Answer, Source]:
        """The answer without faults: programmed records first, then generated."""
        response_key = RESPONSE_KEYS[key]
        programmed = self.records.match(key, fields)
        if programmed:
            return Answer(key=response_key, records=[dict(r) for r in programmed]), "programmed"
        if not self.generated or key not in self.dmv.supports:
            return Answer(key=response_key, records=[]), "none"
        if self.dmv.indexed:
            found = self.dmv.answer(key, fields)
        else:
            # A cold name index takes tens of milliseconds: off the event loop.
            found = await asyncio.to_thread(self.dmv.answer, key, fields)
        return Answer(key=found.key, records=[dict(r) for r in found.records]), "generated"


async def _client_left(gone: Gone, seconds: float | None) -> bool:
    """Wait `seconds` (None: as long as it takes); whether the client hung up first."""
    waiter = asyncio.ensure_future(gone())
    try:
        done, _ = await asyncio.wait({waiter}, timeout=seconds)
        return waiter in done
    finally:
        waiter.cancel()


def _failed(
    entry: JournalEntry, outcome: Literal["out_of_service", "error"], status: int, why: str
) -> Reply:
    entry.outcome = outcome
    entry.status = status
    return Reply(status, json.dumps({"error": why}).encode())


def _malformed(fault: MalformedFault, answer: Answer, body: bytes) -> tuple[bytes, str]:
    """A 200 body the switch cannot read, of the kind asked for."""
    kind = fault.params.kind
    if kind == "garbage":
        return b"\x1b[2J%DMV GATEWAY \xff\xfe LINE NOISE\r\n", "text/plain"
    if kind == "truncated":
        return body[: max(1, len(body) // 2)], "application/json"
    if kind == "wrong_shape":
        return json.dumps({"result": "NOT ON FILE"}).encode(), "application/json"
    other = "DR" if answer.key != "DR" else "RR"
    wrong = Answer(key=other, records=answer.records)
    return wrong.model_dump_json().encode(), "application/json"
