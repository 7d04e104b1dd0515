"""`switch policy diff`: the semantic diff on hand-checked policies, the
Oregon candidate, identical policies, and the command as a user types it."""

from __future__ import annotations

import json
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from switch.cli import app
from switch.directory import Directory
from switch.impact.diff import Change, DiffReport, diff_paths
from switch.impact.diff_collapse import collapse
from switch.policy import PolicyError

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAIR = FIXTURES / "pair"
KEYS = ["DQ", "DNQ", "RQ", "RNQ", "KQ", "AM"]
IMMIGRATION = ["CBP", "ICE-ERO", "ICE-HSI"]
BOTH_SIDES = [True, False]

runner = CliRunner()


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


def row(change: Change) -> tuple[Any, ...]:
    c = change.classes_by
    return (
        change.kind,
        c["requester"],
        c["in_state"],
        c["key"],
        c["warrant"],
        f"{change.old.label} ({change.old_by})",
        f"{change.new.label} ({change.new_by})",
        change.classes,
    )


def test_hand_checked_pair(directory: Directory) -> None:
    report = diff_paths(PAIR / "old" / "AZ.yaml", PAIR / "new" / "AZ.yaml", directory)
    (diff,) = report.states
    assert diff.state == "AZ" and diff.note is None
    # Loosening first, then the terms given up, then tightening, then other terms.
    assert [row(c) for c in diff.changes] == [
        (
            "loosen",
            ["ICE-ERO"],
            BOTH_SIDES,
            KEYS,
            ["judicial"],
            "deny (rule az-no-ero)",
            "permit (default)",
            2 * 6,
        ),
        (
            "terms",
            ["PD", "SO"],
            [False],
            ["DNQ"],
            ["none", "cited", "administrative", "judicial"],
            "permit[-ADR] (rule az-address)",
            "permit (default)",
            2 * 4,
        ),
        (
            "tighten",
            ["ICE-HSI"],
            BOTH_SIDES,
            KEYS,
            ["none", "cited", "administrative"],
            "permit (default)",
            "deny (rule az-no-ice)",
            2 * 6 * 3,
        ),
        (
            "terms",
            ["PD", "SO"],
            [False],
            ["DQ"],
            ["none", "cited", "administrative", "judicial"],
            "permit[-ADR] (rule az-address)",
            "permit[-ADR]+report (rule az-address)",
            2 * 4,
        ),
    ]
    assert [c.drops for c in diff.changes] == [False, True, False, False]
    # 14 requester classes (8 components, 6 ORION types) x 2 sides x 6 keys x 4 warrants.
    assert diff.counts() == {
        "classes": 14 * 2 * 6 * 4,
        "changed": 12 + 8 + 36 + 8,
        "loosened": 12,
        "tightened": 36,
        "terms": 16,
        "terms_dropped": 8,
    }


def test_oregon_candidate_declines_immigration_and_loosens_nothing(directory: Directory) -> None:
    report = diff_paths(POLICIES / "OR.yaml", POLICIES / "candidates" / "OR.yaml", directory)
    (diff,) = report.states
    assert diff.loosened == 0 and diff.terms_dropped == 0
    assert [row(c) for c in diff.changes] == [
        (
            "tighten",
            IMMIGRATION,
            BOTH_SIDES,
            KEYS,
            ["none", "cited", "administrative"],
            "permit (default)",
            "deny (rule or-immigration-judicial-only)",
            3 * 2 * 6 * 3,
        ),
        # With a judicial warrant the answer stays a permit, now documented and reported.
        (
            "terms",
            IMMIGRATION,
            BOTH_SIDES,
            KEYS,
            ["judicial"],
            "permit (default)",
            "permit+report (rule or-immigration-judicial-release)",
            3 * 2 * 6,
        ),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [(POLICIES / "WA.yaml", POLICIES / "WA.yaml"), (POLICIES, POLICIES)],
    ids=["file", "folder"],
)
def test_identical_policies_change_nothing(directory: Directory, old: Path, new: Path) -> None:
    report = diff_paths(old, new, directory)
    assert report.states and all(not s.changes for s in report.states)
    assert report.totals()["changed"] == 0
    assert all(s.note is None for s in report.states)


def test_same_meaning_in_other_words_changes_nothing(directory: Directory, tmp_path: Path) -> None:
    # Rules reordered (deny-overrides is order-free) and a condition spelt as
    # a list: a different text, hash and version, the same decisions.
    (tmp_path / "NY.yaml").write_text(
        """state: NY
title: New York, reworded
rules:
  - id: release
    effect: permit
    when: {requester.component: [ICE-HSI, CBP, ICE-ERO], warrant: [judicial]}
    obligations: [report, {notify_subject: {within_business_days: 3}}]
  - id: judicial-only
    effect: deny
    reason: reworded
    when: {requester.component: [ICE-HSI, ICE-ERO, CBP]}
    unless: {warrant: [judicial]}
"""
    )
    (diff,) = diff_paths(POLICIES / "NY.yaml", tmp_path / "NY.yaml", directory).states
    assert diff.old.version != diff.new.version
    assert diff.changes == [] and diff.classes == 672


