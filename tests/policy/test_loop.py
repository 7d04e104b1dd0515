"""The engineer's loop as a new user meets it: test a candidate where it
lives, test a policy folder, explain with a warrant level or id and be told
why a cited warrant did not count, explain a candidate."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switch.cli import app
from switch.db.database import migrate, open_engine
from switch.warrants import Warrant, WarrantRegistry, appraise_warrant

POLICIES = Path(__file__).resolve().parents[2] / "policies"
runner = CliRunner()
NARROW = {"COLUMNS": "40"}
AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped policies, as a user's checkout has them."""
    shutil.copytree(POLICIES, tmp_path / "policies")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SWITCH_POLICIES", str(tmp_path / "policies"))
    return tmp_path


def test_a_candidate_is_tested_where_candidates_live(checkout: Path) -> None:
    (checkout / "cand_tests").mkdir()
    (checkout / "cand_tests" / "OR.yaml").write_text(
        "state: OR\ncases:\n  - name: ICE is refused\n    from: VTICE0900\n"
        "    expect: {effect: deny, rule: or-immigration-judicial-only}\n"
    )
    result = runner.invoke(
        app, ["policy", "test", "cand_tests", "--policies", "policies/candidates"]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "PASS: 1/1"


def test_a_policy_folder_given_as_the_tests_runs_its_tests(checkout: Path) -> None:
    result = runner.invoke(app, ["policy", "test", "policies/"])
    assert result.exit_code == 0, result.stdout + result.stderr
    cases = sum(1 for line in result.stdout.splitlines() if "case(s), coverage" in line)
    assert cases == len(list((checkout / "policies" / "tests").glob("*.yaml")))
    assert result.stdout.splitlines()[-1].startswith("PASS: ")


def test_a_folder_of_policies_without_tests_says_so_in_one_line(checkout: Path) -> None:
    (checkout / "draft").mkdir()
    shutil.copy(checkout / "policies" / "WA.yaml", checkout / "draft" / "WA.yaml")
    result = runner.invoke(app, ["policy", "test", "draft"], env=NARROW)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "draft/WA.yaml:1: this is a policy, not a test file: tests go in the tests/ folder"
        " beside it",
        "error: 1 problem(s)",
    ]


def test_a_bad_test_file_is_told_at_its_line_in_the_domain_words(checkout: Path) -> None:
    tests = checkout / "policies" / "tests" / "WA.yaml"
    tests.write_text(
        "state: WA\ncases:\n  - name: n\n    from: VTICE0900\n    expected: {effect: deny}\n"
    )
    result = runner.invoke(app, ["policy", "test", str(tests)], env=NARROW)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tests}:5: cases.0: unknown key `expected`; did you mean `expect`?",
        "error: 1 problem(s)",
    ]
    assert "pydantic" not in result.stderr and "Extra inputs" not in result.stderr


