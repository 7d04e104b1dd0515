"""The service marks one hub routes by: which (state, message key) an admin
put out of service (.02., kept) or on remove status (.04., not kept).

The service_status table is the truth (switch.forwarding.status); this is
its copy in memory, so the hot path never reads the database for it. It
changes two ways: an admin acting through this hub (`mark`, `clear`), and
the forwarder reading the table, which is how marks made through another
hub or `switch status` arrive (`refresh`). A read that raced a change made
here is dropped, not applied over it.
"""

from __future__ import annotations

from collections.abc import Iterable

from switch.core.service import Mark
from switch.forwarding.status import Marks


class ServiceMarks:
    def __init__(self, marks: Marks | None = None) -> None:
        self._marks = marks or Marks()
        # Bumped on each change made through this hub (see `refresh`).
        self._changes = 0

    def is_out(self, state: str, key: str) -> bool:
        return (state, key) in self._marks.forward

    def is_removed(self, state: str, key: str) -> bool:
        return (state, key) in self._marks.removed

    def of(self, state: str) -> dict[str, list[str]]:
        """`state`'s marked keys, as the status API shows them."""
        return self._marks.of(state)

    def states(self) -> list[str]:
        """Every state with a mark."""
        return self._marks.states()

    def mark(self, state: str, keys: Iterable[str], *, forward: bool) -> None:
        """Out of service (`forward`: kept, .02.) or on remove status (.04.);
        a key already marked takes the new mode."""
        marks: set[Mark] = {(state, key) for key in keys}
        now, other = (
            (self._marks.forward, self._marks.removed)
            if forward
            else (self._marks.removed, self._marks.forward)
        )
        now |= marks
        other -= marks
        self._changes += 1

    def clear(self, state: str, keys: Iterable[str] | None = None) -> None:
        """Return `state` to service for `keys` (None: every key)."""
        wanted = None if keys is None else set(keys)

        def cleared(mark: Mark) -> bool:
            return mark[0] == state and (wanted is None or mark[1] in wanted)

        self._marks.forward -= {m for m in self._marks.forward if cleared(m)}
        self._marks.removed -= {m for m in self._marks.removed if cleared(m)}
        self._changes += 1

    @property
    def changes(self) -> int:
        """Read before reading the table, and given back to `refresh`."""
        return self._changes

    def refresh(self, table: Marks, seen: int) -> None:
        """Take the marks as the table has them, unless this hub changed them
        since `seen` (its read may be older than that change)."""
        if self._changes == seen:
            self._marks = table
