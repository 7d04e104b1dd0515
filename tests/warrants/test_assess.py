"""assess_warrant: what a cited WRT/ is worth to one message, for every level
and every way a citation can be worthless."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switch.warrants import Warrant, WarrantLevel, assess_warrant

fast = settings(max_examples=150, deadline=None)

ISSUED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AT = ISSUED + timedelta(days=3)
ICE = "VTICE0900"

BY_OLN = Warrant(
    id="JW-2026-000123",
    kind="judicial",
    form="warrant",
    issued_to=ICE,
    issued_by="Hon. A. Reyes, U.S. District Court, Vermont",
    subject_oln="WDL123456789",
    subject_name=None,
    subject_dob=None,
    issued_at=ISSUED,
    expires_at=ISSUED + timedelta(days=30),
)
BY_NAME = replace(
    BY_OLN,
    id="AW-2026-000124",
    kind="administrative",
    form="I-200",
    issued_by="SDDO J. Carter, ICE ERO",
    subject_oln=None,
    subject_name="DOE,JOHN",
    subject_dob=date(1980, 1, 2),
)


def assess(
    warrant: Warrant | None,
    fields: dict[str, str],
    *,
    cited: bool = True,
    ori: str = ICE,
    at: datetime = AT,
) -> WarrantLevel:
    return assess_warrant(warrant, cited=cited, requester_ori=ori, fields=fields, at=at)


# -- each level --------------------------------------------------------------


@pytest.mark.parametrize("warrant", [None, BY_OLN, BY_NAME])
def test_nothing_cited_is_none_whatever_the_registry_holds(warrant: Warrant | None) -> None:
    assert assess(warrant, {"OLN": "WDL123456789"}, cited=False) == "none"


def test_a_judicial_warrant_for_the_oln_asked_is_judicial() -> None:
    assert assess(BY_OLN, {"OLN": "WDL123456789", "WRT": BY_OLN.id}) == "judicial"


def test_an_administrative_warrant_is_administrative_never_judicial() -> None:
    assert assess(BY_NAME, {"NAM": "DOE,JOHN", "DOB": "19800102"}) == "administrative"
    as_oln = replace(BY_OLN, kind="administrative", form="I-205")
    assert assess(as_oln, {"OLN": "WDL123456789"}) == "administrative"


@pytest.mark.parametrize("dob", ["19800102", "010280"], ids=["ccyymmdd", "mmddyy"])
def test_name_and_dob_match_in_either_dob_form(dob: str) -> None:
    assert assess(BY_NAME, {"NAM": "DOE,JOHN", "DOB": dob, "SEX": "M"}) == "administrative"


@pytest.mark.parametrize("name", ["DOE,JOHN Q", "doe,john", "Doe, John", "DOE,JOHN QUINCY ADAMS"])
def test_name_ignores_case_spacing_and_a_middle_name(name: str) -> None:
    assert assess(BY_NAME, {"NAM": name, "DOB": "19800102"}) == "administrative"


def test_a_middle_name_on_the_warrant_is_ignored_too() -> None:
    warrant = replace(BY_NAME, subject_name="DOE,JOHN QUINCY")
    assert assess(warrant, {"NAM": "DOE,JOHN", "DOB": "19800102"}) == "administrative"


def test_a_warrant_holds_from_the_moment_it_is_issued() -> None:
    assert assess(BY_OLN, {"OLN": "WDL123456789"}, at=ISSUED) == "judicial"
    last = BY_OLN.expires_at - timedelta(microseconds=1)
    assert assess(BY_OLN, {"OLN": "WDL123456789"}, at=last) == "judicial"


def test_a_naive_time_is_read_as_utc() -> None:
    assert assess(BY_OLN, {"OLN": "WDL123456789"}, at=AT.replace(tzinfo=None)) == "judicial"


def test_the_requester_ori_ignores_case() -> None:
    assert assess(BY_OLN, {"OLN": "WDL123456789"}, ori="vtice0900") == "judicial"


# -- cited but worthless -------------------------------------------------------


def test_an_unknown_id_is_cited() -> None:
    assert assess(None, {"OLN": "WDL123456789", "WRT": "JW-2026-999999"}) == "cited"


@pytest.mark.parametrize(
    "at",
    [BY_OLN.expires_at, BY_OLN.expires_at + timedelta(days=400)],
    ids=["at-expiry", "long-after"],
)
def test_an_expired_warrant_is_cited(at: datetime) -> None:
    assert assess(BY_OLN, {"OLN": "WDL123456789"}, at=at) == "cited"


def test_a_warrant_cited_before_it_was_issued_is_cited() -> None:
    # A replay of older traffic must not credit a warrant that did not exist yet.
    before = ISSUED - timedelta(seconds=1)
    assert assess(BY_OLN, {"OLN": "WDL123456789"}, at=before) == "cited"


@pytest.mark.parametrize("ori", ["VTICE0901", "NY0303000", ""])
def test_a_warrant_issued_to_another_agency_is_cited(ori: str) -> None:
    assert assess(BY_OLN, {"OLN": "WDL123456789"}, ori=ori) == "cited"


@pytest.mark.parametrize(
    "fields",
    [
        {"OLN": "WDL123456780"},
        {"OLN": "WDL12345678"},
        {"NAM": "DOE,JOHN", "DOB": "19800102"},
        {},
    ],
    ids=["other-oln", "prefix-of-oln", "name-only-query", "no-subject"],
)
def test_an_oln_warrant_for_another_subject_is_cited(fields: dict[str, str]) -> None:
    assert assess(BY_OLN, fields) == "cited"


@pytest.mark.parametrize(
    "fields",
    [
        {"NAM": "ROE,JOHN", "DOB": "19800102"},
        {"NAM": "DOE,JANE", "DOB": "19800102"},
        {"NAM": "DOE,JOHNNY", "DOB": "19800102"},
        {"NAM": "JOHN,DOE", "DOB": "19800102"},
        {"NAM": "DOE,JOHN", "DOB": "19800103"},
        {"NAM": "DOE,JOHN", "DOB": "010380"},
        {"NAM": "DOE,JOHN", "DOB": "19810102"},
        {"NAM": "DOE,JOHN", "DOB": "010281"},
        {"NAM": "DOE,JOHN", "DOB": "19801301"},
        {"NAM": "DOE,JOHN", "DOB": "1980-01-02"},
        {"NAM": "DOE,JOHN"},
        {"DOB": "19800102"},
        {"OLN": "WDL123456789"},
        {"NAM": "DOE", "DOB": "19800102"},
    ],
    ids=[
        "other-last",
        "other-first",
        "longer-first",
        "swapped",
        "other-day-ccyymmdd",
        "other-day-mmddyy",
        "other-year-ccyymmdd",
        "other-year-mmddyy",
        "not-a-date",
        "dashes",
        "no-dob",
        "no-name",
        "oln-only-query",
        "no-first-name",
    ],
)
def test_a_name_warrant_for_another_subject_is_cited(fields: dict[str, str]) -> None:
    assert assess(BY_NAME, fields) == "cited"


def test_a_century_off_mmddyy_dob_does_not_match() -> None:
    # 010226 in 2026 reads as 2 January 2026 (the pivot), not 1926.
    old = replace(BY_NAME, subject_dob=date(1926, 1, 2))
    assert assess(old, {"NAM": "DOE,JOHN", "DOB": "010226"}) == "cited"
    assert assess(old, {"NAM": "DOE,JOHN", "DOB": "19260102"}) == "administrative"


# -- properties ----------------------------------------------------------------

_values = st.text(alphabet="ABDEJNOW0123456789,- ", max_size=14)
_fields = st.dictionaries(st.sampled_from(["OLN", "NAM", "DOB", "SEX", "WRT"]), _values)
_moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)


@fast
@given(
    warrant=st.sampled_from([None, BY_OLN, BY_NAME]),
    cited=st.booleans(),
    ori=st.sampled_from([ICE, "NY0303000"]),
    fields=_fields,
    at=_moments,
)
def test_the_level_is_the_kind_only_when_every_check_passes(
    warrant: Warrant | None, cited: bool, ori: str, fields: dict[str, str], at: datetime
) -> None:
    level = assess(warrant, fields, cited=cited, ori=ori, at=at)
    if not cited:
        assert level == "none"
        return
    if warrant is None:
        assert level == "cited"
        return
    assert level in ("cited", warrant.kind)
    if level == warrant.kind:
        assert warrant.issued_at <= at < warrant.expires_at
        assert ori == warrant.issued_to


@fast
@given(
    born=st.dates(min_value=date(1927, 1, 1), max_value=date(2026, 3, 5)),
    middle=st.sampled_from(["", " Q", " QUINCY"]),
    lower=st.booleans(),
)
def test_both_dob_forms_match_a_name_warrant(born: date, middle: str, lower: bool) -> None:
    warrant = replace(BY_NAME, subject_dob=born)
    name = f"DOE,JOHN{middle}"
    name = name.lower() if lower else name
    for dob in (born.strftime("%Y%m%d"), born.strftime("%m%d%y")):
        assert assess(warrant, {"NAM": name, "DOB": dob}) == "administrative"


@fast
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 3, 5)), days=st.integers(1, 400)
)
def test_any_other_dob_does_not_match(born: date, days: int) -> None:
    warrant = replace(BY_NAME, subject_dob=born)
    other = born - timedelta(days=days)
    assert assess(warrant, {"NAM": "DOE,JOHN", "DOB": other.strftime("%Y%m%d")}) == "cited"
