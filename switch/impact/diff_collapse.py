"""Fold points that differ only where it does not matter into boxes.

A box is one set of values per dimension standing for every combination of
them; all its points share one value (an outcome, a change). Boxes are
merged a dimension at a time: two boxes equal in every other dimension and
in value become one. Greedy, so not always the fewest boxes, but always
exact: the boxes partition the points given and every combination inside a
box is a given point.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

V = TypeVar("V", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Box(Generic[V]):
    sets: tuple[frozenset[Hashable], ...]
    value: V

    @property
    def size(self) -> int:
        size = 1
        for values in self.sets:
            size *= len(values)
        return size


def collapse(points: Mapping[tuple[Hashable, ...], V], order: Iterable[int]) -> list[Box[V]]:
    """Merge along the dimensions in `order` (indexes) until nothing merges."""
    order = list(order)
    boxes: list[Box[V]] = [
        Box(tuple(frozenset([v]) for v in point), value) for point, value in points.items()
    ]
    while True:
        before = len(boxes)
        for d in order:
            groups: dict[tuple[tuple[frozenset[Hashable], ...], V], set[Hashable]] = {}
            for box in boxes:
                rest = box.sets[:d] + box.sets[d + 1 :]
                groups.setdefault((rest, box.value), set()).update(box.sets[d])
            boxes = [
                Box((*rest[:d], frozenset(merged), *rest[d:]), value)
                for (rest, value), merged in groups.items()
            ]
        if len(boxes) == before:
            return boxes


def ordered(values: Iterable[Hashable], domain: Sequence[Hashable]) -> list[Hashable]:
    """Values in the domain's order (the order a person expects)."""
    present = set(values)
    return [v for v in domain if v in present]


def box_order(box: Box[V], domains: Sequence[Sequence[Hashable]]) -> tuple[int, ...]:
    """Sort key: boxes sorted by their first value in each dimension."""
    return tuple(
        min(domain.index(v) for v in values)
        for values, domain in zip(box.sets, domains, strict=True)
    )


def _any_but(values: list[str], domain: Sequence[Hashable], noun: str) -> str | None:
    if len(values) == len(domain):
        return f"any {noun}"
    rest = [str(v) for v in domain if v not in values]
    if len(values) > 3 and len(rest) < len(values):
        return f"any {noun} but {', '.join(rest)}"
    return None


def describe(dimension: str, values: Iterable[Hashable], domain: Sequence[Hashable]) -> str:
    """`any key`, `DQ/DNQ/KQ`, `warrant none|cited|administrative`, `out of state`."""
    items = ordered(values, domain)
    if dimension == "in_state":
        if len(items) == 2:
            return "in or out of state"
        return "in state" if items[0] else "out of state"
    if dimension == "image":
        if len(items) == 2:
            return "image or not"
        return "with image" if items[0] else "without image"
    if dimension == "time":
        if len(items) == len(domain):
            return "any time"
        return "at " + " or ".join(_when(t) for t in items if isinstance(t, datetime))
    names = [str(v) for v in items]
    if dimension == "requester":
        return _any_but(names, domain, "requester") or ", ".join(names)
    if dimension == "key":
        return _any_but(names, domain, "key") or "/".join(names)
    if dimension == "warrant":
        return "any warrant" if len(names) == len(domain) else "warrant " + "|".join(names)
    if dimension == "reason":
        return "any reason" if len(names) == len(domain) else "reason " + "|".join(names)
    return "|".join(names)


def _when(at: datetime) -> str:
    return at.strftime("%a %H:%M UTC")


def is_full(values: Iterable[Hashable], domain: Sequence[Hashable]) -> bool:
    return set(values) >= set(domain)
