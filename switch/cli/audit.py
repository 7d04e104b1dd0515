"""`switch audit verify` and `switch audit prune`: check the audit hash
chain; delete old audit and keep the chain verifiable."""

from __future__ import annotations

import getpass
import json
from datetime import datetime

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from switch import progress
from switch.audit.database import migrate
from switch.audit.prune import describe, prune
from switch.audit.verify import verify
from switch.cli.common import err_console, fail, open_database
from switch.errors import SwitchError
from switch.settings import Settings

app = typer.Typer(
    help="The audit trail: verify its hash chain, prune old audit.", no_args_is_help=True
)

# Exit codes of `verify`: 1 the chain is broken, 2 it could not be checked.
BROKEN, UNCHECKED = 1, 2
# Below this many rows a walk ends before a bar would be worth drawing.
PROGRESS_FROM = 100_000

DbOption = typer.Option(
    None, "--db", "--database", help="Audit database URL (default: SWITCH_DATABASE_URL)."
)


def _open(db: str | None) -> Engine:
    url = db or Settings().database_url
    engine = open_database(url, UNCHECKED)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        fail(f"cannot open the audit database {url}: {exc}", UNCHECKED)
    return engine


@app.command("verify")
def verify_(
    db: str | None = DbOption,
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as one JSON object."),
) -> None:
    """Walk the audit hash chain from its start to its head. Exit 0 when every
    audit record and outcome is intact; 1 naming the first one altered, removed
    or inserted; 2 when the database cannot be checked."""
    engine = _open(db)
    try:
        with progress.shown("verify", err_console, bar_from=PROGRESS_FROM) as on_progress:
            verdict = verify(engine, on_progress=on_progress)
    except (SwitchError, SQLAlchemyError) as exc:
        fail(f"cannot verify the audit chain: {exc}", UNCHECKED)
    finally:
        engine.dispose()
    finding = verdict.finding
    if as_json:
        summary = {
            "intact": verdict.intact,
            "records": verdict.records,
            "outcomes": verdict.outcomes,
            "start": verdict.start,
            "head": verdict.head,
            "head_hash": verdict.head_hash,
            "problem": finding.problem if finding else None,
            "where": finding.where if finding else None,
            "detail": finding.detail if finding else None,
        }
        typer.echo(json.dumps(summary))
    if finding is not None:
        fail(f"audit chain broken: {finding}", BROKEN)
    if not as_json:
        typer.echo(
            f"chain intact: {verdict.rows:,} records ({verdict.records:,} audit records, "
            f"{verdict.outcomes:,} outcomes), positions {verdict.start:,} to {verdict.head:,}, "
            f"head {verdict.head_hash}"
        )


def _operator() -> str:
    try:
        return f"cli/{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in this environment
        return "cli"


@app.command("prune", short_help="Delete audit older than a date.")
def prune_(
    before: datetime = typer.Option(
        ...,
        "--before",
        formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
        help="Delete audit older than this date or time (UTC).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Prune even when the date is less than a year ago."
    ),
    db: str | None = DbOption,
) -> None:
    """Delete audit records and outcomes older than a date (and acknowledged mailbox
    items and finished forwards), leaving an anchor so `switch audit verify` still
    passes. Refuses a date less than a year ago unless --force, and a chain that
    does not verify."""
    engine = _open(db)
    try:
        label = "verify before prune"
        with progress.shown(label, err_console, bar_from=PROGRESS_FROM) as on_progress:
            result = prune(engine, before, by=_operator(), force=force, on_progress=on_progress)
    except SwitchError as exc:
        fail(exc.message)
    except SQLAlchemyError as exc:
        fail(f"cannot prune the audit database: {exc}")
    finally:
        engine.dispose()
    typer.echo(describe(result))
    if result.mailbox or result.forwards:
        typer.echo(
            f"also deleted {result.mailbox:,} acknowledged mailbox items and "
            f"{result.forwards:,} finished forwards"
        )