def _explain(*args: str, state: str = "WA") -> list[str]:
    result = runner.invoke(
        app, ["policy", "explain", "--to", state, "--from", "VTICE0900", *args], env=NARROW
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def test_explain_takes_a_warrant_level(checkout: Path, sqlite_url: str) -> None:
    lines = _explain("--warrant-level", "judicial")
    assert (
        lines[-1] == "decision: PERMIT by wa-judicial-warrant: A judicial warrant opens the record"
    )


def test_a_level_word_given_as_an_id_is_refused_with_the_option_to_use(
    checkout: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    result = runner.invoke(
        app,
        ["policy", "explain", "--to", "WA", "--from", "VTICE0900", "--warrant-id", "Judicial"],
        env=NARROW,
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: judicial is a warrant level, not an id: give --warrant-level judicial"
    ]
    old = runner.invoke(
        app, ["policy", "explain", "--to", "WA", "--from", "VTICE0900", "--warrant", "judicial"]
    )
    assert old.exit_code == 2 and "--warrant-level" in old.stderr


def _issued(url: str, **given: object) -> Warrant:
    engine = open_engine(url)
    try:
        migrate(engine)
        return WarrantRegistry(engine).issue(kind="judicial", **given)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_explain_says_why_a_cited_warrant_did_not_count(
    checkout: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    good = _issued(sqlite_url, to="VTICE0900", oln="WA1234567")
    other = _issued(sqlite_url, to="NY0303000", oln="WA1234567")
    old = _issued(sqlite_url, to="VTICE0900", oln="WA1234567", days=1, now=AT)
    expired = old.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    seen = {
        "counts": _explain("--warrant-id", good.id, "--oln", "WA1234567"),
        "no subject": _explain("--warrant-id", good.id),
        "another person": _explain("--warrant-id", good.id, "--oln", "WA7654321"),
        "another agency": _explain("--warrant-id", other.id, "--oln", "WA1234567"),
        "expired": _explain("--warrant-id", old.id, "--oln", "WA1234567"),
        "unknown": _explain("--warrant-id", "JW-2024-NOSUCH", "--oln", "WA1234567"),
    }
    said = {
        what: next(line for line in lines if line.startswith("warrant: "))
        for what, lines in seen.items()
    }
    until = good.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    assert said == {
        "counts": f"warrant: counts as judicial: warrant {good.id} is a judicial warrant"
        f" issued to VTICE0900, until {until}",
        "no subject": f"warrant: counts as cited: warrant {good.id} names its subject by OLN,"
        " and the query gives no OLN",
        "another person": f"warrant: counts as cited: warrant {good.id} names another person:"
        " its OLN is not the query's",
        "another agency": f"warrant: counts as cited: warrant {other.id} was issued to"
        " NY0303000, not to VTICE0900",
        "expired": f"warrant: counts as cited: warrant {old.id} expired {expired}",
        "unknown": "warrant: counts as cited: warrant JW-2024-NOSUCH is not in the court registry",
    }
    assert seen["counts"][-1].startswith("decision: PERMIT by wa-judicial-warrant")
    # A denial's trace ends with where it is refused: Washington's own switch.
    assert seen["expired"][-2].startswith("decision: DENY by wa-no-ice")
    assert seen["expired"][-1] == (
        "  refused at: WA's own switch, ACCESS (ER .02. from its control terminal)"
    )
    as_json = runner.invoke(
        app,
        [
            "policy",
            "explain",
            "--to",
            "WA",
            "--from",
            "VTICE0900",
            "--warrant-id",
            other.id,
            "--json",
        ],
    )
    trace = json.loads(as_json.stdout)
    assert trace["warrant"] == {
        "id": other.id,
        "level": "cited",
        "reason": f"warrant {other.id} was issued to NY0303000, not to VTICE0900",
    }
    assert trace["request"]["warrant"] == "cited"


def test_the_reason_is_the_one_the_level_is_decided_by() -> None:
    warrant = Warrant(
        id="JW-2024-AAAAAA",
        kind="judicial",
        form="warrant",
        issued_to="VTICE0900",
        issued_by="Hon. A. Reyes",
        subject_oln=None,
        subject_name="DOE,JANE",
        subject_dob=datetime(1980, 1, 2).date(),
        issued_at=AT,
        expires_at=AT + timedelta(days=30),
    )
    person = {"NAM": "DOE,JANE", "DOB": "19800102"}
    cases = {
        "not yet": (
            AT - timedelta(hours=1),
            person,
            "cited",
            "is not issued until 2024-05-01 12:00 UTC",
        ),
        "name": (
            AT,
            {"NAM": "DOE,JOHN", "DOB": "19800102"},
            "cited",
            "names another person: its name and date of birth are not the query's",
        ),
        "none": (
            AT,
            {},
            "cited",
            "names its subject by name and date of birth, and the query gives no NAM and DOB",
        ),
        "good": (
            AT,
            person,
            "judicial",
            "is a judicial warrant issued to VTICE0900, until 2024-05-31 12:00 UTC",
        ),
    }
    for what, (at, fields, level, reason) in cases.items():
        got = appraise_warrant(warrant, cited=True, requester_ori="VTICE0900", fields=fields, at=at)
        assert (got.level, got.reason) == (level, f"warrant JW-2024-AAAAAA {reason}"), what
    uncited = appraise_warrant(warrant, cited=False, requester_ori="VTICE0900", fields={}, at=AT)
    assert uncited.level == "none"


def test_explain_a_candidate_and_another_folder(checkout: Path, sqlite_url: str) -> None:
    enforced = _explain(state="OR")
    candidate = _explain("--candidate", state="OR")
    folder = _explain("--policies", "policies/candidates", state="OR")
    assert enforced[0] != candidate[0]
    assert candidate[0] == folder[0]
    assert "or-immigration-judicial-only" in "\n".join(candidate)
    missing = runner.invoke(
        app, ["policy", "explain", "--to", "WA", "--from", "VTICE0900", "--candidate"], env=NARROW
    )
    assert missing.exit_code == 1
    assert missing.stderr.splitlines() == [
        f"error: no candidate for WA in {checkout / 'policies' / 'candidates'}"
    ]


def test_check_tells_a_misnamed_file_and_everything_else_wrong_in_it(checkout: Path) -> None:
    draft = Path("policies") / "draft.yaml"
    draft.write_text(
        "state: WA\ntitle: t\nrules:\n  - id: r1\n    effect: permit\n"
        "    when: {requester.componnet: ICE}\n"
    )
    result = runner.invoke(app, ["policy", "check", "policies"], env=NARROW)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{draft}:1: a policy file is named for its state, e.g. WA.yaml, not draft.yaml",
        f"{draft}:6: rules.0.when: unknown attribute `requester.componnet`; did you mean"
        " `requester.component`?",
        f"error: 2 problem(s) in {len(list((checkout / 'policies').glob('*.yaml'))) + 1} file(s)",
    ]
