"""`switch warrants issue|show|list`, driven as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switch.cli import app
from switch.db.database import open_engine
from switch.warrants import WarrantRegistry

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    url = sqlite_url
    monkeypatch.setenv("SWITCH_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


def _issue(*args: str) -> str:
    result = runner.invoke(app, ["warrants", "issue", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_issue_prints_the_id_alone_on_stdout(env: str) -> None:
    out = _issue("--kind", "judicial", "--to", "VTICE0900", "--oln", "WDL123456789")
    warrant_id = out.strip()
    assert out == warrant_id + "\n" and warrant_id.startswith("JW-")
    engine = open_engine(env)
    warrant = WarrantRegistry(engine).get(warrant_id)
    engine.dispose()
    assert warrant is not None
    assert (warrant.kind, warrant.form, warrant.subject_oln) == (
        "judicial",
        "warrant",
        "WDL123456789",
    )


def test_issue_by_name_with_form_days_and_signer(env: str) -> None:
    args = ["--kind", "administrative", "--to", "VTICE0900", "--name", "DOE,JOHN"]
    args += ["--dob", "19800102", "--form", "I-205", "--days", "5", "--by", "SDDO K. Morales"]
    result = runner.invoke(app, ["warrants", "issue", *args])
    assert result.exit_code == 0, result.stderr
    assert "I-205" in result.stderr and "SDDO K. Morales" in result.stderr
    warrant_id = result.stdout.strip()
    shown = runner.invoke(app, ["warrants", "show", warrant_id, "--json"])
    assert shown.exit_code == 0, shown.stderr
    got = json.loads(shown.stdout)
    assert got["id"] == warrant_id and got["form"] == "I-205"
    assert (got["subject_name"], got["subject_dob"]) == ("DOE,JOHN", "19800102")
    assert got["issued_by"] == "SDDO K. Morales"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--kind", "judicial", "--to", "ZZ9999999", "--oln", "A1"], "not in the directory"),
        (
            ["--kind", "judicial", "--to", "VTICE0900", "--oln", "A1", "--name", "DOE,JOHN"],
            "not both",
        ),
        (["--kind", "judicial", "--to", "VTICE0900", "--name", "DOE,JOHN"], "with a DOB"),
        (["--kind", "judicial", "--to", "VTICE0900"], "with a DOB"),
        (["--kind", "civil", "--to", "VTICE0900", "--oln", "A1"], "judicial or administrative"),
        (["--kind", "judicial", "--to", "VTICE0900", "--oln", "A1", "--days", "0"], "days"),
        (
            ["--kind", "administrative", "--to", "VTICE0900", "--oln", "A1", "--form", "warrant"],
            "I-200, I-205",
        ),
        (["--to", "VTICE0900", "--oln", "A1"], "--kind"),
    ],
    ids=["unknown-ori", "oln-and-name", "name-without-dob", "no-subject", "bad-kind", "days-0",
         "bad-form", "no-kind"],
)  # fmt: skip
def test_issue_refuses_bad_input_with_the_reason_on_stderr(
    env: str, args: list[str], reason: str
) -> None:
    result = runner.invoke(app, ["warrants", "issue", *args])
    assert result.exit_code != 0
    assert result.stdout == ""
    assert reason in result.stderr
    assert runner.invoke(app, ["warrants", "list", "--json"]).stdout.strip() == "[]"


def test_show_as_text_and_unknown_id(env: str) -> None:
    warrant_id = _issue("--kind", "judicial", "--to", "NY0303000", "--oln", "A1").strip()
    shown = runner.invoke(app, ["warrants", "show", warrant_id.lower()])
    assert shown.exit_code == 0, shown.stderr
    assert warrant_id in shown.stdout and "NY0303000" in shown.stdout
    missing = runner.invoke(app, ["warrants", "show", "JW-2026-NOPE"])
    assert missing.exit_code == 1 and "no warrant JW-2026-NOPE" in missing.stderr


def test_list_all_and_by_recipient(env: str) -> None:
    ice = _issue("--kind", "judicial", "--to", "VTICE0900", "--oln", "A1").strip()
    nypd = _issue("--kind", "judicial", "--to", "NY0303000", "--oln", "A2").strip()
    every = json.loads(runner.invoke(app, ["warrants", "list", "--json"]).stdout)
    assert [w["id"] for w in every] == [ice, nypd]
    only = json.loads(
        runner.invoke(app, ["warrants", "list", "--to", "ny0303000", "--json"]).stdout
    )
    assert [w["id"] for w in only] == [nypd]
    table = runner.invoke(app, ["warrants", "list"])
    assert table.exit_code == 0 and ice in table.stdout and nypd in table.stdout
    empty = runner.invoke(app, ["warrants", "list", "--to", "WA0170100"])
    assert empty.exit_code == 0 and empty.stdout == "" and "no warrants" in empty.stderr


def test_list_for_an_ori_not_in_the_directory_is_an_error(env: str) -> None:
    result = runner.invoke(app, ["warrants", "list", "--to", "zz9999999"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "error: ORI ZZ9999999 is not in the directory (see `switch agencies`)"
    ]
