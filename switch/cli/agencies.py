"""`switch agencies`: list the directory."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from switch import terminal
from switch.cli.common import fail, known_state
from switch.directory import FEDERAL_OFFICE_STATES, Directory
from switch.settings import Settings


def agencies(
    component: str | None = typer.Option(None, help="Only this component, e.g. ICE-HSI."),
    state: str | None = typer.Option(None, help="Only agencies in this state."),
    type_: str | None = typer.Option(None, "--type", help="Only this ORION type, e.g. SO."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List agencies in the directory (ORI, name, state, type, department, component, tags,
    and for local agencies their county, region and federal task forces, by lead office ORI)."""
    # Federal offices may sit where no DMV answers (GU, VI): those list too.
    code = known_state(state, also=FEDERAL_OFFICE_STATES) if state is not None else None
    directory = Directory.load(Settings().directory)
    found = directory.filter(
        component=component,
        state=code,
        type=type_.upper() if type_ else None,
    )
    if not found:
        fail("no agency matches those filters")
    if as_json:
        typer.echo(json.dumps([a.as_dict() for a in found], indent=1))
        return
    table = Table(
        "ORI", "Name", "State", "Type", "Dept", "Component", "Tags", "County", "Region",
        "Task forces",
    )  # fmt: skip
    for a in found:
        table.add_row(
            a.ori, a.name, a.state, a.type, a.department or "", a.component or "",
            ",".join(a.tags), a.county or "", a.region or "", ",".join(a.task_forces),
        )  # fmt: skip
    terminal.console().print(table)
