"""The shipped directory: what the issue asked it to hold."""

from __future__ import annotations

from collections import Counter

import pytest

from switch.directory import (
    COMPONENT_DEPARTMENTS,
    JURISDICTIONS,
    TAG_287G,
    TAG_CONTROL_TERMINAL,
    Agency,
    Directory,
    dmv_ori,
)
from switch.directory._validation import ORI_PATTERN

LOCAL_TYPES = {"PD", "SO", "LE", "CJ"}
SPEC_COMPONENTS = ["ATF", "CBP", "DEA", "FBI", "ICE-ERO", "ICE-HSI", "USMS", "USSS"]


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


def test_holds_at_least_400_agencies(directory: Directory) -> None:
    assert len(directory) >= 400


@pytest.mark.parametrize("state", sorted(JURISDICTIONS))
def test_each_jurisdiction_has_dmv_state_police_and_locals(
    directory: Directory, state: str
) -> None:
    agencies = directory.by_state(state)
    dmv = directory.dmv(state)
    assert dmv.ori == dmv_ori(state)
    assert dmv.type == "NJ"
    assert [a for a in agencies if a.type == "NJ"] == [dmv]
    police = [a for a in agencies if a.type == "SA"]
    assert len(police) == 1
    assert directory.control_terminal(state) == police[0]
    assert TAG_CONTROL_TERMINAL in police[0].tags
    assert sum(a.type in LOCAL_TYPES for a in agencies) >= 5


def test_state_police_oris_are_state_initials_padded_with_zeros(directory: Directory) -> None:
    assert directory.control_terminal("WA").ori == "WAWSP0000"
    assert directory.control_terminal("NY").ori == "NYNYSP000"
    for state in directory.states():
        ori = directory.control_terminal(state).ori
        assert ori.startswith(state)
        assert ori[2:].rstrip("0").isalpha()


def test_some_sheriffs_are_tagged_287g_and_only_sheriffs(directory: Directory) -> None:
    tagged = directory.filter(tag=TAG_287G)
    assert len(tagged) >= 10
    assert {a.type for a in tagged} == {"SO"}
    assert {"TX", "FL", "GA", "AL", "NC", "SC", "TN", "AZ", "OK"} <= {a.state for a in tagged}


def test_the_spec_example_oris_are_present(directory: Directory) -> None:
    assert directory.get("NY0303000") == Agency(
        "NY0303000",
        "New York City Police Department",
        "NY",
        "PD",
        county="New York City",
        region="New York City",
    )
    lesc = directory.get("VTICE0900")
    assert lesc is not None
    assert (lesc.department, lesc.component, lesc.type) == ("DHS", "ICE-ERO", "FE")
    assert "lesc" in lesc.tags


def test_every_component_the_spec_names_is_present(directory: Directory) -> None:
    assert directory.components() == SPEC_COMPONENTS
    counts = Counter(a.component for a in directory if a.component)
    assert counts["ICE-ERO"] >= 25
    assert counts["ICE-HSI"] >= 30
    assert len(directory.filter(component="CBP", tag="border-patrol")) == 20


def test_federal_agencies_carry_their_department(directory: Directory) -> None:
    federal = directory.filter(type="FE")
    assert federal
    for agency in federal:
        assert agency.component is not None
        assert agency.department == COMPONENT_DEPARTMENTS[agency.component]
    assert all(a.department is None for a in directory if a.type != "FE")


def test_oris_are_unique_and_well_shaped(directory: Directory) -> None:
    oris = [a.ori for a in directory]
    assert len(oris) == len(set(oris))
    for agency in directory:
        assert ORI_PATTERN.fullmatch(agency.ori), agency
        assert agency.ori[:2] == agency.state, agency


def test_local_oris_follow_the_county_scheme(directory: Directory) -> None:
    assert directory.get("WA0170000") == Agency(
        "WA0170000", "King County Sheriff's Office", "WA", "SO", county="King", region="Puget Sound"
    )
    assert directory.get("WA0170100") is not None
    for agency in directory:
        if agency.type in LOCAL_TYPES:
            assert agency.ori[2:].isdigit(), agency
            assert agency.ori.endswith("00"), agency
            assert (agency.type == "SO") == agency.ori.endswith("0000"), agency


def test_federal_oris_follow_the_office_scheme(directory: Directory) -> None:
    ero_seattle = directory.get("WAICE0100")
    assert ero_seattle is not None
    assert ero_seattle.name == "ICE ERO Seattle Field Office"
    for agency in directory.filter(type="FE"):
        assert agency.ori[2:5].isalpha(), agency
        assert agency.ori[5:7].isdigit(), agency
        assert agency.ori.endswith("00"), agency


def test_every_pd_and_sheriff_has_a_county_and_a_region(directory: Directory) -> None:
    for agency in directory:
        if agency.type in ("PD", "SO"):
            assert agency.county and agency.region, agency
        if agency.type not in LOCAL_TYPES:
            assert agency.county is None and agency.region is None, agency
    king = directory.filter(state="WA", type="SO")
    assert {a.county: a.region for a in king} == {
        "King": "Puget Sound",
        "Pierce": "Puget Sound",
        "Snohomish": "Puget Sound",
        "Spokane": "Inland Northwest",
    }
    # A county in no named area is a region of its own.
    etowah = directory.get("AL0280000")
    assert etowah is not None and etowah.region == etowah.county == "Etowah"


def test_task_forces_are_led_by_immigration_offices_and_seat_locals(
    directory: Directory,
) -> None:
    members = [a for a in directory if a.task_forces]
    assert len(members) >= 15
    assert {a.type for a in members} == {"PD", "SO"}
    leads = {lead for a in members for lead in a.task_forces}
    components = set()
    for lead in leads:
        office = directory.get(lead)
        assert office is not None and office.type == "FE"
        components.add(office.component)
    assert components == {"ICE-HSI", "ICE-ERO"}
    tacoma = directory.get("WA0270100")
    assert tacoma is not None and tacoma.task_forces == ("WAHSI0100",)
    # Some 287(g) sheriffs also sit on an ERO task force.
    assert any(TAG_287G in a.tags and a.task_forces for a in members)


def test_as_dict_carries_the_place_and_task_forces(directory: Directory) -> None:
    tacoma = directory.get("WA0270100")
    assert tacoma is not None
    data = tacoma.as_dict()
    assert (data["county"], data["region"], data["task_forces"]) == (
        "Pierce",
        "Puget Sound",
        ["WAHSI0100"],
    )
