"""`switch report ST`: who asked for a state's data, and what became of it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from sqlalchemy.exc import SQLAlchemyError

from switch import terminal
from switch.cli.common import err_console, fail, known_state, open_database
from switch.db.database import migrate
from switch.directory import Directory
from switch.errors import SwitchError
from switch.reports import build_report, parse_period, print_tables, render
from switch.settings import Settings


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    html = "html"


def report(
    state: str = typer.Argument(..., help="The state whose data was asked for, e.g. WA."),
    since: str | None = typer.Option(
        None, "--since", help="From this ISO date or time (UTC unless a zone is given)."
    ),
    until: str | None = typer.Option(
        None, "--until", help="Up to this ISO date (the whole day) or time, inclusive."
    ),
    format: Format = typer.Option(Format.table, "--format", help="How to show the report."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report to this file instead of the terminal."
    ),
    db: str | None = typer.Option(
        None, "--db", help="Audit database URL (default: SWITCH_DATABASE_URL)."
    ),
) -> None:
    """A state's transparency report: who queried its data, what was refused and
    under which rule, fields withheld, notices owed, candidate-policy disagreements."""
    settings = Settings()
    url = db or settings.database_url
    code = known_state(state)
    try:
        period = parse_period(since, until)
        directory = Directory.load(settings.directory)
    except SwitchError as exc:
        fail(exc.message)
    engine = open_database(url, existing=True)
    try:
        migrate(engine)
        built = build_report(engine, directory, code, period)
    except SwitchError as exc:
        fail(exc.message)
    except SQLAlchemyError as exc:
        fail(f"cannot read the audit database: {exc}")
    finally:
        engine.dispose()
    if output is None and format is Format.table:
        print_tables(built, terminal.console())
        return
    text = render(built, format.value)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc}")
    err_console.print(f"wrote the {code} report to {output}", highlight=False)
