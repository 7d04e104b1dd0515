"""`switch sim state ST --port N` (or `python -m simulators.mockstate`): a
mock state DMV as its own HTTP service. The command lives with the mock
state; switch.cli only registers it, so nothing here imports the CLI, and
its two small helpers say what switch.cli.common says, in the same words."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.markup import escape

from switch import terminal
from switch.directory.jurisdictions import JURISDICTIONS

_err_console = terminal.console(stderr=True)


def fail(reason: str, code: int = 1) -> NoReturn:
    _err_console.print(f"[bold red]error:[/] {reason}", highlight=False)
    raise typer.Exit(code)


def known_state(value: str) -> str:
    """The jurisdiction code `value` names, upper-cased; fails with one line
    when it names none."""
    code = value.strip().upper()
    if code in JURISDICTIONS:
        return code
    # Escaped: what was typed is shown as typed, never read as markup.
    fail(escape(f"unknown state {value!r}: expected a jurisdiction code such as WA"))


def state(
    state: str = typer.Argument(..., metavar="ST", help="The state to play, e.g. WA."),
    port: int = typer.Option(0, help="Port to listen on; 0 picks a free one."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    seed: int = typer.Option(0, help="Seed of the generated records and of fault draws."),
    records: Path | None = typer.Option(
        None, help="Records fixture (YAML or JSON): drivers and vehicles to answer exactly."
    ),
    generated: bool = typer.Option(
        True, "--generated/--no-generated", help="Answer from generated records too."
    ),
    faults_file: Path | None = typer.Option(
        None, "--faults", help="Faults file (YAML or JSON list of fault specs)."
    ),
    fault: list[str] = typer.Option(
        [],
        "--fault",
        help="A fault, TYPE[@PROBABILITY][:NAME=VALUE,...], e.g. error@0.1, "
        "latency:ms=200, jitter:distribution=normal,ms=300,spread=50, "
        "out_of_service:keys=DQ+KQ, reset@0.5. Repeatable.",
    ),
    latency: float | None = typer.Option(None, help="Delay every answer by this many ms."),
    error_rate: float | None = typer.Option(
        None, help="Answer this share of queries (0..1) with HTTP 500."
    ),
    down: bool = typer.Option(False, "--down", help="Answer every query 503 (out of service)."),
    xml: bool = typer.Option(
        False,
        "--xml",
        help="Speak Nlets XML 4.00 on POST /v1/query; the URL announced ends in ?form=xml.",
    ),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
) -> None:
    """Run a mock state DMV until Ctrl-C or SIGTERM.

    It answers the switch's POST /v1/query (JSON, or Nlets XML with --xml),
    and has an admin API under /admin (records, faults, journal, reset;
    OpenAPI at /docs). The line `mock state ST listening on URL` goes to
    standard error once it accepts connections. Point a hub at it with
    SWITCH_STATES="ST=URL" (with --xml the URL ends in ?form=xml, which
    makes the hub speak XML to it).

    \b
    Fault types, their params, and --fault examples:
      latency         ms                          latency:ms=400
      jitter          distribution, ms, spread    jitter:distribution=normal,ms=300,spread=50
      error           status (500..599, not 503)  error@0.1:status=502
      timeout         seconds (optional)          timeout:seconds=5
      reset           none                        reset@0.5
      malformed       kind                        malformed:kind=truncated
      out_of_service  none (scope with keys)      out_of_service:keys=DQ+KQ
    distribution: uniform (ms ± spread), normal (mean ms, stddev spread),
    exponential (mean ms); kind: garbage, truncated, wrong_shape, wrong_key.

    \b
    In a --faults file (a YAML or JSON list), PUT /admin/faults or the pytest
    plugin's mock_state(faults=[...]), a fault is a mapping:
      {"type": "latency", "params": {"ms": 400}}
      {"type": "latency", "ms": 400}    (the same: params may sit beside type)
      {"type": "error", "probability": 0.1, "params": {"status": 502}}
      {"type": "out_of_service", "keys": ["DQ", "KQ"]}
    Every fault also takes probability (0..1, default 1: the chance it hits a
    query), keys and oris (scope it), name (default: the type) and seed.
    """
    # Loaded here so light verbs start fast.
    from simulators.mockstate import (
        Fault,
        MockState,
        MockStateError,
        fault_from,
        load_faults,
        load_records,
        parse_fault,
        serve,
    )

    code = known_state(state)
    faults: list[Fault] = []
    try:
        if faults_file is not None:
            faults.extend(load_faults(faults_file))
        faults.extend(parse_fault(text) for text in fault)
        if latency is not None:
            faults.append(fault_from({"type": "latency", "params": {"ms": latency}}))
        if error_rate is not None:
            faults.append(fault_from({"type": "error", "probability": error_rate}))
        if down:
            faults.append(fault_from({"type": "out_of_service"}))
        programmed = load_records(records) if records is not None else None
        service = MockState(code, seed=seed, records=programmed, faults=faults, generated=generated)
    except (MockStateError, ValueError) as err:
        fail(str(err))
    try:
        serve(service, host=host, port=port, log_level=log_level, xml=xml)
    except OSError as err:
        fail(f"cannot listen on {host}:{port}: {err.strerror or err}")
