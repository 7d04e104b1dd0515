"""The request journal: every query a mock state received, what it did with it.

An entry is written when the query arrives (so a held query shows while it
is held) and completed when the state answers, drops the connection or sees
the client give up. The journal keeps the latest `size` entries; sequence
numbers keep counting across `clear`, so `after=` cursors stay valid.
"""

from __future__ import annotations

import fnmatch
from collections import deque
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

# pending: being handled; answered: 200 with an answer; error, malformed,
# out_of_service: the fault of that name; reset: connection dropped;
# timeout: held, then dropped; client_gone: the client hung up first.
Outcome = Literal[
    "pending",
    "answered",
    "error",
    "malformed",
    "out_of_service",
    "reset",
    "timeout",
    "client_gone",
]
Source = Literal["programmed", "generated", "none"]


class Answer(BaseModel):
    key: str
    records: list[dict[str, str]]


class JournalEntry(BaseModel):
    seq: int
    at: datetime
    key: str
    ori: str
    fields: dict[str, str]
    outcome: Outcome = "pending"
    # The HTTP status sent; None when none was (reset, timeout, client gone).
    status: int | None = None
    answer: Answer | None = None
    source: Source | None = None
    faults: list[str] = []
    delay_ms: float = 0.0


class Journal:
    def __init__(self, size: int = 10_000) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=size)
        self._seq = 0

    def __len__(self) -> int:
        return len(self._entries)

    def record(self, key: str, ori: str, fields: dict[str, str]) -> JournalEntry:
        self._seq += 1
        entry = JournalEntry(seq=self._seq, at=datetime.now(UTC), key=key, ori=ori, fields=fields)
        self._entries.append(entry)
        return entry

    def clear(self) -> None:
        self._entries.clear()

    def entries(
        self,
        *,
        key: str | None = None,
        ori: str | None = None,
        since: datetime | None = None,
        after: int | None = None,
        outcome: str | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """Oldest first. `ori` may be a glob (`VTICE*`); `since` is inclusive,
        `after` a sequence number; `limit` keeps the latest."""
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        found = [
            e
            for e in self._entries
            if (key is None or e.key == key.upper())
            and (ori is None or fnmatch.fnmatchcase(e.ori, ori.upper()))
            and (since is None or e.at >= since)
            and (after is None or e.seq > after)
            and (outcome is None or e.outcome == outcome)
        ]
        return found[-limit:] if limit else found
