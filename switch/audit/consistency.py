"""Does the database still extend every signed checkpoint? Trillian proves
a log consistent with an older tree head; for a hash chain the proof is the
walk itself: the link verify computes at a checkpoint's position must be the
checkpoint's hash, and the head must be at or past it.

What a failed checkpoint means:

- `forged`: its signature is not good under any key given;
- `rewritten`: the chain holds another hash at its position (rows up to it
  were changed and every later link recomputed);
- `truncated`: the chain's head is before it (its last rows were deleted
  and the head moved back).

A checkpoint before the chain's start was pruned away; only the last row
before the start (`start_hash`) can still be compared. Verify accepts the
start itself only from a prune anchor signed by a key given
(`switch.audit.anchors`), so a forged prune cannot hide checkpoints either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from switch.audit.signed_checkpoints import Checkpoint
from switch.audit.signing import PublicKeys


class Miss(NamedTuple):
    """A checkpoint the database does not extend, and why."""

    checkpoint: Checkpoint
    problem: str  # forged | rewritten | truncated
    detail: str


def _rewritten(checkpoint: Checkpoint, found: str) -> Miss:
    detail = (
        f"the chain has hash {found} there, but key {checkpoint.key} signed "
        f"{checkpoint.hash} at {checkpoint.at}: rows up to it were rewritten"
    )
    return Miss(checkpoint, "rewritten", detail)


class Consistency:
    """The checkpoints one walk of the chain must find extended, by position."""

    def __init__(self, checkpoints: Sequence[Checkpoint]) -> None:
        self._pending = sorted(checkpoints, key=lambda c: c.pos, reverse=True)
        self.count = len(checkpoints)
        self.next_pos = self._pending[-1].pos if self._pending else None

    @staticmethod
    def signatures(checkpoints: Sequence[Checkpoint], keys: PublicKeys) -> Miss | None:
        for checkpoint in checkpoints:
            why = checkpoint.problem(keys)
            if why:
                return Miss(checkpoint, "forged", why)
        return None

    def _take(self) -> Checkpoint:
        taken = self._pending.pop()
        self.next_pos = self._pending[-1].pos if self._pending else None
        return taken

    def before_start(self, start_pos: int, start_hash: str) -> Miss | None:
        """Checkpoints the chain's start has passed: the one just before it
        must carry the start's hash; earlier ones were pruned away."""
        while self.next_pos is not None and self.next_pos < start_pos:
            checkpoint = self._take()
            if checkpoint.pos == start_pos - 1 and checkpoint.hash != start_hash:
                return _rewritten(checkpoint, start_hash)
        return None

    def at(self, pos: int, digest: str) -> Miss | None:
        """The walk reached `pos` with link `digest` (call when `next_pos == pos`)."""
        while self.next_pos == pos:
            checkpoint = self._take()
            if checkpoint.hash != digest:
                return _rewritten(checkpoint, digest)
        return None

    def beyond(self, head: int) -> Miss | None:
        """After the walk: a checkpoint still pending lies past the head."""
        if self.next_pos is None:
            return None
        checkpoint = self._take()
        detail = (
            f"the chain's head is at position {head:,}, before it: rows from position "
            f"{head + 1:,} on, signed by key {checkpoint.key} at {checkpoint.at}, were removed"
        )
        return Miss(checkpoint, "truncated", detail)
