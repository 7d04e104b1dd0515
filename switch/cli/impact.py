"""`switch policy diff|matrix`: what a rule change would do, and who can get
a state's data (registered by `switch.cli.policy`); `switch impact proxies`:
queries that may have been made for a refused federal requester (the
`impact` group, registered by `switch.cli`). The work is in `switch.impact`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.text import Text

from switch import progress, terminal
from switch.cli.common import err_console, fail, known_state, open_database
from switch.directory import Directory, DirectoryError
from switch.errors import SwitchError
from switch.impact.diff import diff_paths, load_policies
from switch.impact.diff_render import render_diff
from switch.impact.matrix import state_matrix
from switch.impact.matrix_national import national_matrix
from switch.impact.matrix_render import render_national, render_state_matrix
from switch.impact.proxies import find_proxies
from switch.impact.proxies_input import parse_period, parse_span, parse_state
from switch.impact.proxies_render import print_table, render_csv, render_html, render_json
from switch.impact.proxies_truth import TruthScore, against_truth, read_truth
from switch.policy import CompiledPolicy, PolicyError
from switch.settings import Settings, policies_folder


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class ProxyFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


app = typer.Typer(
    help="What access costs and who gets round it: queries made for others.",
    no_args_is_help=True,
)
# Below this many records the detector ends before a bar would be worth drawing.
PROGRESS_FROM = 200_000


def _directory() -> Directory:
    try:
        return Directory.load(Settings().directory)
    except DirectoryError as exc:
        fail(str(exc))


def _refuse(exc: PolicyError) -> NoReturn:
    # One `file:line: reason` a line, unwrapped, so editors and scripts can jump to it.
    for problem in exc.problems:
        typer.echo(str(problem), err=True)
    fail(f"{len(exc.problems)} problem(s): policy refused")


def _show(lines: Iterable[Text]) -> None:
    console = terminal.console(highlight=False)
    for line in lines:
        console.print(line)


def _emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, indent=1))


def diff(
    old: Path = typer.Argument(..., help="The policy as it is: a file, or a folder of <ST>.yaml."),
    new: Path = typer.Argument(..., help="The policy as proposed: a file, or a folder."),
    format_: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
    state: str | None = typer.Option(None, "--state", help="Compare only this state."),
) -> None:
    """Semantic diff: every request class whose effect, redactions or obligations
    change, loosenings (deny → permit) first. A state on one side only is
    compared against no policy (permit all). Exit 0 when the comparison ran."""
    wanted = known_state(state) if state is not None else None
    directory = _directory()
    for path in (old, new):
        if not path.exists():
            fail(f"{path}: no such policy file or folder")
    try:
        report = diff_paths(old, new, directory, wanted)
    except PolicyError as exc:
        _refuse(exc)
    if format_ is OutputFormat.json:
        _emit(report.as_dict())
    else:
        _show(render_diff(report))


def _policies(path: Path | None, state: str | None) -> dict[str, CompiledPolicy]:
    folder = path or policies_folder(Settings())
    if folder is None or not folder.exists():
        fail(f"no policies at {folder or 'policies/'}; give --policies or set SWITCH_POLICIES")
    if state is not None and folder.is_dir():
        # One state's matrix reads one file: another state's broken file is not its business.
        folder = folder / f"{state}.yaml"
        if not folder.exists():
            return {}
    try:
        return load_policies(folder)
    except PolicyError as exc:
        _refuse(exc)


def matrix(
    state: str | None = typer.Argument(None, help="The state whose data, e.g. WA."),
    national: bool = typer.Option(False, "--national", help="Every jurisdiction, one component."),
    component: str | None = typer.Option(
        None, "--component", help="With --national: the component, e.g. ICE-HSI."
    ),
    format_: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
    policies: Path | None = typer.Option(
        None, "--policies", help="Policy folder (default: policies/)."
    ),
) -> None:
    """Who can get a state's data, and how: requester classes by keys and
    warrant levels → effect. With --national --component C: where C can still query,
    and where the other components of its department fare differently."""
    directory = _directory()
    if national:
        if state is not None:
            fail("give a STATE or --national, not both")
        if component is None:
            fail("--national needs --component, e.g. --component ICE-HSI")
        try:
            result = national_matrix(_policies(policies, None), directory, component)
        except KeyError as exc:
            fail(str(exc.args[0]))
        if format_ is OutputFormat.json:
            _emit(result.as_dict())
        else:
            _show(render_national(result))
        return
    if state is None:
        fail("give a STATE (e.g. WA), or --national --component C")
    if component is not None:
        fail("--component goes with --national")
    code = known_state(state)
    found = _policies(policies, code)
    table = state_matrix(found.get(code), directory, code)
    if format_ is OutputFormat.json:
        _emit(table.as_dict())
    else:
        _show(render_state_matrix(table))


@app.command("proxies", short_help="Queries that may have been made for a refused agency.")
def proxies(
    state: str | None = typer.Option(None, "--state", help="Only refusals by this state."),
    since: str | None = typer.Option(
        None, "--since", help="Later queries from this ISO date or time (UTC unless a zone)."
    ),
    until: str | None = typer.Option(
        None, "--until", help="Up to this ISO date (the whole day) or time, inclusive."
    ),
    window: str = typer.Option(
        "24h", "--window", help="How long after a refusal a query counts (24h, 90m, 2d)."
    ),
    format_: ProxyFormat = typer.Option(
        ProxyFormat.table, "--format", help="table, json, csv, html."
    ),
    truth: Path | None = typer.Option(
        None, "--truth", help="A history's ground truth: also precision and recall per pattern."
    ),
    db: str | None = typer.Option(
        None, "--db", help="Audit database URL (default: SWITCH_DATABASE_URL)."
    ),
) -> None:
    """Later queries about a person their state refused to ICE-ERO, ICE-HSI or CBP:
    linked by OLN, NAM and DOB, or plate; scored by who asks (287(g), HSI after ERO,
    task force or its county), how soon, and the declared reason. Each suspected relay
    with its evidence and score, and totals by requester and by pattern."""
    try:
        code = parse_state(state)
        start, end = parse_period(since, until)
        span = parse_span(window)
        entries = read_truth(truth) if truth is not None else None
    except SwitchError as exc:
        fail(exc.message)
    directory = _directory()
    engine = open_database(db or Settings().database_url, existing=True)
    try:
        with progress.shown(
            "proxies", err_console, unit="records", bar_from=PROGRESS_FROM
        ) as on_progress:
            report = find_proxies(
                engine, directory, state=code, since=start, until=end, window=span,
                on_progress=on_progress,
            )  # fmt: skip
    except SwitchError as exc:
        fail(exc.message)
    finally:
        engine.dispose()
    scored: TruthScore | None = against_truth(report, entries) if entries is not None else None
    if format_ is ProxyFormat.json:
        typer.echo(render_json(report, scored))
    elif format_ is ProxyFormat.csv:
        typer.echo(render_csv(report, scored), nl=False)
    elif format_ is ProxyFormat.html:
        typer.echo(render_html(report, scored), nl=False)
    else:
        print_table(report, terminal.console(highlight=False), scored)
