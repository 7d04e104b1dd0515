"""`switch policy matrix`: who can get a state's data, where a component can
still query, and the gaps a block naming one component leaves."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switch.cli import app
from switch.directory import JURISDICTIONS, Directory
from switch.impact.diff import load_policies
from switch.impact.matrix import StateMatrix, state_matrix
from switch.impact.matrix_national import national_matrix
from switch.policy import CompiledPolicy

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ERO_ONLY = FIXTURES / "ero_only"
KEYS = ["DQ", "DNQ", "RQ", "RNQ", "KQ", "AM"]
NOT_JUDICIAL = ["none", "cited", "administrative"]
SIDES = [True, False]
ICE = ["ICE-ERO", "ICE-HSI"]
LOCAL = ["PD", "SO"]

runner = CliRunner()


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


@pytest.fixture(scope="module")
def shipped() -> dict[str, CompiledPolicy]:
    return load_policies(POLICIES)


def labels(matrix: StateMatrix, requesters: list[str], warrants: list[str]) -> set[str]:
    """Every outcome label those requesters get, on both sides, for every key."""
    return {
        matrix.lookup(r, side, key, w).label
        for r, side, key, w in product(requesters, SIDES, KEYS, warrants)
    }


def test_washington_blocks_ice_but_not_cbp(
    directory: Directory, shipped: dict[str, CompiledPolicy]
) -> None:
    matrix = state_matrix(shipped["WA"], directory, "WA")
    assert labels(matrix, ICE, NOT_JUDICIAL) == {"deny"}
    assert labels(matrix, ICE, ["judicial"]) == {"permit"}
    assert labels(matrix, ["CBP", *LOCAL], [*NOT_JUDICIAL, "judicial"]) == {"permit"}
    # Folded: two warrant columns, two rows, every key together.
    assert [c.classes_by for c in matrix.columns] == [
        {"key": KEYS, "warrant": NOT_JUDICIAL},
        {"key": KEYS, "warrant": ["judicial"]},
    ]
    assert [(r.requesters, r.in_state, [c.label for c in r.cells]) for r in matrix.rows] == [
        (ICE, SIDES, ["deny", "permit"]),
        (
            ["ATF", "CBP", "DEA", "FBI", "USMS", "USSS", "PD", "SO", "SA", "LE", "CJ", "NJ"],
            SIDES,
            ["permit", "permit"],
        ),
    ]


def test_new_york_lets_immigration_in_on_a_judicial_warrant_and_notifies(
    directory: Directory, shipped: dict[str, CompiledPolicy]
) -> None:
    matrix = state_matrix(shipped["NY"], directory, "NY")
    immigration = ["CBP", *ICE]
    assert labels(matrix, immigration, NOT_JUDICIAL) == {"deny"}
    assert labels(matrix, immigration, ["judicial"]) == {"permit+notify(3d)+report"}
    assert matrix.lookup("ICE-HSI", False, "DQ", "judicial").obligations == (
        "notify(3d)",
        "report",
    )
    assert labels(matrix, ["FBI", *LOCAL], NOT_JUDICIAL) == {"permit"}
    assert matrix.rows[0].requesters == immigration


def test_texas_answers_everyone(directory: Directory, shipped: dict[str, CompiledPolicy]) -> None:
    matrix = state_matrix(shipped["TX"], directory, "TX")
    assert {o.label for o in matrix.outcomes.values()} == {"permit"}
    assert len(matrix.columns) == 1 and len(matrix.rows) == 1
    assert matrix.rows[0].requesters == list(matrix.domains["requester"])


def test_no_policy_is_permit_all(directory: Directory) -> None:
    matrix = state_matrix(None, directory, "OR")
    assert matrix.policy.source is None
    assert [[c.label for c in r.cells] for r in matrix.rows] == [["permit"]]


def test_national_hsi(directory: Directory, shipped: dict[str, CompiledPolicy]) -> None:
    national = national_matrix(shipped, directory, "ice-hsi")
    assert national.component == "ICE-HSI" and national.department == "DHS"
    assert national.states("blocked") == ["MA", "MN"]
    assert national.states("warrant-only") == ["IL", "NY", "WA"]
    assert national.states("partial") == []
    assert national.states("open") == sorted(set(JURISDICTIONS) - {"MA", "MN", "IL", "NY", "WA"})
    assert national.summary() == (
        "ICE-HSI: open in 47 of 52 jurisdictions; blocked in MA, MN; "
        "judicial warrant needed in IL, NY, WA"
    )
    by_state = {a.state: a for a in national.jurisdictions}
    assert by_state["NY"].permits == ["permit+notify(3d)+report"]
    assert by_state["MA"].rules == ["ma-no-ice"]
    # The shipped blocks name both directorates: no gap between them.
    gaps = {g.other: g for g in national.gaps}
    assert sorted(gaps) == ["CBP", "ICE-ERO", "USSS"]
    assert gaps["ICE-ERO"].states == []
    assert [g.state for g in gaps["CBP"].open_to_other] == ["MA", "MN", "WA"]


def test_gap_a_block_naming_ero_only_leaves_hsi_open(directory: Directory) -> None:
    policies = load_policies(ERO_ONLY)
    ero = national_matrix(policies, directory, "ICE-ERO")
    assert ero.states("blocked") == ["AZ"]
    gap = next(g for g in ero.gaps if g.other == "ICE-HSI")
    assert [(g.state, g.status, g.other_status) for g in gap.open_to_other] == [
        ("AZ", "blocked", "open")
    ]
    hsi = national_matrix(policies, directory, "ICE-HSI")
    assert hsi.states("open") == sorted(JURISDICTIONS)
    gap = next(g for g in hsi.gaps if g.other == "ICE-ERO")
    assert [g.state for g in gap.open_to_this] == ["AZ"]


def test_partial_says_on_what_it_depends(directory: Directory, tmp_path: Path) -> None:
    (tmp_path / "AZ.yaml").write_text(
        """state: AZ
