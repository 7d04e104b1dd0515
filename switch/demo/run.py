"""`switch demo`: a hub on SQLite with built-in DMVs, a narrated scenario
through the real HTTP API, live background traffic, then a summary."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from simulators.dmv import StateDMV
from switch.audit.database import migrate, open_engine
from switch.demo.player import Player
from switch.demo.scenario import WARRANT_SUBJECT, scripted_steps
from switch.demo.traffic import random_messages
from switch.directory import Directory
from switch.keys import issue_key, issue_keys
from switch.runtime import Runtime
from switch.server import running_hub
from switch.settings import Settings
from switch.warrants import WarrantRegistry


def _fresh_database(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def run_demo(
    *,
    duration: float,
    keep_serving: bool = False,
    port: int | None = None,
    database: Path = Path(".switch/demo.db"),
    pace: float = 0.4,
    console: Console | None = None,
) -> int:
    """Returns the number of messages sent."""
    console = console or Console()
    settings = Settings(database_url=_fresh_database(database))
    directory = Directory.load(settings.directory)
    engine = open_engine(settings.database_url)
    migrate(engine)
    senders = sorted({step.sender for step in scripted_steps()} | {a.ori for a in directory})
    keys = dict(zip(senders, issue_keys(engine, senders), strict=True))
    admin_key = issue_key(engine, admin_scope="*")
    state, index = WARRANT_SUBJECT
    subject = StateDMV(state, seed=settings.simulator_seed).driver(index)["OLN"]
    registry = WarrantRegistry(engine, directory)
    warrants = {
        "administrative": registry.issue(kind="administrative", to="VTICE0900", oln=subject).id,
        "judicial": registry.issue(kind="judicial", to="VTICE0900", oln=subject).id,
    }
    engine.dispose()

    with running_hub(lambda: Runtime(settings), port=port) as url:
        started = time.monotonic()
        console.print(f"[bold]Switch hub[/] at {url} (API docs {url}/docs), audit in {database}")
        console.print(f"Trainer's view: {url}/#key={admin_key}", highlight=False, soft_wrap=True)
        player = Player(url, keys, console)
        with console.status("indexing the simulated DMVs' records…"):
            player.wait_until_warm()
        try:
            # The narration always plays whole; live traffic fills the rest.
            steps = scripted_steps(settings.simulator_seed, **warrants)
            for number, step in enumerate(steps, start=1):
                player.play_step(number, step)
            console.rule("[bold]Live traffic[/]", align="left", style="cyan")
            traffic = random_messages(directory)
            while time.monotonic() - started < duration:
                sender, text = next(traffic)
                status, body = player.send(sender, text)
                player.show(sender, status, body, verbose=False)
                time.sleep(pace)
        except KeyboardInterrupt:
            console.print("[dim]interrupted[/]")
        finally:
            player.close()
        console.print(player.tally.table())
        if keep_serving:
            console.print(f"Still serving at {url}; Ctrl-C to stop.")
            try:
                while True:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
    return sum(player.tally.by_key.values())
