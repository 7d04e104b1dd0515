"""`switch policy matrix ST`: who can get this state's data, and how.

Rows are requester classes (component for federal agencies, ORION type for
others) on each side of the state line; columns are keys and warrant levels
(and reason, image, time where a rule tests them); cells are outcomes.
Identical columns, then identical rows, are folded together so the table
reads at a glance. Plain data: renderers live in `matrix_render`, and the
national view in `matrix_national`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from switch.directory import Directory
from switch.impact.diff import PolicySide
from switch.impact.diff_collapse import Box, box_order, collapse, ordered
from switch.impact.diff_space import Outcome, Space, build_space, outcome
from switch.policy.compiler import CompiledPolicy

ROW_DIMENSIONS = ("requester", "in_state")
# Fold keys before warrants, sides before requesters.
_COLUMN_MERGE = ("key", "reason", "image", "time", "warrant")
_ROW_MERGE = ("in_state", "requester")


def _json(value: Hashable) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True, slots=True)
class MatrixColumn:
    classes_by: dict[str, list[Hashable]]  # key, warrant (reason, image, time)

    def as_dict(self) -> dict[str, Any]:
        return {name: [_json(v) for v in vals] for name, vals in self.classes_by.items()}


@dataclass(frozen=True, slots=True)
class MatrixRow:
    requesters: list[str]
    in_state: list[bool]
    cells: list[Outcome]  # one per column

    def as_dict(self) -> dict[str, Any]:
        return {
            "requesters": self.requesters,
            "in_state": self.in_state,
            "cells": [c.label for c in self.cells],
        }


@dataclass(frozen=True, slots=True)
class StateMatrix:
    state: str
    title: str | None
    policy: PolicySide
    dimensions: tuple[str, ...]
    domains: dict[str, tuple[Hashable, ...]]
    columns: list[MatrixColumn]
    rows: list[MatrixRow]
    outcomes: dict[tuple[Hashable, ...], Outcome]  # every class, unfolded

    def lookup(
        self,
        requester: str,
        in_state: bool,
        key: str = "DQ",
        warrant: str = "none",
        **others: Hashable,
    ) -> Outcome:
        """The outcome for one class; `others` gives reason/image/time if tested."""
        given: dict[str, Hashable] = {
            "requester": requester,
            "in_state": in_state,
            "key": key,
            "warrant": warrant,
            **others,
        }
        defaults: dict[str, Hashable] = {"reason": "none", "image": False}
        values = tuple(given.get(d, defaults.get(d, self.domains[d][0])) for d in self.dimensions)
        try:
            return self.outcomes[values]
        except KeyError as exc:
            raise KeyError(
                f"no request class {dict(zip(self.dimensions, values, strict=True))}"
            ) from exc

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "title": self.title,
            "policy": self.policy.as_dict(),
            "columns": [c.as_dict() for c in self.columns],
            "rows": [r.as_dict() for r in self.rows],
        }


def _index(space: Space, names: tuple[str, ...]) -> list[int]:
    return [space.dimensions.index(n) for n in names if n in space.dimensions]


def fold(
    space: Space, outcomes: dict[tuple[Hashable, ...], Outcome]
) -> tuple[list[Box[tuple[Outcome | None, ...]]], list[Box[tuple[Outcome | None, ...]]]]:
    """Column boxes, then row boxes: columns equal on every row fold first,
    then rows equal on every folded column."""
    split = len(ROW_DIMENSIONS)
    rows = list(dict.fromkeys(p.values[:split] for p in space.points))
    columns = list(dict.fromkeys(p.values[split:] for p in space.points))
    by_column = {c: tuple(outcomes.get(r + c) for r in rows) for c in columns}
    column_order = [i - split for i in _index(space, _COLUMN_MERGE)]
    column_domains = [space.domains[d] for d in space.dimensions[split:]]
    column_boxes = collapse(by_column, column_order)
    column_boxes.sort(key=lambda box: box_order(box, column_domains))
    # Every column of a box gives the same answers: any one stands for it.
    stand_ins = [tuple(next(iter(values)) for values in box.sets) for box in column_boxes]
    present = set(outcomes)
    by_row = {
        r: tuple(outcomes.get(r + c) for c in stand_ins)
        for r in rows
        if any(r + c in present for c in stand_ins)
    }
    row_domains = [space.domains[d] for d in ROW_DIMENSIONS]
    row_boxes = collapse(by_row, _index(space, _ROW_MERGE))
    # The few specific rows first, the "everyone else" row last.
    row_boxes.sort(key=lambda box: (len(box.sets[0]), box_order(box, row_domains)))
    return column_boxes, row_boxes


def state_matrix(policy: CompiledPolicy | None, directory: Directory, state: str) -> StateMatrix:
    """Who can get `state`'s data under `policy` (None: no policy, permit all)."""
    space = build_space(directory, [policy], state)
    outcomes = {p.values: outcome(space.decide(policy, p)) for p in space.points}
    column_boxes, row_boxes = fold(space, outcomes)
    column_names = space.dimensions[len(ROW_DIMENSIONS) :]
    columns = [
        MatrixColumn(
            {
                name: ordered(values, space.domains[name])
                for name, values in zip(column_names, box.sets, strict=True)
            }
        )
        for box in column_boxes
    ]
    rows = []
    for box in row_boxes:
        requesters, sides = box.sets
        cells = [cell for cell in box.value if cell is not None]
        # INVARIANT: a row that exists has every column (they are a full product).
        assert len(cells) == len(columns)
        rows.append(
            MatrixRow(
                [str(r) for r in ordered(requesters, space.domains["requester"])],
                [bool(s) for s in ordered(sides, space.domains["in_state"])],
                cells,
            )
        )
    return StateMatrix(
        state=state,
        title=policy.title if policy else None,
        policy=PolicySide.of(policy),
        dimensions=space.dimensions,
        domains=space.domains,
        columns=columns,
        rows=rows,
        outcomes=outcomes,
    )
