"""`switch policy check|test|explain` as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from switch.cli import app

POLICIES = Path(__file__).resolve().parents[2] / "policies"
runner = CliRunner()


def test_check_reports_file_line_and_reason(tmp_path: Path) -> None:
    (tmp_path / "WA.yaml").write_text(
        "state: WA\ntitle: t\nrules:\n  - id: r\n    effect: deny\n"
        "    when: {requester.component: ICE_ERO}\n"
    )
    result = runner.invoke(app, ["policy", "check", str(tmp_path)])
    assert result.exit_code == 1
    reason = "a deny rule must give a reason: the requester is told it"
    assert f"{tmp_path / 'WA.yaml'}:4: rules.0: {reason}" in result.stderr.splitlines()


def test_check_finds_unknown_values_and_dead_rules(tmp_path: Path) -> None:
    (tmp_path / "WA.yaml").write_text(
        """state: WA
title: t
combine: first-match
rules:
  - id: typo
    effect: deny
    reason: x
    when: {requester.component: ICE_ERO}
  - id: everyone
    effect: permit
  - id: shadowed
    effect: deny
    reason: never reached
    when: {requester.component: CBP}
"""
    )
    result = runner.invoke(app, ["policy", "check", str(tmp_path)])
    err = result.stderr.replace("\n", "")
    assert result.exit_code == 1
    assert "'ICE_ERO' matches no agency in the directory" in err
    assert "rule shadowed can never decide" in err and "shadowed" in err
    assert "rule everyone can never decide" not in err


def test_check_finds_a_permit_covered_by_a_deny(tmp_path: Path) -> None:
    (tmp_path / "WA.yaml").write_text(
        """state: WA
title: t
rules:
  - id: no-ice
    effect: deny
    reason: x
    when: {requester.component: [ICE-ERO, ICE-HSI]}
  - id: hsi-ok
    effect: permit
    when: {requester.component: ICE-HSI}
"""
    )
    result = runner.invoke(app, ["policy", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "rule hsi-ok can never decide" in result.stderr.replace("\n", "")


def test_test_prints_the_trace_of_a_failing_case(tmp_path: Path) -> None:
    cases = (
        (POLICIES / "tests" / "MA.yaml").read_text().replace("effect: deny", "effect: permit", 1)
    )
    (tmp_path / "MA.yaml").write_text(cases)
    result = runner.invoke(
        app, ["policy", "test", str(tmp_path / "MA.yaml"), "--policies", str(POLICIES)]
    )
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "effect: want permit, got deny" in result.stdout
    assert "rule ma-no-ice (deny): MATCHED" in result.stdout


def test_explain_shows_every_rule_and_the_decider(monkeypatch, sqlite_url: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SWITCH_POLICIES", str(POLICIES))
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    result = runner.invoke(app, ["policy", "explain", "--to", "WA", "--from", "VTICE0900"])
    assert result.exit_code == 0, result.stderr
    assert "rule wa-judicial-warrant (permit): did not match" in result.stdout
    assert "rule wa-no-ice (deny): MATCHED" in result.stdout
    assert "decision: DENY by wa-no-ice" in result.stdout
    as_json = runner.invoke(
        app, ["policy", "explain", "--to", "TX", "--from", "VTICE0900", "--json"]
    )
    assert json.loads(as_json.stdout)["decision"]["effect"] == "permit"
    unknown = runner.invoke(app, ["policy", "explain", "--to", "WA", "--from", "ZZ9999999"])
    assert unknown.exit_code == 1 and "not in the directory" in unknown.stderr
