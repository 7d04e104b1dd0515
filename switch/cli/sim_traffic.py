"""`switch sim traffic`: agency traffic at a set rate, open model, then a summary."""

from __future__ import annotations

import asyncio
import json
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import typer
from rich.markup import escape

from switch import terminal
from switch.cli.common import err_console, fail
from switch.db.database_url import DatabaseURLError


def traffic(
    profile: str = typer.Option(
        "national", "--profile", "-p", help="national | letter-2025 | outage."
    ),
    rate: float = typer.Option(50.0, min=0.001, help="Arrivals per second."),
    duration: float = typer.Option(10.0, min=0.001, help="Seconds of arrivals."),
    hub: str | None = typer.Option(
        None, help="A running hub's URL; none: a hub of our own on a temporary SQLite database."
    ),
    keys: Path | None = typer.Option(
        None, "--keys", help="With --hub: JSON {ORI: agency key}; only those ORIs send."
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="With --hub: its database URL or SQLite file; keys are issued there for the profile.",
    ),
    seed: int = typer.Option(0, help="Seed of the profile's draws (and Poisson arrivals)."),
    arrivals: str = typer.Option("constant", help="constant (every 1/rate s) | poisson."),
    wait: float | None = typer.Option(
        None, min=0, max=60, help="Seconds each message waits for its states (default: hub's)."
    ),
    connections: int = typer.Option(64, min=1, help="HTTP connections to the hub, at most."),
    max_in_flight: int = typer.Option(
        1000, min=1, help="Requests out at once, at most; arrivals beyond are dropped, counted."
    ),
    same_process: bool = typer.Option(
        False,
        "--same-process",
        help="Without --hub: run the hub in a thread here, not a child process "
        "(it then shares the interpreter lock with the generator).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Send a profile's traffic at RATE per second for DURATION seconds, on
    schedule however slow the answers (an open model), with live progress on
    standard error; then the achieved rate, latency percentiles, outcomes and
    decisions by requester component. `outage` is meant to be run while some
    states are down or slowed. Exits 1 if any request failed, 130 if
    interrupted (Ctrl-C stops the sending and still prints the summary)."""
    # The hub's stack and the simulators load only for verbs that run them.
    from simulators.harness.traffic_hubs import (
        HubSetupError,
        issue_keys_in,
        load_keys,
        local_hub,
        wait_until_warm,
    )
    from simulators.traffic import Plan, drive, get_profile
    from simulators.traffic.report import LiveProgress, summary_tables
    from switch.directory import Directory
    from switch.settings import Settings

    if hub is None and (keys or db):
        fail("--keys and --db go with --hub; without --hub the run makes its own hub and keys")
    if hub is not None and (keys is None) == (db is None):
        fail("--hub needs its agency keys: --keys FILE (JSON {ORI: key}) or --db URL")
    try:
        chosen = get_profile(profile)
        plan = Plan(
            chosen,
            rate,
            duration,
            seed=seed,
            arrivals=arrivals,
            wait=wait,
            connections=connections,
            max_in_flight=max_in_flight,
            dmv_seed=Settings().simulator_seed,
        )
        plan.offsets()  # refuses a bad --arrivals before any hub starts
        directory = Directory.load(Settings().directory)
        senders = chosen.senders(directory)
    except ValueError as exc:
        fail(str(exc))

    target: AbstractContextManager[tuple[str, dict[str, str]]]
    try:
        if hub is None:
            target = local_hub(senders, same_process=same_process)
        elif keys is not None:
            target = nullcontext((hub, load_keys(keys)))
        else:
            assert db is not None
            target = nullcontext((hub, issue_keys_in(db, senders)))
        with target as (url, agency_keys):
            with err_console.status(f"waiting for the hub at {url} to index its DMVs…"):
                if not wait_until_warm(url):
                    err_console.print("[yellow]the hub is still indexing; starting anyway[/]")
            err_console.print(
                f"[bold]{chosen.name}[/]: {chosen.summary}; {rate:g}/s for {duration:g} s → {url}",
                highlight=False,
                soft_wrap=True,
            )
            with LiveProgress(err_console) as live:
                summary = asyncio.run(
                    drive(url, agency_keys, plan, directory=directory, on_progress=live)
                )
    except (HubSetupError, ValueError) as exc:
        fail(str(exc))
    except DatabaseURLError as exc:
        fail(escape(exc.message))
    except KeyboardInterrupt:
        fail("interrupted before the run began", code=130)

    if as_json:
        typer.echo(json.dumps(summary.as_json()))
    else:
        terminal.console().print(summary_tables(summary))
    if summary.errors:
        fail(f"{summary.errors} of {summary.sent} requests failed: {dict(summary.outcomes)}")
    if summary.interrupted:
        raise typer.Exit(130)


__all__ = ["traffic"]