def test_a_state_on_one_side_is_compared_against_no_policy(
    directory: Directory, tmp_path: Path
) -> None:
    report = diff_paths(PAIR / "new", tmp_path, directory)
    (diff,) = report.states
    assert diff.note == "no policy in NEW: compared against permit all"
    assert diff.new.source is None
    assert diff.tightened == 0
    # ICE-HSI without a judicial warrant regains access; ERO too.
    assert diff.loosened == 2 * 2 * 6 * 3
    assert {c.new_by for c in diff.changes} == {"no policy"}


def test_state_option_and_file_against_folder(directory: Directory) -> None:
    report = diff_paths(POLICIES, POLICIES / "candidates", directory, "OR")
    assert [s.state for s in report.states] == ["OR"]
    assert report.states[0].tightened == 108
    # A file against a folder compares that state only.
    report = diff_paths(POLICIES / "candidates" / "OR.yaml", POLICIES, directory)
    assert [s.state for s in report.states] == ["OR"] and report.states[0].loosened == 108


def test_files_of_two_states_are_refused(directory: Directory) -> None:
    with pytest.raises(PolicyError, match="is NY's policy"):
        diff_paths(POLICIES / "WA.yaml", POLICIES / "NY.yaml", directory)


def _report_text(report: DiffReport) -> str:
    from switch.impact.diff_render import render_diff

    return "\n".join(line.plain for line in render_diff(report))


def test_table_shows_loosening_first_and_one_line_per_group(directory: Directory) -> None:
    text = _report_text(diff_paths(PAIR / "old", PAIR / "new", directory))
    lines = text.splitlines()
    assert "64 of 672 request classes change: 12 loosen (deny → permit)" in lines[1]
    assert lines[2].strip().startswith("!! LOOSEN ICE-ERO · in or out of state · any key")
    assert lines[3].strip().startswith("!! terms  PD, SO · out of state · DNQ · any warrant")
    assert len(lines) == 6


@given(
    st.dictionaries(
        st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 2)),
        st.sampled_from("ab"),
        max_size=36,
    )
)
def test_collapse_partitions_the_points_exactly(points: dict[tuple[int, int, int], str]) -> None:
    boxes = collapse(dict[tuple[Hashable, ...], str](points), [2, 1, 0])
    covered: dict[tuple[Hashable, ...], str] = {}
    for box in boxes:
        a, b, c = box.sets
        for point in ((x, y, z) for x in a for y in b for z in c):
            assert point not in covered
            covered[point] = box.value
    assert covered == points


# -- the command ------------------------------------------------------------


def test_cli_table_exits_zero_with_changes() -> None:
    result = runner.invoke(
        app, ["policy", "diff", str(POLICIES / "OR.yaml"), str(POLICIES / "candidates/OR.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "0 loosen (deny → permit), 108 tighten" in result.stdout
    assert (
        "tighten   CBP, ICE-ERO, ICE-HSI · in or out of state · any key · "
        "warrant none|cited|administrative: permit (default) → deny "
        "(rule or-immigration-judicial-only)  [108 classes]"
    ) in result.stdout


def test_cli_json_parses() -> None:
    result = runner.invoke(
        app, ["policy", "diff", str(PAIR / "old"), str(PAIR / "new"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["totals"]["loosened"] == 12
    (state,) = data["states"]
    assert state["changes"][0]["kind"] == "loosen"
    assert state["changes"][0]["old"] == {
        "effect": "deny",
        "redact": [],
        "obligations": [],
        "label": "deny",
        "by": "rule az-no-ero",
    }


def test_cli_folders_name_one_sided_states() -> None:
    result = runner.invoke(
        app, ["policy", "diff", str(POLICIES), str(POLICIES / "candidates"), "--state", "wa"]
    )
    assert result.exit_code == 0, result.output
    assert "no policy in NEW: compared against permit all" in result.stdout
    assert "!! LOOSEN ICE-ERO, ICE-HSI" in result.stdout


def test_cli_invalid_policy_names_file_and_line() -> None:
    bad = FIXTURES / "bad" / "AZ.yaml"
    result = runner.invoke(app, ["policy", "diff", str(PAIR / "old" / "AZ.yaml"), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:4: rules.0: a deny rule must give a reason" in result.stderr
    assert result.stdout == ""


def test_cli_missing_path_fails() -> None:
    result = runner.invoke(app, ["policy", "diff", str(FIXTURES / "nowhere"), str(PAIR / "new")])
    assert result.exit_code == 1
    assert "no such policy file or folder" in result.stderr


def test_cli_refuses_a_bad_state_option() -> None:
    result = runner.invoke(
        app, ["policy", "diff", str(PAIR / "old"), str(PAIR / "new"), "--state", "ARIZONA"]
    )
    assert result.exit_code == 1
    assert "unknown state 'ARIZONA'" in result.stderr
