"""`switch policy replay` as a user types it: the three formats carry the
numbers, loosenings lead, bad input exits non-zero with the reason."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from switch.cli.replay import replay
from tests.impact.test_replay import OR_CANDIDATE, candidates_folder, write_history

runner = CliRunner()


def cli() -> typer.Typer:
    """What the lead registers: `app.command("replay")(replay.replay)` under `policy`."""
    app = typer.Typer()
    policy = typer.Typer()
    policy.command("replay")(replay)
    app.add_typer(policy, name="policy")
    return app


@pytest.fixture
def db(database_url: str) -> Iterator[str]:
    engine = write_history(database_url)
    engine.dispose()
    yield database_url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli(), ["policy", "replay", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_has_the_counts_and_ends_with_the_speed(db: str, tmp_path: Path) -> None:
    code, out, _ = run(
        "--candidate", str(candidates_folder(tmp_path)), "--db", db, "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert list(data)[:2] == ["loosenings", "loosening_changes"]
    assert data["loosenings"] == 1 and data["tightenings"] == 5
    assert data["loosening_changes"][0]["by_component"] == {"ICE-HSI": 1}
    assert data["unreplayable"]["by_ori"] == {"ORXXX9999": 1}
    assert list(data)[-1] == "records_per_s" and data["records_per_s"] > 0


def test_csv_rows_carry_the_breakdowns(db: str) -> None:
    code, out, _ = run("--candidate", str(OR_CANDIDATE), "--db", db, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    by = {(r["kind"], r["dimension"], r["value"]): r for r in rows}
    total = by["tighten", "total", ""]
    assert (total["old"], total["new"], total["count"]) == ("permit", "deny", "5")
    assert total["examples"] == "m01 m02 m03"
    assert by["tighten", "component", "ICE-ERO"]["count"] == "2"
    assert by["tighten", "component", "CBP"]["count"] == "1"
    assert by["unreplayable", "ori", "ORXXX9999"]["count"] == "1"
    assert not any(r["kind"] == "loosen" for r in rows)


def test_table_flags_loosenings_first(db: str, tmp_path: Path) -> None:
    code, out, _ = run("--candidate", str(candidates_folder(tmp_path)), "--db", db)
    assert code == 0
    assert "LOOSENS ACCESS: 1 query recorded as denied would be permitted" in out
    assert out.index("LOOSENS ACCESS") < out.index("deny → permit") < out.index("permit → deny")
    assert "permit → deny (tighten): 5 queries" in out
    assert "Unreplayable: 1 query from senders no longer" in out and "ORXXX9999 1" in out
    assert "records/s" in out


def test_table_says_when_nothing_loosens(db: str) -> None:
    code, out, _ = run("--candidate", str(OR_CANDIDATE), "--db", db, "--state", "OR")
    assert code == 0
    assert "LOOSENS ACCESS" not in out and "Loosens nothing." in out
    assert "ICE-ERO 2 · ICE-HSI 2 · CBP 1" in out


def test_window_options(db: str) -> None:
    code, out, _ = run(
        "--candidate", str(OR_CANDIDATE), "--db", db, "--format", "json",
        "--since", "2024-11-01", "--until", "2024-11-30",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["records"] == 3 and data["changed"] == 0
    assert data["since"] == "2024-11-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--state", "XX"], "unknown state XX"),
        (["--state", "CA"], "no candidate policy for CA"),
        (["--since", "soon"], "is not an ISO date"),
        (["--format", "yaml"], "Invalid value"),
    ],
)
def test_bad_options_exit_with_the_reason(db: str, args: list[str], reason: str) -> None:
    code, _, err = run("--candidate", str(OR_CANDIDATE), "--db", db, *args)
    assert code != 0
    assert reason in err.replace("\n", "")


def test_an_invalid_candidate_names_file_line_and_reason(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "OR.yaml"
    bad.write_text("state: OR\ntitle: t\nrules:\n  - id: r\n    effect: deny\n")
    code, out, err = run("--candidate", str(bad), "--db", sqlite_url)
    assert code == 1 and out == ""
    assert f"{bad}:4: rules.0: a deny rule must give a reason" in err.replace("\n", "")


def test_an_unreadable_database_is_an_error(tmp_path: Path) -> None:
    code, _, err = run("--candidate", str(OR_CANDIDATE), "--db", f"sqlite:///{tmp_path}/none.db")
    assert code == 1 and "no audit database at" in err
    code, _, err = run("--candidate", str(OR_CANDIDATE), "--db", "nosuchdb://x")
    assert code == 1 and "cannot open the audit database" in err
    refused = "postgresql://postgres@127.0.0.1:1/none"
    code, _, err = run("--candidate", str(OR_CANDIDATE), "--db", refused)
    assert code == 1 and f"cannot open the audit database '{refused}': connection failed" in err


def test_database_defaults_to_the_setting(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCH_DATABASE_URL", db)
    code, out, _ = run("--candidate", str(OR_CANDIDATE), "--format", "json")
    assert code == 0 and json.loads(out)["tightenings"] == 5
