"""The shipped policies: every jurisdiction, checked, tested, schema current."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from switch.cli import app
from switch.directory import JURISDICTIONS
from switch.policy import PolicyStore
from switch.policy.schema import policy_schema_text

POLICIES = Path(__file__).resolve().parents[2] / "policies"
runner = CliRunner()


def test_every_jurisdiction_has_a_policy_and_a_test_file() -> None:
    store = PolicyStore.load(POLICIES)
    assert set(store.versions()) == set(JURISDICTIONS)
    assert {p.stem for p in (POLICIES / "tests").glob("*.yaml")} == set(JURISDICTIONS)


def test_every_policy_says_what_it_models() -> None:
    for path in POLICIES.glob("*.yaml"):
        text = path.read_text()
        assert "source:" in text and "title:" in text, path


def test_policy_check_is_clean() -> None:
    result = runner.invoke(app, ["policy", "check", str(POLICIES)])
    assert result.exit_code == 0, result.stderr
    assert "53 policy file(s) checked: no problems" in result.stdout


def test_policy_tests_pass_with_full_coverage_of_blocking_states() -> None:
    result = runner.invoke(app, ["policy", "test", "--policies", str(POLICIES)])
    assert result.exit_code == 0, result.stdout
    assert "PASS: " in result.stdout
    for state in ("NY", "IL", "WA"):
        assert f"{state}: " in result.stdout and "coverage 2/2 rules" in result.stdout
    assert "never decided" not in result.stdout


def test_schema_json_is_generated_from_the_model() -> None:
    assert (POLICIES / "schema.json").read_text() == policy_schema_text(), (
        "run: switch policy schema --output policies/schema.json"
    )
