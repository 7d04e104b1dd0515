"""Reverse lookups that identifiers cannot encode: by name, and by owner.

An OLN, plate or VIN decodes to its record's index, but a name does not, and
neither does an owner's vehicles. These indexes are built once per state on
the first query that needs them, from the cheap part of each record only
(identity digest, owner digest), never from full records: a state of 10,000
drivers indexes in a few tens of milliseconds, and a hub that never gets a
name query never pays for one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")


class LazyIndex(Generic[K]):
    """`key -> record indices`, built on first use by scanning `range(size)`."""

    def __init__(self, size: int, key_of: Callable[[int], K]) -> None:
        self._size = size
        self._key_of = key_of
        self._index: dict[K, tuple[int, ...]] | None = None

    @property
    def built(self) -> bool:
        return self._index is not None

    def get(self, key: K) -> tuple[int, ...]:
        index = self._index
        if index is None:
            # Two threads may both build on a cold start; they build the
            # same thing and the last assignment wins, so no lock is needed.
            index = self._index = self._build()
        return index.get(key, ())

    def _build(self) -> dict[K, tuple[int, ...]]:
        grouped: dict[K, list[int]] = {}
        for i in range(self._size):
            grouped.setdefault(self._key_of(i), []).append(i)
        # INVARIANT: indices ascend within a key, so answers are deterministic.
        return {key: tuple(indices) for key, indices in grouped.items()}