title: t
rules:
  - id: no-hsi-names
    effect: deny
    reason: no name searches for HSI from out of state
    when: {requester.component: ICE-HSI, message.key: [DNQ, RNQ], requester.in_state: false}
"""
    )
    national = national_matrix(load_policies(tmp_path), directory, "ICE-HSI")
    (access,) = [a for a in national.jurisdictions if a.state == "AZ"]
    assert access.status == "partial"
    assert access.detail == "denied for out of state · DNQ/RNQ"


# -- the command ------------------------------------------------------------


def test_cli_state_table() -> None:
    result = runner.invoke(app, ["policy", "matrix", "wa", "--policies", str(POLICIES)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(
        line.split() == ["ICE-ERO,", "ICE-HSI", "in", "or", "out", "of", "state", "deny", "permit"]
        for line in lines
    )
    assert "warrant none|cited|administrative" in result.stdout


def test_cli_state_json_parses() -> None:
    result = runner.invoke(
        app, ["policy", "matrix", "NY", "--policies", str(POLICIES), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["state"] == "NY"
    assert data["rows"][0] == {
        "requesters": ["CBP", "ICE-ERO", "ICE-HSI"],
        "in_state": [True, False],
        "cells": ["deny", "permit+notify(3d)+report"],
    }


def test_cli_national_shows_the_gap() -> None:
    args = ["policy", "matrix", "--national", "--component", "ICE-ERO"]
    result = runner.invoke(app, [*args, "--policies", str(ERO_ONLY)])
    assert result.exit_code == 0, result.output
    assert "ICE-ERO: open in 51 of 52 jurisdictions; blocked in AZ" in result.stdout
    assert "!! ICE-HSI open where ICE-ERO is restricted: AZ (ICE-ERO blocked)" in result.stdout


def test_cli_national_json_parses() -> None:
    args = ["policy", "matrix", "--national", "--component", "ICE-HSI", "--format", "json"]
    result = runner.invoke(app, [*args, "--policies", str(POLICIES)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"] == {"open": 47, "warrant-only": 3, "blocked": 2, "partial": 0}
    assert len(data["jurisdictions"]) == 52


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["matrix"], "give a STATE"),
        (["matrix", "--national"], "--national needs --component"),
        (["matrix", "WA", "--national", "--component", "CBP"], "not both"),
        (["matrix", "--national", "--component", "NOPE"], "no agency in the directory"),
        (["matrix", "WA", "--component", "CBP"], "--component goes with --national"),
        (["matrix", "ZZ"], "unknown state 'ZZ': expected a jurisdiction code such as WA"),
    ],
)
def test_cli_usage_errors_exit_non_zero(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["policy", *args, "--policies", str(POLICIES)])
    assert result.exit_code == 1
    assert message in result.stderr


def test_cli_invalid_policy_names_file_and_line() -> None:
    bad = FIXTURES / "bad"
    result = runner.invoke(app, ["policy", "matrix", "AZ", "--policies", str(bad)])
    assert result.exit_code == 1
    assert f"{bad / 'AZ.yaml'}:4: rules.0: a deny rule must give a reason" in result.stderr
    national = ["policy", "matrix", "--national", "--component", "CBP", "--policies", str(bad)]
    assert runner.invoke(app, national).exit_code == 1
