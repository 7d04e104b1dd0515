"""Matrices as plain aligned text: readable in a terminal, a pipe or a log."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from switch.directory import AGENCY_TYPES
from switch.impact.diff_collapse import describe
from switch.impact.matrix import MatrixColumn, StateMatrix
from switch.impact.matrix_national import ComponentGap, GapState, NationalMatrix

LOUD = "bold red"
_GAP = "  "


def table(header: Sequence[Sequence[str]], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell; header lines then rows."""
    widths = [max(len(line[i]) for line in [*header, *rows]) for i in range(len(header[0]))]
    return [
        _GAP.join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in [*header, *rows]
    ]


def _column_heads(column: MatrixColumn, matrix: StateMatrix) -> list[str]:
    return [
        describe(name, values, matrix.domains[name]) for name, values in column.classes_by.items()
    ]


def render_state_matrix(matrix: StateMatrix) -> list[Text]:
    title = matrix.title or "no policy: the switch answers every query"
    lines = [Text.assemble((matrix.state, "bold"), f"  {title}"), Text(f"  {matrix.policy.label}")]
    heads = [_column_heads(c, matrix) for c in matrix.columns]
    depth = max(len(h) for h in heads)
    header = [
        ["requester" if i == 0 else "", "side" if i == 0 else ""]
        + [h[i] if i < len(h) else "" for h in heads]
        for i in range(depth)
    ]
    domains = matrix.domains
    rows = [
        [
            describe("requester", row.requesters, domains["requester"]),
            describe("in_state", row.in_state, domains["in_state"]),
            *(cell.label for cell in row.cells),
        ]
        for row in matrix.rows
    ]
    lines.append(Text(""))
    lines.extend(Text(line) for line in table(header, rows))
    # Name the ORION types a row lists, for readers who do not know the codes.
    listed = {
        r.split(" ")[0]
        for row, line in zip(matrix.rows, rows, strict=True)
        if not line[0].startswith("any requester")
        for r in row.requesters
    }
    types = [f"{t} {name}" for t, name in AGENCY_TYPES.items() if t in listed]
    if types:
        lines.append(Text(""))
        lines.append(Text("types: " + " · ".join(types), "dim"))
    return lines


def _gap_states(states: list[GapState], component: str, this: bool) -> str:
    return ", ".join(
        f"{g.state} ({component} {g.status if this else g.other_status})" for g in states
    )


def render_gap(gap: ComponentGap) -> list[Text]:
    if not gap.states:
        return [Text(f"  {gap.other}: same answer as {gap.component} in every jurisdiction")]
    lines = []
    if gap.open_to_other:
        lines.append(
            Text(
                f"  !! {gap.other} open where {gap.component} is restricted: "
                + _gap_states(gap.open_to_other, gap.component, this=True),
                LOUD,
            )
        )
    if gap.open_to_this:
        lines.append(
            Text(
                f"  !! {gap.other} restricted where {gap.component} is open: "
                + _gap_states(gap.open_to_this, gap.other, this=False),
                LOUD,
            )
        )
    if gap.different:
        restricted = ", ".join(
            f"{g.state} ({gap.component} {g.status}, {gap.other} {g.other_status})"
            for g in gap.different
        )
        lines.append(Text(f"  {gap.other} restricted differently: {restricted}"))
    return lines


def render_national(matrix: NationalMatrix) -> list[Text]:
    lines = [Text(matrix.summary(), "bold")]
    shown = [a for a in matrix.jurisdictions if a.status != "open" or a.detail]
    if shown:
        header = [["state", "status", "conditions", "deciding rules"]]
        rows = [[a.state, a.status, a.detail, ", ".join(a.rules)] for a in shown]
        lines.append(Text(""))
        lines.extend(Text(line) for line in table(header, rows))
    open_ = [a.state for a in matrix.jurisdictions if a.status == "open" and not a.detail]
    if open_:
        lines.append(Text(""))
        lines.append(Text(f"open without conditions ({len(open_)}): {', '.join(open_)}"))
    no_policy = [a.state for a in matrix.jurisdictions if a.policy.source is None]
    if no_policy:
        lines.append(Text(f"  no policy file (answers everyone): {', '.join(no_policy)}", "dim"))
    if matrix.gaps:
        lines.append(Text(""))
        lines.append(Text(f"Gaps: other {matrix.department} components", "bold"))
        for gap in matrix.gaps:
            lines.extend(render_gap(gap))
    return lines
