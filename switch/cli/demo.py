"""`switch demo`: watch agencies query states through a live hub."""

from __future__ import annotations

from pathlib import Path

import typer

from switch.cli.common import fail


def demo(
    duration: float = typer.Option(
        20.0, min=1, help="Seconds to run before the summary, once the hub is ready."
    ),
    serve: bool = typer.Option(False, "--serve", help="Keep serving after the summary."),
    port: int | None = typer.Option(
        None, min=1, max=65535, help="Port for the hub (default: a free one)."
    ),
    database: Path | None = typer.Option(
        None,
        help="SQLite file, made afresh unless a running demo holds it "
        "(default: a new folder under .switch/demo/ for each run).",
    ),
) -> None:
    """Start a hub on SQLite with built-in DMVs, play a narrated scenario through
    its HTTP API, then live traffic, and print a summary. Each run keeps its
    own database and agency keys, and prints the `switch sim traffic` command
    that sends more traffic to its hub. Exits 1 if the port is taken or the
    database belongs to a demo that is still running."""
    # The hub's stack loads only for verbs that run it.
    from switch.demo.files import DemoFilesBusy
    from switch.demo.run import run_demo
    from switch.serving.server import HubStartError

    try:
        run_demo(duration=duration, keep_serving=serve, port=port, database=database)
    except (DemoFilesBusy, HubStartError) as exc:
        fail(str(exc))
    except OSError as exc:  # its folder or database cannot be made: say which
        fail(f"the demo cannot run: {exc}")
