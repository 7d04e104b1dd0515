"""`switch sim history`: a year of audit history shaped like the public
figures, written straight into the audit database."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlalchemy.exc import SQLAlchemyError

from simulators.history import (
    PROFILES,
    HistoryError,
    HistoryPlan,
    ProfileError,
    default_path,
    profile,
    write_history,
    write_truth,
)
from simulators.mockstate import cli as mock_state_cli
from switch import progress
from switch.cli import sim_scenario, sim_traffic
from switch.cli.common import err_console, fail, open_database
from switch.db.database import migrate
from switch.directory import Directory
from switch.errors import SwitchError
from switch.policy import PolicyStore
from switch.settings import Settings, policies_folder

app = typer.Typer(help="Simulators: audit history, mock states, traffic.", no_args_is_help=True)


@app.command("history", short_help="Write an audit history shaped like 2025.")
def history(
    year: int = typer.Option(2025, help="The year ending 30 September of YEAR."),
    scale: float = typer.Option(
        ..., help="Fraction of ~290 million queries a year (0.00345 is about 1,000,000)."
    ),
    db: str | None = typer.Option(
        None, "--db", help="Audit database URL (default: SWITCH_DATABASE_URL)."
    ),
    seed: int = typer.Option(0, help="The same seed writes the same history."),
    append: bool = typer.Option(
        False,
        "--append",
        help="Write into a database that already has live traffic (the history follows it "
        "in the audit chain, where prune cannot remove it).",
    ),
    profile_name: str = typer.Option(
        "letter-2025",
        "--profile",
        help=f"The named settings to write with ({', '.join(sorted(PROFILES))}).",
    ),
    relay_287g: float | None = typer.Option(
        None,
        "--relay-287g",
        help="Share of refused federal immigration queries a 287(g) sheriff repeats "
        "within minutes to hours (letter-2025: 0.15).",
    ),
    relay_hsi: float | None = typer.Option(
        None,
        "--relay-hsi",
        help="Share of refused ICE-ERO queries an HSI office repeats (letter-2025: 0.2).",
    ),
    relay_local: float | None = typer.Option(
        None,
        "--relay-local",
        help="Share of refused federal immigration queries a partner police department "
        "repeats (letter-2025: 0.15).",
    ),
    local_reason: float | None = typer.Option(
        None,
        "--local-reason",
        help="Share of those local lookups that cite an immigration reason such as "
        "WRT/ICE-WARRANT; the rest give none (letter-2025: 0.5).",
    ),
    look_alike: float | None = typer.Option(
        None,
        "--look-alike",
        help="Share of refused federal immigration queries followed the same day by an "
        "unrelated traffic-stop query about the person (letter-2025: 0.15).",
    ),
    truth: Path | None = typer.Option(
        None,
        "--truth",
        help="Where to write the ground truth, one JSON line per planted query "
        "(default: beside the database file, <db>.truth.jsonl).",
    ),
) -> None:
    """Write an audit history shaped like the public figures (290 million DMV queries
    a year, 292,114 from ICE and 605,116 from HSI), scaled, each query decided by
    the policies in force. A database that already has live traffic is refused
    unless --append. Counts and speed go to standard error; a one-line JSON
    summary to standard output. The profile's side doors (relays after a refusal, and
    innocent look-alikes) are planted as ordinary queries; what each really was goes to
    the ground-truth file, never into the audit."""
    if not 0 < scale <= 1:
        fail(f"--scale {scale} must be above 0 and at most 1")
    if not 1971 <= year <= 9999:
        fail(f"--year {year} is out of range")
    try:
        chosen = profile(profile_name).with_shares(
            relay_287g=relay_287g,
            relay_hsi=relay_hsi,
            relay_local=relay_local,
            local_reason=local_reason,
            look_alike=look_alike,
        )
    except ProfileError as exc:
        fail(str(exc))
    settings = Settings()
    plan = HistoryPlan(year=year, scale=scale, seed=seed, profile=chosen)
    try:
        directory = Directory.load(settings.directory)
        store = PolicyStore.load(policies_folder(settings))
    except SwitchError as exc:
        fail(exc.message)
    url = db or settings.database_url
    engine = open_database(url)
    # The engine's URL: --db may be a plain path.
    truth_path = truth if truth is not None else default_path(engine.url)
    if not truth_path.parent.is_dir():
        engine.dispose()
        fail(f"--truth {truth_path}: no such directory {truth_path.parent}")
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        fail(f"cannot open the audit database {url}: {exc}")
    total = sum(plan.counts().values())
    try:
        with progress.shown("history", err_console, unit="queries", total=total) as report:
            result = write_history(
                engine,
                plan,
                directory,
                store,
                append=append,
                on_progress=lambda done: report(done, total),
            )
    except HistoryError as exc:
        fail(str(exc))
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as exc:
        fail(f"cannot write the audit database: {exc}")
    finally:
        engine.dispose()
    try:
        write_truth(truth_path, result.truth, append=append)
    except OSError as exc:
        fail(f"the history is written, but not its ground truth {truth_path}: {exc}")
    planted = sum(result.planted.values())
    err_console.print(
        f"wrote {result.records:,} audit records and {result.outcomes:,} outcomes "
        f"in {result.seconds:.1f} s ({result.rows_per_s:,.0f} rows/s); "
        f"ICE {result.counts.get('ICE-ERO', 0):,}, HSI {result.counts.get('ICE-HSI', 0):,}; "
        f"{planted:,} planted ({chosen.name}), ground truth in {truth_path}",
        highlight=False,
    )
    summary = {
        "year": year,
        "scale": scale,
        "seed": seed,
        "profile": chosen.name,
        "records": result.records,
        "outcomes": result.outcomes,
        "by_requester": result.counts,
        "planted": result.planted,
        "truth": str(truth_path),
        "seconds": round(result.seconds, 3),
        "rows_per_s": round(result.rows_per_s),
    }
    typer.echo(json.dumps(summary))


app.command("state")(mock_state_cli.state)
app.command("traffic", short_help="Send a profile's traffic to a hub.")(sim_traffic.traffic)
app.command("scenario", short_help="Play a narrated scenario.")(sim_scenario.scenario)
