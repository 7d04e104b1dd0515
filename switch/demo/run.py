"""`switch demo`: a hub on SQLite with built-in DMVs, the shipped `demo`
scenario narrated through the real HTTP API by the scenario player, live
background traffic shown by the same player, then a summary."""

from __future__ import annotations

import asyncio
import itertools
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console

from simulators.harness import HubScenarioRunner
from simulators.scenarios import (
    ClientTarget,
    Scenario,
    ScenarioPlayer,
    console_narrator,
    issue_warrants,
    load_scenario,
)
from switch import terminal
from switch.access.keys import issue_key, issue_keys
from switch.app.runtime import Runtime
from switch.client import AsyncSwitchClient
from switch.db.database import migrate, open_engine
from switch.demo.files import DEMO_ROOT, DemoFiles, claim_files
from switch.demo.summary import TalliedTarget, Tally
from switch.demo.traffic import CYCLE, random_messages, refused_queries
from switch.directory import Directory
from switch.policy.store import PolicyStore
from switch.serving.server import running_hub
from switch.settings import Settings, policies_folder
from switch.warrants import WarrantRegistry


@dataclass(frozen=True, slots=True)
class RunningDemo:
    url: str
    files: DemoFiles
    settings: Settings
    directory: Directory
    # Agency keys by ORI (also in `files.keys`) and the trainer's admin key.
    keys: dict[str, str]
    admin_key: str
    # Ids of the warrants the narration cites, by the scenario's names for them.
    warrants: dict[str, str]

    @property
    def traffic_command(self) -> str:
        """A `switch sim traffic` line to paste into another terminal."""
        return shlex.join(
            [
                *_switch_program(),
                *("sim", "traffic", "--hub", self.url, "--keys", str(self.files.keys.resolve())),
                *("--profile", "letter-2025", "--rate", "5", "--duration", "60"),
            ]
        )


@contextmanager
def running_demo(
    *,
    port: int | None = None,
    database: Path | None = None,
    root: Path = DEMO_ROOT,
    console: Console,
) -> Iterator[RunningDemo]:
    """A hub serving the demo's own database, seeded with keys and warrants,
    until the block ends. Raises DemoFilesBusy and HubStartError."""
    with claim_files(database, root=root) as files:
        settings = Settings(database_url=files.database_url)
        directory = Directory.load(settings.directory)
        keys, admin_key, warrants = _seed(settings, directory, narration())
        files.write_keys(keys)
        with running_hub(
            lambda: Runtime(settings), port=port, scenario_runner=HubScenarioRunner
        ) as url:
            demo = RunningDemo(url, files, settings, directory, keys, admin_key, warrants)
            # Lines to copy from are printed whole whatever the console (soft_wrap).
            console.print(
                f"[bold]Switch hub[/] at {url} (API docs {url}/docs), audit in {files.database}",
                highlight=False,
                soft_wrap=True,
            )
            view = f"Trainer's view: {url}/#key={admin_key}"
            console.print(view, highlight=False, soft_wrap=True)
            console.print("More traffic, from another terminal while the hub runs:")
            console.print(demo.traffic_command, markup=False, highlight=False, soft_wrap=True)
            yield demo


def narration() -> Scenario:
    """The steps the demo narrates: the shipped scenario `demo`."""
    return load_scenario("demo")


def _seed(
    settings: Settings, directory: Directory, scenario: Scenario
) -> tuple[dict[str, str], str, dict[str, str]]:
    """Agency keys for every ORI, an admin key, and the narration's warrants."""
    engine = open_engine(settings.database_url)
    try:
        migrate(engine)
        senders = sorted(set(scenario.senders) | {a.ori for a in directory})
        keys = dict(zip(senders, issue_keys(engine, senders), strict=True))
        admin_key = issue_key(engine, admin_scope="*")
        registry = WarrantRegistry(engine, directory)
        warrants = issue_warrants(registry, scenario, seed=settings.simulator_seed)
    finally:
        engine.dispose()
    return keys, admin_key, warrants


def run_demo(
    *,
    duration: float,
    keep_serving: bool = False,
    port: int | None = None,
    database: Path | None = None,
    root: Path = DEMO_ROOT,
    pace: float = 0.4,
    console: Console | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Returns the number of messages sent. `clock` and `sleep` time the live
    part: it runs until `duration` seconds after the hub was ready, and for
    one cycle of its traffic at least, so that every demo shows a refusal."""
    console = console or terminal.console()
    tally = Tally()
    with running_demo(port=port, database=database, root=root, console=console) as demo:
        policies = PolicyStore.load(policies_folder(demo.settings))
        refused = refused_queries(demo.directory, policies)
        with console.status("indexing the simulated DMVs' records…"):
            _wait_until_warm(demo.url)
        # The indexing is the hub's start-up, not the demo: on a busy machine
        # it can take most of a short --duration.
        started = clock()
        live = _Live(demo, refused, duration, pace, started, clock, sleep)
        try:
            asyncio.run(_play(demo, tally, console, live))
        except KeyboardInterrupt:
            console.print("[dim]interrupted[/]")
        tally.show(console)
        if keep_serving:
            console.print(f"Still serving at {demo.url}; Ctrl-C to stop. More traffic:")
            console.print(demo.traffic_command, markup=False, highlight=False, soft_wrap=True)
            try:
                while True:
                    sleep(1)
            except KeyboardInterrupt:
                pass
    return tally.sent


@dataclass(frozen=True, slots=True)
class _Live:
    """How long the live part runs, and what it draws from."""

    demo: RunningDemo
    refused: list[tuple[str, str]]
    duration: float
    pace: float
    started: float
    clock: Callable[[], float]
    sleep: Callable[[float], None]


async def _play(demo: RunningDemo, tally: Tally, console: Console, live: _Live) -> None:
    """The narration, always whole (with each answer's text), then live
    traffic (flow lines only) through the same player."""
    async with AsyncSwitchClient(demo.url, "", timeout=70.0) as client:
        target = TalliedTarget(ClientTarget(client, demo.keys, {}), tally)
        player = ScenarioPlayer(
            target,
            warrants=demo.warrants,
            pace=0,
            seed=demo.settings.simulator_seed,
            on_line=console_narrator(console),
            verbose=True,
        )
        await player.play(narration())
        terminal.heading(console, "Live traffic")
        traffic = random_messages(demo.directory, refused=live.refused)
        for sent in itertools.count():
            if sent >= len(CYCLE) and live.clock() - live.started >= live.duration:
                break
            sender, text = next(traffic)
            await player.flow(sender, text, wait=10.0, verbose=False)
            # The demo's own clock (a test's fake one) paces it; nothing
            # else runs on this loop meanwhile.
            live.sleep(live.pace)


def _wait_until_warm(url: str, timeout: float = 20.0) -> None:
    """The built-in DMVs index names behind start-up; a narrated NL query
    should not pay for that."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=5.0) as http:
        while time.monotonic() < deadline:
            if http.get("/healthz").json().get("warm"):
                return
            time.sleep(0.1)


def _switch_program() -> list[str]:
    """How to run this installation's `switch`: by name when the shell finds
    this one, else by its path (`make demo` runs it from `.venv/bin`)."""
    beside = Path(sys.executable).parent / "switch"
    found = shutil.which("switch")
    if not beside.exists() or (found is not None and Path(found).resolve() == beside.resolve()):
        return ["switch"]
    return [str(beside.absolute())]
