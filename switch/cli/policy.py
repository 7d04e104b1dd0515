"""`switch policy check|test|explain`: write a state's rules, test them,
and see why a request gets the answer it gets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from switch import terminal
from switch.cli import compare, impact, policy_promote, policy_versions, replay
from switch.cli.common import err_console, fail, known_state, open_database
from switch.db.database import migrate
from switch.directory import Directory
from switch.errors import MessageError
from switch.messages.subjects import person_keys
from switch.policy import (
    CompiledPolicy,
    PolicyError,
    PolicyProblem,
    PolicyRequest,
    compile_policy,
    load_policy_file,
)
from switch.policy.cases import run_file
from switch.policy.engine import explain as engine_explain
from switch.policy.facts import Facts
from switch.policy.lint import never_deciding, unknown_values
from switch.policy.refusals import NO_REFUSALS, Refusals
from switch.policy.requests import WARRANT_LEVELS, probe_request
from switch.policy.schema import policy_schema_text
from switch.policy.snapshot import NO_POLICY
from switch.policy.sources.files import policy_files
from switch.policy.trace_text import format_trace
from switch.recent_refusals import RefusalIndex
from switch.settings import Settings, policy_location
from switch.warrants import Assessment, WarrantRegistry

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
    # Every YAML file, not only <ST>.yaml: a hub reads no other, so a file
    # misnamed is told so, with all else wrong in it, rather than skipped.
    return sorted(path.glob("*.yaml")) + sorted((path / "candidates").glob("*.yaml"))


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


def _refused(exc: PolicyError) -> NoReturn:
    """Every problem on its own line (file:line: reason), then the count."""
    for problem in exc.problems:
        err_console.print(escape(str(problem)), style="red", highlight=False)
    fail(f"{len(exc.problems)} problem(s)")


def _policy_in(folder: Path, state: str, *, candidate: bool = False) -> CompiledPolicy | None:
    """`state`'s policy in a policy folder (or the file given), or its
    candidate (`candidates/<ST>.yaml`); None when there is no such file.

    Any folder is a policy folder in its own right, whatever it is called:
    `--policies policies/candidates` means the files in it.
    """
    if folder.is_file():
        path = folder if folder.stem.upper() == state else None
    else:
        path = (folder / "candidates" if candidate else folder) / f"{state}.yaml"
    if path is None or not path.is_file():
        return None
    try:
        return compile_policy(load_policy_file(path))
    except PolicyError as exc:
        _refused(exc)


def _test_files(path: Path, folder: Path | None) -> tuple[list[Path], Path | None]:
    """The test files a path names, and the policy folder it implies: a
    policy folder given as the path means its `tests/` folder."""
    if path.is_file():
        return [path], folder
    if not path.is_dir():
        fail(f"no test files in {path}")
    if (path / "tests").is_dir() and policy_files(path):
        return sorted((path / "tests").glob("*.yaml")), folder or path
    # A folder of policies with no tests/ is told so by the first file
    # read as a test (one line: a policy, not a test file).
    files = sorted(path.glob("*.yaml"))
    return files, folder


@app.command("test")
def test(
    path: Path | None = typer.Argument(
        None,
        help="Test file or folder, or a policy folder with a tests/ folder "
        "(default: tests/ of the policy folder).",
    ),
    policies: Path | None = typer.Option(
        None,
        help="Policy folder (any name, candidates/ too) or file "
        "(default: the folder a hub would enforce).",
    ),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="List every case."),
) -> None:
    """Run policy test cases; failures print the explain trace. Exit 1 on failure."""
    if path is None:
        folder = _folder(policies, "give --policies or set SWITCH_POLICIES")
        files, _ = _test_files(folder / "tests", folder)
        tests = folder / "tests"
    else:
        files, given = _test_files(path, policies)
        folder = _folder(given, "give --policies or set SWITCH_POLICIES")
        tests = path
    if not files:
        fail(f"no test files in {tests}")
    directory = Directory.load(Settings().directory)
    console = terminal.console()
    passed = failed = 0
    for file in files:
        state = file.stem.upper()
        policy = _policy_in(folder, state)
        if policy is None:
            fail(f"{file}: no policy for {state} in {folder} (no {state}.yaml there)")
        try:
            result = run_file(file, policy, directory)
        except PolicyError as exc:
            _refused(exc)
        for case in result.results:
            if case.passed:
                passed += 1
                if verbose:
                    console.print(
                        f"[green]PASS[/] {file.stem}: {escape(case.case.name)}", highlight=False
                    )
                continue
            failed += 1
            console.print(
                f"[red]FAIL[/] {escape(str(file))}: {escape(case.case.name)}", highlight=False
            )
            for failure in case.failures:
                console.print(f"  {failure}", highlight=False, markup=False)
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


def _trace(policy: CompiledPolicy | None, request: PolicyRequest) -> dict[str, Any]:
    facts = Facts.of(request)
    if policy is not None:
        return engine_explain(policy, facts)
    return {
        "state": request.state,
        "version": NO_POLICY.version,
        "request": facts.as_dict(),
        "rules": [],
        "decision": NO_POLICY.as_dict(),
    }


def _appraise(
    warrant_id: str, ori: str, fields: dict[str, str], settings: Settings, directory: Directory
) -> Assessment:
    engine = open_database(settings.database_url)
    try:
        migrate(engine)
        return WarrantRegistry(engine, directory).appraise(
            warrant_id, ori, {**fields, "WRT": warrant_id}, datetime.now(UTC)
        )
    finally:
        engine.dispose()


def _recall(
    policy: CompiledPolicy | None, fields: dict[str, str], settings: Settings, at: datetime
) -> Refusals:
    """What the hub's index holds of the subject, when the policy asks;
    None (the rule then fails closed, as a message's would) if unreadable."""
    subjects = person_keys(fields, at.date())
    if policy is None or policy.memory_hours <= 0 or not subjects:
        return NO_REFUSALS
    try:
        engine = open_database(settings.database_url)
        try:
            migrate(engine)
            return RefusalIndex(engine).recent(subjects, at, policy.memory_hours)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        err_console.print(f"recent refusals cannot be read: {type(exc).__name__}")
        return None


@app.command("explain", short_help="Why a request gets its answer.")
def explain(
    to: str = typer.Option(..., "--to", help="The state whose policy decides."),
    from_: str = typer.Option(..., "--from", help="The requesting agency's ORI."),
    key: str = typer.Option("DQ", help="Message key: DQ DNQ RQ RNQ KQ AM."),
    rsn: str | None = typer.Option(None, help="Reason code: N F V T S H."),
    image: bool = typer.Option(False, "--image", help="The query asks for the image."),
    warrant_id: str | None = typer.Option(
        None, "--warrant-id", help="A warrant id from the court registry, assessed as a message's."
    ),
    warrant_level: str | None = typer.Option(
        None,
        "--warrant-level",
        help="Or a level, to ask what-if: none, cited, administrative, judicial.",
    ),
    oln: str | None = typer.Option(None, help="Subject OLN (a warrant must name it)."),
    name: str | None = typer.Option(None, help="Subject LAST,FIRST (with --dob)."),
    dob: str | None = typer.Option(None, help="Subject date of birth, CCYYMMDD."),
    policies: Path | None = typer.Option(
        None, help="Policy folder or file (default: the folder a hub would enforce)."
    ),
    candidate: bool = typer.Option(
        False, "--candidate", help="Explain the state's candidate (candidates/<ST>.yaml)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the trace as JSON."),
) -> None:
    """The full trace: every rule tried, each condition with the value it saw,
    the deciding rule, and why a cited warrant counts or not."""
    state = known_state(to)
    if warrant_level is not None and warrant_level.strip().lower() not in WARRANT_LEVELS:
        fail(
            escape(f"--warrant-level is one of {', '.join(WARRANT_LEVELS)}, not {warrant_level!r}")
        )
    if warrant_id is not None and warrant_id.strip().lower() in WARRANT_LEVELS:
        level_word = warrant_id.strip().lower()
        fail(f"{level_word} is a warrant level, not an id: give --warrant-level {level_word}")
    if warrant_id is not None and warrant_level is not None:
        fail("give --warrant-id (assessed by the registry) or --warrant-level, not both")
    settings = Settings()
    directory = Directory.load(settings.directory)
    folder = _folder(policies, "give --policies or set SWITCH_POLICIES")
    policy = _policy_in(folder, state, candidate=candidate)
    if candidate and policy is None:
        fail(f"no candidate for {state} in {folder / 'candidates'}")
    fields = {k: v for k, v in (("OLN", oln), ("NAM", name), ("DOB", dob)) if v}
    level = (warrant_level or "none").strip().lower()
    assessment: Assessment | None = None
    if warrant_id:
        assessment = _appraise(
            warrant_id.strip().upper(), from_.upper(), fields, settings, directory
        )
        level = assessment.level
    at = datetime.now(UTC)
    try:
        request = probe_request(
            directory,
            state=state,
            ori=from_.upper(),
            key=key.upper(),
            reason=rsn,
            image=image,
            warrant=level,
            warrant_id=warrant_id.strip().upper() if warrant_id else None,
            fields=fields,
            at=at,
            refusals=_recall(policy, fields, settings, at),
        )
    except MessageError as exc:
        fail(exc.message)
    trace = _trace(policy, request)
    if assessment is not None:
        trace["warrant"] = {
            "id": warrant_id.strip().upper() if warrant_id else None,
            "level": assessment.level,
            "reason": assessment.reason,
        }
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
app.command("compare", short_help="Blocking options side by side.")(compare.compare)
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
