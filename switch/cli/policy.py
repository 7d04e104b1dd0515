"""`switch policy check|test|explain`: write a state's rules, test them,
and see why a request gets the answer it gets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer

from switch import terminal
from switch.cli import impact, policy_promote, policy_versions, replay
from switch.cli.common import err_console, fail, known_state, open_database
from switch.db.database import migrate
from switch.directory import Directory
from switch.errors import MessageError
from switch.policy import PolicyError, PolicyProblem, compile_policy, load_policy_file
from switch.policy.cases import run_file
from switch.policy.lint import never_deciding, unknown_values
from switch.policy.requests import probe_request
from switch.policy.schema import policy_schema_text
from switch.policy.store import PolicyStore
from switch.policy.trace_text import format_trace
from switch.settings import Settings, policy_location
from switch.warrants import WarrantRegistry

app = typer.Typer(help="Check, test and explain state policies.", no_args_is_help=True)


def _folder(path: Path | None, hint: str = "give a PATH or set SWITCH_POLICIES") -> Path:
    """The path given, else the folder a hub would enforce (SWITCH_POLICIES,
    ./policies, the policies shipped with the package)."""
    if path is not None:
        if not path.exists():
            fail(f"no policies at {path}")
        return path
    location = policy_location(Settings())
    if location.folder is None:
        fail(f"{location.nowhere()}; {hint}")
    return location.folder


def _policy_paths(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files = sorted(path.glob("*.yaml")) + sorted((path / "candidates").glob("*.yaml"))
    return [p for p in files if p.stem.isupper() and len(p.stem) == 2]


@app.command("check", short_help="Validate policy files.")
def check(
    path: Path | None = typer.Argument(
        None, help="A policy file or folder (default: the folder a hub would enforce)."
    ),
) -> None:
    """Validate policies: schema errors with file and line, values no agency has,
    rules that can never decide. Exit 1 on any problem."""
    folder = _folder(path)
    directory = Directory.load(Settings().directory)
    problems: list[PolicyProblem] = []
    paths = _policy_paths(folder)
    if not paths:
        fail(f"no <ST>.yaml policy files in {folder}")
    for file in paths:
        try:
            loaded = load_policy_file(file)
        except PolicyError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(unknown_values(loaded, directory))
        problems.extend(never_deciding(loaded, compile_policy(loaded), directory))
    for problem in problems:
        err_console.print(f"[red]{problem}[/]", highlight=False)
    if problems:
        fail(f"{len(problems)} problem(s) in {len(paths)} file(s)")
    terminal.console().print(f"{len(paths)} policy file(s) checked: no problems")


@app.command("test")
def test(
    path: Path | None = typer.Argument(
        None, help="Test file or folder (default: tests/ of the policy folder)."
    ),
    policies: Path | None = typer.Option(
        None, help="Policy folder (default: the folder a hub would enforce)."
    ),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="List every case."),
) -> None:
    """Run policy test cases; failures print the explain trace. Exit 1 on failure."""
    folder = _folder(policies, "give --policies or set SWITCH_POLICIES")
    tests = path or folder / "tests"
    files = [tests] if tests.is_file() else sorted(tests.glob("*.yaml"))
    if not files:
        fail(f"no test files in {tests}")
    directory = Directory.load(Settings().directory)
    try:
        store = PolicyStore.load(folder)
    except PolicyError as exc:
        fail(str(exc))
    console = terminal.console()
    passed = failed = 0
    for file in files:
        policy = store.get(file.stem.upper())
        if policy is None:
            fail(f"{file}: no policy for {file.stem.upper()} in {folder}")
        try:
            result = run_file(file, policy, directory)
        except PolicyError as exc:
            fail(str(exc))
        for case in result.results:
            if case.passed:
                passed += 1
                if verbose:
                    console.print(f"[green]PASS[/] {file.stem}: {case.case.name}", highlight=False)
                continue
            failed += 1
            console.print(f"[red]FAIL[/] {file}: {case.case.name}", highlight=False)
            for failure in case.failures:
                console.print(f"  {failure}", highlight=False)
            if case.trace is not None:
                console.print(format_trace(case.trace), highlight=False, markup=False)
        covered = [r for r, n in result.coverage.items() if n]
        missing = [r for r, n in result.coverage.items() if not n]
        line = (
            f"{file.stem}: {len(result.results)} case(s), "
            f"coverage {len(covered)}/{len(result.coverage)} rules"
        )
        console.print(line + (f" (never decided: {', '.join(missing)})" if missing else ""))
    console.print(f"{'PASS' if not failed else 'FAIL'}: {passed}/{passed + failed}")
    if failed:
        raise typer.Exit(1)


@app.command("explain", short_help="Why a request gets its answer.")
def explain(
    to: str = typer.Option(..., "--to", help="The state whose policy decides."),
    from_: str = typer.Option(..., "--from", help="The requesting agency's ORI."),
    key: str = typer.Option("DQ", help="Message key: DQ DNQ RQ RNQ KQ AM."),
    rsn: str | None = typer.Option(None, help="Reason code: N F V T S H."),
    image: bool = typer.Option(False, "--image", help="The query asks for the image."),
    warrant: str | None = typer.Option(None, help="A warrant id from the court registry."),
    oln: str | None = typer.Option(None, help="Subject OLN (a warrant must name it)."),
    name: str | None = typer.Option(None, help="Subject LAST,FIRST (with --dob)."),
    dob: str | None = typer.Option(None, help="Subject date of birth, CCYYMMDD."),
    as_json: bool = typer.Option(False, "--json", help="Print the trace as JSON."),
) -> None:
    """The full trace: every rule tried, each condition with the value it saw,
    and the deciding rule."""
    state = known_state(to)
    settings = Settings()
    directory = Directory.load(settings.directory)
    try:
        store = PolicyStore.load(_folder(None, "set SWITCH_POLICIES"))
    except PolicyError as exc:
        fail(str(exc))
    fields = {k: v for k, v in (("OLN", oln), ("NAM", name), ("DOB", dob)) if v}
    level = "none"
    if warrant:
        engine = open_database(settings.database_url)
        try:
            migrate(engine)
            fields["WRT"] = warrant.upper()
            level = WarrantRegistry(engine, directory).assess(
                warrant.upper(), from_.upper(), fields, datetime.now(UTC)
            )
        finally:
            engine.dispose()
    try:
        request = probe_request(
            directory,
            state=state,
            ori=from_.upper(),
            key=key.upper(),
            reason=rsn,
            image=image,
            warrant=level,
            warrant_id=warrant.upper() if warrant else None,
            fields=fields,
        )
    except MessageError as exc:
        fail(exc.message)
    trace = store.explain(request)
    if as_json:
        typer.echo(json.dumps(trace, indent=1, default=str))
    else:
        terminal.console().print(format_trace(trace), highlight=False, markup=False)


@app.command("schema")
def schema(
    output: Path | None = typer.Option(None, help="Write here instead of standard output."),
) -> None:
    """The policy file's JSON Schema, generated from the model."""
    text = policy_schema_text()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
        err_console.print(f"wrote {output}")


app.command("diff", short_help="What differs between two policies or versions.")(
    policy_versions.diff
)
app.command("matrix", short_help="Who can get a state's data, and how.")(impact.matrix)
app.command("replay", short_help="What a candidate would change in recorded traffic.")(
    replay.replay
)
app.command("history", short_help="A state's policy versions, newest first.")(
    policy_versions.history
)
app.command("rollback", short_help="Put an older version back in force.")(policy_versions.rollback)
app.command("export", short_help="Write the versions in force as files.")(policy_versions.export)
app.command("propose", short_help="Record a file as a state's candidate.")(policy_promote.propose)
app.command("approve", short_help="Approve a state's candidate (a second admin).")(
    policy_promote.approve
)
app.command("promote", short_help="Put the candidate in force, on its evidence.")(
    policy_promote.promote
)
app.command("settings", short_help="A state's promotion settings.")(policy_promote.settings)
