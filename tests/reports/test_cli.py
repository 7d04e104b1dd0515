"""`switch report ST`: formats, output file, exit codes with the reason on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from switch.cli.report import report
from switch.db.database import migrate, open_engine
from tests.reports.audit import seed

runner = CliRunner()

# The lead registers `report` on the `switch` app; this stands in for it.
app = typer.Typer()
app.command("report")(report)


@app.callback()
def _switch() -> None:
    """switch"""


@pytest.fixture
def db(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    url = sqlite_url
    engine = open_engine(url)
    migrate(engine)
    seed(engine)
    engine.dispose()
    # Nothing should read the default database when --db is given.
    monkeypatch.setenv("SWITCH_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    monkeypatch.chdir(tmp_path)
    return url


def test_table_by_default(db: str) -> None:
    result = runner.invoke(app, ["report", "WA", "--db", db])
    assert result.exit_code == 0, result.stderr
    assert "Transparency report: Washington (WA)" in result.stdout
    assert "Top requesting agencies" in result.stdout


def test_json_on_stdout(db: str) -> None:
    result = runner.invoke(app, ["report", "wa", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["totals"]["queries"] == 24
    assert data["shadow"]["disagreements"] == 3


def test_period_options(db: str) -> None:
    args = ["report", "WA", "--db", db, "--format", "json", "--since", "2025-03-05"]
    result = runner.invoke(app, [*args, "--until", "2025-03-10"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["queries"] == 13


def test_database_from_the_environment(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCH_DATABASE_URL", db)
    result = runner.invoke(app, ["report", "WA", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    assert "totals,all,,queries,24" in result.stdout


@pytest.mark.parametrize("format", ["html", "csv", "json", "table"])
def test_output_file(db: str, tmp_path: Path, format: str) -> None:
    target = tmp_path / f"wa.{format}"
    result = runner.invoke(
        app, ["report", "WA", "--db", db, "--format", format, "--output", str(target)]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "wrote the WA report" in result.stderr
    text = target.read_text(encoding="utf-8")
    assert "24" in text
    if format == "html":
        assert text.startswith("<!DOCTYPE html>") and "<svg" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["report", "ZZ"], "unknown state"),
        (["report", "WA", "--since", "2025-02-30"], "is not an ISO date"),
        (["report", "WA", "--since", "2025-03-10", "--until", "2025-03-01"], "is after"),
    ],
)
def test_bad_input_exits_non_zero_with_the_reason(db: str, args: list[str], says: str) -> None:
    result = runner.invoke(app, [*args, "--db", db])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error" in result.stderr and says in result.stderr


def test_missing_database_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = runner.invoke(app, ["report", "WA", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 1
    assert "no audit database" in result.stderr
    assert not missing.exists()


def test_unknown_format_is_a_usage_error(db: str) -> None:
    result = runner.invoke(app, ["report", "WA", "--db", db, "--format", "xml"])
    assert result.exit_code == 2


def test_unwritable_output(db: str, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "wa.html"
    result = runner.invoke(
        app, ["report", "WA", "--db", db, "--format", "html", "--output", str(target)]
    )
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
