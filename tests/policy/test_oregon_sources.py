"""Oregon's shipped files say what Oregon's law is: the Sanctuary Promise Act,
HB 3265, is a 2021 act already in force; 2025 is when the state moved to cut
ICE's access through its systems (SPEC.md, domain facts)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

POLICIES = Path(__file__).resolve().parents[2] / "policies"
OREGON = [POLICIES / "OR.yaml", POLICIES / "candidates" / "OR.yaml"]
# HB 3265 dated 2025, written any of the ways the files have: "HB 3265 (2025)",
# "HB 3265, 2025", "HB 3265 of 2025", or 2025 a few words after it.
_HB_3265_IN_2025 = re.compile(r"HB\s*3265\W{1,3}(?:\w+\W{1,3}){0,2}2025")
_HB_3265_IN_2021 = re.compile(r"HB\s*3265\W{1,3}(?:\w+\W{1,3}){0,2}2021")


def _shipped_texts() -> list[Path]:
    return sorted(POLICIES.rglob("*.yaml"))


def _prose(path: Path) -> str:
    """The file as one line of words: a comment wrapped between "HB 3265,"
    and its year must not hide the year from the check."""
    text = re.sub(r"(?m)^\s*#", " ", path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("path", _shipped_texts(), ids=lambda p: str(p.relative_to(POLICIES)))
def test_no_shipped_policy_file_dates_hb_3265_to_2025(path: Path) -> None:
    text = _prose(path)
    assert _HB_3265_IN_2025.search(text) is None, _HB_3265_IN_2025.search(text)
    # Wherever the act is named, its year is named with it.
    for mention in re.finditer(r"HB\s*3265", text):
        tail = text[mention.start() : mention.start() + 40]
        assert _HB_3265_IN_2021.match(tail), tail


@pytest.mark.parametrize("path", OREGON, ids=lambda p: str(p.relative_to(POLICIES)))
def test_oregon_files_cite_the_2021_act_and_the_2025_cut_off(path: Path) -> None:
    policy = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert policy["state"] == "OR"
    source = policy["source"]
    assert "Sanctuary Promise Act" in source and "HB 3265 (2021, in force)" in source
    assert "2025 move to cut ICE's access" in source
    assert "2025" not in policy["title"]


def test_the_rules_name_a_judicial_warrant_or_order_not_a_subpoena() -> None:
    candidate = yaml.safe_load(OREGON[1].read_text(encoding="utf-8"))
    reasons = [rule["reason"] for rule in candidate["rules"]]
    assert all("subpoena" not in reason for reason in reasons)
    assert "judicial warrant or court order" in reasons[0]
    assert "HB 3265, 2021" in reasons[0]
