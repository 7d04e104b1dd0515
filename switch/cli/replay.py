"""`switch policy replay`: what a candidate policy would have done to every
recorded query."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from switch import progress, terminal
from switch.cli.common import err_console, fail, open_database
from switch.cli.impact import OutputFormat
from switch.cli.policy_promote import replay_against_candidate
from switch.directory import Directory
from switch.errors import SwitchError
from switch.impact.replay import replay_policies
from switch.impact.replay_input import choose_states, load_candidates, parse_window
from switch.impact.replay_render import print_replay_table, render_replay_csv, render_replay_json
from switch.impact.replay_source import count_queries
from switch.policy import PolicyError
from switch.settings import Settings

# Below this many rows a replay ends before a bar would be worth drawing.
PROGRESS_FROM = 100_000


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def replay(
    candidate: Path | None = typer.Option(
        None, "--candidate", help="A candidate policy file, or a folder of <ST>.yaml files."
    ),
    against_candidate: bool = typer.Option(
        False,
        "--against-candidate",
        help="Replay --state's candidate version in the database (default: the last 90 "
        "days), kept as the evidence `switch policy promote` needs.",
    ),
    db: str | None = typer.Option(
        None, "--db", help="Audit database URL (default: SWITCH_DATABASE_URL)."
    ),
    hub: str | None = typer.Option(
        None, "--hub", help="With --against-candidate: a running hub's URL."
    ),
    key: str | None = typer.Option(None, "--key", envvar="SWITCH_KEY", help="Admin key for --hub."),
    state: list[str] | None = typer.Option(
        None,
        "--state",
        help="Only this state (repeatable; default: every state the candidate covers).",
    ),
    since: str | None = typer.Option(
        None, "--since", help="From this ISO date or time (UTC unless a zone is given)."
    ),
    until: str | None = typer.Option(
        None, "--until", help="Up to this ISO date (the whole day) or time, inclusive."
    ),
    format: Format = typer.Option(Format.table, "--format", help="How to show the changes."),
) -> None:
    """Re-decide every recorded query with a candidate policy and show what changes:
    counts by old → new effect, by requester department, component, type and state,
    with example message ids. Loosenings (deny → permit) come first."""
    if against_candidate:
        if candidate is not None:
            fail("give --candidate FILE or --against-candidate, not both")
        shown = OutputFormat.json if format is Format.json else OutputFormat.table
        if format is Format.csv:
            fail("--against-candidate shows a table or json")
        replay_against_candidate(state, since, until, shown, hub, key, db)
        return
    if candidate is None:
        fail("give --candidate FILE (or --state ST --against-candidate)")
    if hub is not None:
        fail("--hub goes with --against-candidate; --candidate FILE replays on --db")
    settings = Settings()
    try:
        candidates = load_candidates(candidate)
        directory = Directory.load(settings.directory)
        states = choose_states(candidates, directory, state)
        start, end = parse_window(since, until)
    except PolicyError as exc:
        for problem in exc.problems:
            # One problem a line, unwrapped: editors and scripts jump to file:line.
            err_console.print(str(problem), soft_wrap=True, highlight=False, markup=False)
        fail(f"candidate policy refused: {len(exc.problems)} problem(s)")
    except SwitchError as exc:
        fail(exc.message)
    url = db or settings.database_url
    engine = open_database(url, existing=True)
    try:
        total = count_queries(engine, states, start, end)
        with progress.shown(
            "replay", err_console, unit="queries", total=total, bar_from=PROGRESS_FROM
        ) as on_progress:
            report = replay_policies(
                engine,
                candidates,
                directory,
                states=states,
                since=start,
                until=end,
                on_progress=lambda done: on_progress(done, total),
            )
    except SwitchError as exc:
        fail(exc.message)
    finally:
        engine.dispose()
    if format is Format.json:
        typer.echo(render_replay_json(report))
    elif format is Format.csv:
        typer.echo(render_replay_csv(report), nl=False)
    else:
        print_replay_table(report, terminal.console())
