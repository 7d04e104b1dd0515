"""Programmable records: what may be put in, fixture files, and which
queries find them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from simulators.mockstate import RecordSet, RecordsFileError, load_records
from simulators.mockstate._records import ProgrammedRecords

EXAMPLES = Path(__file__).resolve().parents[2] / "simulators" / "mockstate" / "examples"
FIXTURES = Path(__file__).parent / "fixtures"

JANE = {"OLN": "WDL-TEST 0001", "NAM": "DOE,JANE QUINN", "DOB": "19850214", "SEX": "F"}
JOHN = {"OLN": "WDLTEST0002", "NAM": "DOE,JOHN", "DOB": "19800101", "SEX": "M"}
CAR = {"LIC": "TRN0001", "LIY": "2026", "LIT": "PC", "VIN": "1HGCM82633A004352", "NAM": "DOE,JANE"}


@pytest.fixture
def programmed() -> ProgrammedRecords:
    records = ProgrammedRecords(today=date(2025, 11, 12))
    records.add(RecordSet(drivers=[JANE, JOHN], vehicles=[CAR]))
    return records


def test_values_become_text_and_prefixes_upper_case() -> None:
    records = RecordSet.model_validate({"drivers": [{"oln": "X1", "nam": "A,B", "DOB": 19800101}]})
    assert records.drivers == [{"OLN": "X1", "NAM": "A,B", "DOB": "19800101"}]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"drivers": [{"SEX": "M"}]}, "a driver needs OLN or NAM"),
        ({"drivers": [{"NAM": "DOE"}]}, "NAM 'DOE': want LAST,FIRST"),
        ({"drivers": [{"OLN": "X", "DOB": "01011980"}]}, "DOB '01011980': want CCYYMMDD"),
        ({"drivers": [{"OLN": "X", "DOB": "19801301"}]}, "want CCYYMMDD"),
        ({"drivers": [{"OLN": "X", "SEX": "Q"}]}, "SEX 'Q': want M or F"),
        ({"drivers": [{"OLN": "X", "ADDRESS": "1 MAIN"}]}, "'ADDRESS' is not a field prefix"),
        ({"drivers": [{"OLN": True}]}, "OLN: want text, got bool"),
        ({"drivers": [{"OLN": ["X"]}]}, "OLN: want text, got list"),
        ({"drivers": ["X"]}, "a record is a mapping"),
        ({"vehicles": [{"VMA": "FORD"}]}, "a vehicle needs LIC or VIN"),
        ({"people": []}, "Extra inputs are not permitted"),
    ],
)
def test_bad_records_are_refused_with_the_reason(data: object, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RecordSet.model_validate(data)
    assert reason in str(caught.value)


def test_the_shipped_fixture_loads_as_text() -> None:
    records = load_records(EXAMPLES / "wa-records.yaml")
    assert len(records.drivers) == 2 and len(records.vehicles) == 1
    jane = records.drivers[0]
    # Read as text: the leading zeros of an SSN survive YAML.
    assert (jane["OLN"], jane["DOB"], jane["SOC"]) == ("WDLTRAIN0001", "19850214", "000000001")


def test_a_json_fixture_loads() -> None:
    records = load_records(FIXTURES / "records.json")
    assert records.drivers[0]["DOB"] == "19900101"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad-records-name.yaml", "drivers[0]: NAM 'NOCOMMA': want LAST,FIRST"),
        ("bad-records-vehicle.json", "vehicles[0]: a vehicle needs LIC or VIN"),
        ("bad-records-shape.yaml", "Input should be a valid dictionary"),
        ("bad-records-syntax.yaml", "bad-records-syntax.yaml"),
        ("missing.yaml", "No such file"),
    ],
)
def test_a_bad_fixture_names_the_file_and_the_reason(name: str, reason: str) -> None:
    with pytest.raises(RecordsFileError) as caught:
        load_records(FIXTURES / name)
    assert name in str(caught.value) and reason in str(caught.value)


def test_dq_by_oln_ignores_spacing_and_dashes(programmed: ProgrammedRecords) -> None:
    assert programmed.match("DQ", {"OLN": "wdltest0001"}) == (JANE,)
    assert programmed.match("KQ", {"OLN": "WDLTEST0002"}) == (JOHN,)
    assert programmed.match("DQ", {"OLN": "WDLTEST0003"}) == ()


def test_dq_by_name_needs_the_dob_and_is_narrowed_by_sex_and_middle(
    programmed: ProgrammedRecords,
) -> None:
    assert programmed.match("DQ", {"NAM": "DOE,JANE", "DOB": "19850214"}) == (JANE,)
    assert programmed.match("DQ", {"NAM": "DOE,JANE", "DOB": "021485"}) == (JANE,)
    assert programmed.match("DQ", {"NAM": "DOE,JANE"}) == ()
    assert programmed.match("DQ", {"NAM": "DOE,JANE", "DOB": "19850214", "SEX": "M"}) == ()
    assert programmed.match("DQ", {"NAM": "DOE,JANE Q", "DOB": "19850214"}) == (JANE,)
    assert programmed.match("DQ", {"NAM": "DOE,JANE X", "DOB": "19850214"}) == ()


def test_dnq_finds_by_name_alone(programmed: ProgrammedRecords) -> None:
    assert programmed.match("DNQ", {"NAM": "doe, john"}) == (JOHN,)
    assert programmed.match("DNQ", {"NAM": "DOE,NOBODY"}) == ()


def test_rq_by_plate_or_vin_and_rnq_by_owner(programmed: ProgrammedRecords) -> None:
    assert programmed.match("RQ", {"LIC": "TRN 0001"}) == (CAR,)
    assert programmed.match("RQ", {"LIC": "TRN0001", "LIY": "2026", "LIT": "PC"}) == (CAR,)
    assert programmed.match("RQ", {"LIC": "TRN0001", "LIY": "2025"}) == ()
    assert programmed.match("RQ", {"VIN": "1HGCM82633A004352"}) == (CAR,)
    assert programmed.match("RNQ", {"NAM": "DOE,JANE"}) == (CAR,)
    assert programmed.match("RQ", {"LIC": "WDLTEST0002"}) == ()


def test_replace_and_clear(programmed: ProgrammedRecords) -> None:
    programmed.replace(RecordSet(drivers=[JOHN]))
    assert programmed.match("DQ", {"OLN": "WDLTEST0001"}) == ()
    assert len(programmed) == 1
    programmed.clear()
    assert programmed.snapshot() == RecordSet()
