"""`switch sim scenario FILE|NAME`: play a scenario through a hub, narrating,
and fail loudly when an expected outcome does not happen."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import typer

from switch import terminal
from switch.cli.common import err_console, fail


def _read_keys(path: Path) -> tuple[dict[str, str], str | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"cannot read keys from {path}: {exc}")
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        fail(f'{path}: keys must be a JSON object {{"ORI": "key", ..., "admin": "key"}}')
    admin = data.pop("admin", None)
    return {str(ori).upper(): key for ori, key in data.items()}, admin


def _read_mocks(mocks: list[str]) -> dict[str, str]:
    found = {}
    for entry in mocks:
        state, sep, url = entry.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            fail(f"--mock {entry!r}: want ST=http://host:port")
        found[state.strip().upper()] = url.strip()
    return found


def scenario(
    source: str = typer.Argument(..., help="A scenario file, or a shipped one's name (ice-2025)."),
    hub: str | None = typer.Option(
        None, help="A running hub's URL; none: a hub of its own on a temporary SQLite database."
    ),
    keys: Path | None = typer.Option(
        None, "--keys", help='With --hub: JSON {"ORI": key, ..., "admin": key for warrants}.'
    ),
    mock: list[str] = typer.Option(
        [], "--mock", help="With --hub: ST=URL of a mock state the hub routes ST to; repeatable."
    ),
    pace: float = typer.Option(0.8, min=0, help="Seconds between steps; 0 also skips pauses."),
    seed: int = typer.Option(0, help="Simulator seed the placeholders' drivers come from."),
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        help="Show each answer's text (the record, the ER) under its flow.",
    ),
) -> None:
    """Play a scenario: its steps narrated, each flow shown as it travels
    (agency → hub → policy → state). Exits 1, naming the step, what was
    expected and what came, if an outcome is not the expected one."""
    from simulators.harness import local_session
    from simulators.scenarios import (
        ScenarioError,
        SetupError,
        console_narrator,
        load_scenario,
        play_session,
        remote_session,
    )

    if hub is None and (keys or mock):
        fail("--keys and --mock go with --hub; without --hub the scenario makes its own hub")
    if hub is not None and keys is None:
        fail("--hub needs the senders' keys: --keys FILE")
    try:
        chosen = load_scenario(source)
    except ScenarioError as exc:
        fail(str(exc))
    narrate = console_narrator(terminal.console())
    try:
        with ExitStack() as stack:
            if hub is None:
                with err_console.status("starting a hub and its mock states…"):
                    session = stack.enter_context(local_session(chosen, seed=seed))
            else:
                assert keys is not None
                agency_keys, admin = _read_keys(keys)
                session = remote_session(
                    chosen, hub, agency_keys, admin_key=admin, mocks=_read_mocks(mock)
                )
                for control in session.controls.values():
                    stack.callback(control.close)
            outcome = play_session(
                chosen, session, pace=pace, seed=seed, on_line=narrate, verbose=verbose
            )
    except SetupError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", code=130)
    if outcome.failure is not None:
        fail(f"scenario {chosen.name} failed at {outcome.failure}")


__all__ = ["scenario"]
