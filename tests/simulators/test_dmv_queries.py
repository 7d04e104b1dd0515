from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.dmv.queries import Name, parse_dob, parse_name, parse_subject
from tests.simulators.cases import TODAY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOE,JOHN", Name("DOE", "JOHN", "")),
        ("doe, john q", Name("DOE", "JOHN", "Q")),
        ("  Van  Buren ,Martin  Luther ", Name("VAN BUREN", "MARTIN", "LUTHER")),
    ],
)
def test_parse_name(text: str, expected: Name) -> None:
    assert parse_name(text) == expected


@pytest.mark.parametrize("text", ["", "DOE", "DOE,", ",JOHN", " , "])
def test_parse_name_needs_last_and_first(text: str) -> None:
    assert parse_name(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19800101", date(1980, 1, 1)),
        ("010180", date(1980, 1, 1)),
        # In 2025 a two-digit year up to 25 is this century, above it the last.
        ("022925", None),  # 2025 is not a leap year
        ("123125", date(2025, 12, 31)),
        ("010126", date(1926, 1, 1)),
        ("010105", date(2005, 1, 1)),
        (" 20000229 ", date(2000, 2, 29)),
    ],
)
def test_parse_dob_both_forms(text: str, expected: date | None) -> None:
    assert parse_dob(text, TODAY) == expected


# The last two: 19800101 in full-width digits (not the ASCII the format
# means), and a superscript two, which str.isdigit() accepts and int() refuses.
@pytest.mark.parametrize(
    "text",
    [
        "",
        "1980-01-01",
        "19801301",
        "013280",
        "1980010",
        "\uff11\uff19\uff18\uff10\uff10\uff11\uff10\uff11",
        "1980010\u00b2",
    ],
)
def test_parse_dob_rejects(text: str) -> None:
    assert parse_dob(text, TODAY) is None


@given(st.text())
def test_parse_dob_never_raises(text: str) -> None:
    parse_dob(text, TODAY)


def test_an_unreadable_dob_matches_no_one_rather_than_everyone() -> None:
    assert parse_subject({"NAM": "DOE,JOHN", "DOB": "tomorrow"}, TODAY) is None
    subject = parse_subject({"NAM": "DOE,JOHN", "DOB": " "}, TODAY)
    assert subject is not None and subject.dob is None


def test_an_unknown_sex_narrows_nothing() -> None:
    subject = parse_subject({"NAM": "DOE,JOHN", "SEX": "X"}, TODAY)
    assert subject is not None and subject.sex is None
    subject = parse_subject({"NAM": "DOE,JOHN", "SEX": "f"}, TODAY)
    assert subject is not None and subject.sex == "F"
