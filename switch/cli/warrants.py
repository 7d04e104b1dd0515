"""`switch warrants issue|show|list`: the simulated court registry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine

from switch import terminal
from switch.audit.acts import WARRANT_ISSUE, Actor, acting, warrant_issued
from switch.cli.common import err_console, fail, open_database
from switch.db.database import migrate
from switch.directory import JURISDICTIONS, Directory
from switch.settings import Settings
from switch.warrants import Warrant, WarrantError, WarrantRegistry

app = typer.Typer(help="Issue and read court-registry warrants.", no_args_is_help=True)


@contextmanager
def _database(settings: Settings) -> Iterator[Engine]:
    engine = open_database(settings.database_url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _registry(settings: Settings) -> Iterator[WarrantRegistry]:
    with _database(settings) as engine:
        yield WarrantRegistry(engine)


@app.command("issue")
def issue(
    kind: str = typer.Option(..., "--kind", help="judicial or administrative."),
    to: str = typer.Option(..., "--to", help="The ORI the warrant is issued to."),
    oln: str | None = typer.Option(None, "--oln", help="Subject by licence number."),
    name: str | None = typer.Option(None, "--name", help="Subject by name, LAST,FIRST."),
    dob: str | None = typer.Option(None, "--dob", help="Subject's DOB, CCYYMMDD (with --name)."),
    days: int = typer.Option(30, "--days", help="Days until it expires."),
    form: str | None = typer.Option(
        None, "--form", help="warrant, court-order, subpoena (judicial); I-200, I-205."
    ),
    by: str | None = typer.Option(None, "--by", help="Who signed it; made up if not given."),
) -> None:
    """Print the new warrant's id alone on standard output."""
    settings = Settings()
    ori = to.strip().upper()
    state = ori[:2] if ori[:2] in JURISDICTIONS else None
    actor = Actor.local("switch warrants issue")
    try:
        with (
            _database(settings) as engine,
            acting(engine, actor, WARRANT_ISSUE, target=ori, state=state) as act,
        ):
            act.note(kind=kind, form=form, to=ori, days=days)
            registry = WarrantRegistry(engine, Directory.load(settings.directory))
            warrant = registry.issue(
                kind=kind, to=to, oln=oln, name=name, dob=dob, form=form, days=days, issued_by=by
            )
            warrant_issued(act, warrant.as_dict())
    except WarrantError as err:
        fail(err.message)
    err_console.print(
        f"{warrant.kind} {warrant.form} to {warrant.issued_to} for {warrant.subject}, "
        f"signed {warrant.issued_by}, expires {warrant.expires_at:%Y-%m-%d %H:%M} UTC",
        highlight=False,
        soft_wrap=True,
    )
    typer.echo(warrant.id)


@app.command("show")
def show(
    warrant_id: str = typer.Argument(..., metavar="ID", help="A warrant id, e.g. JW-2026-7K3QX9."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
) -> None:
    """Print one warrant."""
    with _registry(Settings()) as registry:
        warrant = registry.get(warrant_id)
    if warrant is None:
        fail(f"no warrant {warrant_id}")
    if as_json:
        typer.echo(json.dumps(warrant.as_dict(), indent=1))
        return
    for key, value in warrant.as_dict().items():
        if value is not None:
            typer.echo(f"{key:<13}{value}")


def _table(found: list[Warrant]) -> Table:
    # Narrow enough for 80 columns; `show` and `--json` have every field.
    table = Table()
    table.add_column("ID", no_wrap=True)
    table.add_column("Kind")
    table.add_column("To", no_wrap=True)
    table.add_column("Subject", overflow="fold")
    table.add_column("Expires", no_wrap=True)
    for w in found:
        table.add_row(
            w.id, f"{w.kind} {w.form}", w.issued_to, w.subject, f"{w.expires_at:%Y-%m-%d}"
        )
    return table


@app.command("list")
def list_(
    to: str | None = typer.Option(None, "--to", help="Only warrants issued to this ORI."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List warrants in the order they were issued."""
    settings = Settings()
    if to is not None:
        to = to.strip().upper()
        # Warrants are only issued to agencies in the directory: any other ORI is a typo.
        if Directory.load(settings.directory).get(to) is None:
            fail(escape(f"ORI {to} is not in the directory (see `switch agencies`)"))
    with _registry(settings) as registry:
        found = registry.list(issued_to=to)
    if as_json:
        typer.echo(json.dumps([w.as_dict() for w in found], indent=1))
    elif found:
        terminal.console().print(_table(found))
    else:
        err_console.print("no warrants" + (f" issued to {to}" if to else ""))
