"""`switch policy compare`: blocking options side by side, each replayed
over the same recorded history, the policy in force first."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from switch import progress
from switch.cli.common import err_console, fail, known_state, open_database
from switch.directory import Directory
from switch.errors import SwitchError
from switch.impact.compare import compare_options
from switch.impact.compare_input import in_force, load_options
from switch.impact.compare_render import render_json, render_table
from switch.impact.replay_input import parse_window
from switch.impact.replay_source import count_queries
from switch.policy import PolicyError
from switch.reports import render_compare_html
from switch.settings import Settings, policy_location

PROGRESS_FROM = 100_000  # rows; below it a bar would end before it is worth drawing


class Format(StrEnum):
    table = "table"
    json = "json"
    html = "html"


def compare(
    options: list[Path] = typer.Argument(
        ..., help="Option files (any name, e.g. policies/options/WA/*.yaml): one column each."
    ),
    state: str = typer.Option(..., "--state", help="The state whose data, e.g. WA."),
    db: str | None = typer.Option(
        None, "--db", help="Audit database URL (default: SWITCH_DATABASE_URL)."
    ),
    since: str | None = typer.Option(
        None, "--since", help="From this ISO date or time (UTC unless a zone is given)."
    ),
    until: str | None = typer.Option(
        None, "--until", help="Up to this ISO date (the whole day) or time, inclusive."
    ),
    policies: Path | None = typer.Option(
        None,
        "--policies",
        help="The policy folder in force (default: the folder a hub would enforce).",
    ),
    format: Format = typer.Option(Format.table, "--format", help="table, json or html."),
) -> None:
    """Replay each option over the same recorded queries and show one column per
    option, the policy in force first: immigration queries still answered (directly
    and through suspected relays), serious-crime cooperation kept and lost, notices
    and reports owed, the agencies affected, and the letter's test as numbers."""
    code = known_state(state)
    settings = Settings()
    folder = policies if policies is not None else policy_location(settings).folder
    if policies is not None and not policies.is_dir():
        fail(f"no policy folder at {policies}")
    try:
        columns = [in_force(folder, code), *load_options(options, code)]
        start, end = parse_window(since, until)
        directory = Directory.load(settings.directory)
    except PolicyError as exc:
        for problem in exc.problems:
            # One problem a line, unwrapped: editors and scripts jump to file:line.
            err_console.print(str(problem), soft_wrap=True, highlight=False, markup=False)
        fail(f"option refused: {len(exc.problems)} problem(s)")
    except SwitchError as exc:
        fail(exc.message)
    engine = open_database(db or settings.database_url, existing=True)
    try:
        total = count_queries(engine, [code], start, end)
        with progress.shown(
            "compare", err_console, unit="queries", total=total, bar_from=PROGRESS_FROM
        ) as on_progress:
            comparison = compare_options(
                engine,
                columns,
                directory,
                state=code,
                since=start,
                until=end,
                on_progress=lambda done: on_progress(done, total),
            )
    except SwitchError as exc:
        fail(exc.message)
    finally:
        engine.dispose()
    if format is Format.json:
        typer.echo(render_json(comparison, directory))
    elif format is Format.html:
        typer.echo(render_compare_html(comparison), nl=False)
    else:
        typer.echo(render_table(comparison), nl=False)
