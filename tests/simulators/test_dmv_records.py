from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings

from simulators.dmv import StateDMV, vehicles
from simulators.dmv.formats import VIN_CHARACTERS
from tests.simulators.cases import TODAY, WA, driver_indices, states

DRIVER_FIELDS = [
    "NAM", "ADR", "DOB", "SEX", "RAC", "HGT", "WGT", "EYE", "HAI", "SOC",
    "LTY", "CLS", "RST", "STS", "EXP", "OLN",
]  # fmt: skip
VEHICLE_FIELDS = [
    "LIC", "LIY", "LIT", "VIN", "VYR", "VMA", "VMO", "VST", "VCO", "NAM", "ADR", "EXP", "STS",
]  # fmt: skip

# Built once per state: hypothesis draws states and indices across examples.
_DMVS: dict[str, StateDMV] = {}


def _dmv(state: str) -> StateDMV:
    return _DMVS.setdefault(state, StateDMV(state, today=TODAY))


def _ccyymmdd(text: str) -> date:
    assert re.fullmatch(r"[0-9]{8}", text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def test_same_seed_same_records() -> None:
    again = StateDMV("WA", seed=0, today=TODAY)
    for i in (0, 1, 42, 9_999):
        assert again.driver(i) == WA.driver(i)
        assert again.vehicle(i) == WA.vehicle(i)
        assert again.history(i) == WA.history(i)


def test_different_seed_different_records() -> None:
    other = StateDMV("WA", seed=1, today=TODAY)
    for i in range(20):
        assert other.driver(i) != WA.driver(i)
        assert other.vehicle(i) != WA.vehicle(i)


def test_states_do_not_share_people() -> None:
    oregon = StateDMV("OR", today=TODAY)
    assert [oregon.driver(i)["NAM"] for i in range(10)] != [WA.driver(i)["NAM"] for i in range(10)]


def test_identifying_fields_do_not_depend_on_the_date() -> None:
    # A saved query must keep finding its subject next year.
    later = StateDMV("WA", today=date(2031, 3, 1))
    for field in ("NAM", "DOB", "SEX", "OLN"):
        assert later.driver(7)[field] == WA.driver(7)[field]
    for field in ("LIC", "VIN", "VYR", "VMA", "VMO"):
        assert later.vehicle(7)[field] == WA.vehicle(7)[field]


@pytest.mark.parametrize("state", ["WA", "NY", "PR", "DC"])
def test_every_state_has_ten_thousand_drivers(state: str) -> None:
    dmv = _dmv(state)
    assert dmv.drivers >= 10_000
    assert dmv.driver(9_999)["OLN"]
    with pytest.raises(IndexError):
        dmv.driver(dmv.drivers)
    with pytest.raises(IndexError):
        dmv.vehicle(-1)


@settings(max_examples=200)
@given(state=states, index=driver_indices)
def test_driver_record_fields(state: str, index: int) -> None:
    record = _dmv(state).driver(index)
    assert list(record) == DRIVER_FIELDS
    last, comma, given_names = record["NAM"].partition(",")
    assert comma and last and given_names
    assert re.fullmatch(rf".+, .+, {state} [0-9]{{5}}", record["ADR"])
    assert _ccyymmdd(record["DOB"]) <= TODAY
    assert record["SEX"] in ("M", "F")
    assert record["RAC"] in ("W", "B", "A", "I", "U")
    assert re.fullmatch(r"[4-6](0[0-9]|1[01])", record["HGT"])
    assert 95 <= int(record["WGT"]) <= 400
    assert record["EYE"] in ("BRO", "BLU", "GRN", "HAZ", "GRY", "BLK")
    assert record["HAI"] in ("BRO", "BLK", "BLN", "RED", "GRY", "WHI", "BAL")
    assert record["LTY"] in ("DL", "ID", "CDL", "LP")
    assert record["CLS"] in ("A", "B", "C", "D", "M", "NONE")
    assert record["RST"] in ("NONE", "B")
    assert record["STS"] in ("VALID", "SUSPENDED", "REVOKED", "EXPIRED", "CANCELLED")
    expiry = _ccyymmdd(record["EXP"])
    assert (expiry < TODAY) == (record["STS"] == "EXPIRED")


@settings(max_examples=200)
@given(state=states, index=driver_indices)
def test_ssns_are_in_the_never_issued_area(state: str, index: int) -> None:
    # Area 000 is never issued by the SSA and is not an ITIN (9xx) either.
    assert re.fullmatch(r"000[0-9]{6}", _dmv(state).driver(index)["SOC"])


@settings(max_examples=200)
@given(state=states, index=driver_indices)
def test_values_survive_the_legacy_text_format(state: str, index: int) -> None:
    # Fields are joined by "." and split on "/": neither may appear in a value.
    dmv = _dmv(state)
    for record in (dmv.driver(index), dmv.vehicle(index)):
        for value in record.values():
            assert value and not set(value) & set("./\r\n"), value


@settings(max_examples=200)
@given(state=states, index=driver_indices)
def test_vehicle_record_fields(state: str, index: int) -> None:
    dmv = _dmv(state)
    record = dmv.vehicle(index)
    assert list(record) == VEHICLE_FIELDS
    vin = record["VIN"]
    assert len(vin) == 17 and set(vin) <= set(VIN_CHARACTERS)
    assert vehicles.check_digit(vin) == vin[8]
    assert vin[9] == vehicles.year_code(int(record["VYR"]))
    assert record["VMA"] in {make.code for make in vehicles.MAKES}
    assert record["LIT"] in ("PC", "TK", "MC")
    assert record["LIY"] == record["EXP"][:4]
    owner = dmv.driver(dmv.owner_of(index))
    assert (record["NAM"], record["ADR"]) == (owner["NAM"], owner["ADR"])


@settings(max_examples=100)
@given(index=driver_indices)
def test_history_entries(index: int) -> None:
    entries = WA.history(index)
    assert len(entries) <= 4
    dates = [_ccyymmdd(entry[:8]) for entry in entries]
    assert dates == sorted(dates, reverse=True) and all(d < TODAY for d in dates)
    assert all(re.fullmatch(r"[0-9]{8} [A-Z0-9 ]+", entry) for entry in entries)
    status = WA.driver(index)["STS"]
    if status in ("SUSPENDED", "REVOKED"):
        assert entries[0].endswith(f"LICENSE {status}")


def test_records_are_read_only() -> None:
    with pytest.raises(TypeError):
        WA.driver(0)["NAM"] = "DOE,JOHN"  # type: ignore[index]


def test_owners_and_their_vehicles_agree() -> None:
    for vehicle in range(50):
        assert vehicle in WA.vehicles_of(WA.owner_of(vehicle))
