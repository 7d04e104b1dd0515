"""`switch demo`: watch agencies query states through a live hub."""

from __future__ import annotations

from pathlib import Path

import typer


def demo(
    duration: float = typer.Option(20.0, min=1, help="Seconds to run before the summary."),
    serve: bool = typer.Option(False, "--serve", help="Keep serving after the summary."),
    port: int | None = typer.Option(None, help="Port for the hub (default: a free one)."),
    database: Path = typer.Option(Path(".switch/demo.db"), help="SQLite file, made afresh."),
) -> None:
    """Start a hub on SQLite with built-in DMVs, play a narrated scenario through
    its HTTP API, then live traffic, and print a summary."""
    from switch.demo.run import run_demo  # the hub's stack loads only for verbs that run it

    run_demo(duration=duration, keep_serving=serve, port=port, database=database)
