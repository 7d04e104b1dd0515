from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.dmv import MAX_CANDIDATES, DMVAnswer, StateDMV
from switch.errors import NotAllowed
from switch.messages.model import RESPONSE_KEYS
from tests.simulators.cases import TODAY, WA, driver_indices, mmddyy

DRIVER = WA.driver(42)
VEHICLE = WA.vehicle(17)
OWNER = WA.driver(WA.owner_of(17))

# One query that hits and one that misses, for every key.
HITS: dict[str, dict[str, str]] = {
    "DQ": {"OLN": DRIVER["OLN"]},
    "DNQ": {"NAM": DRIVER["NAM"]},
    "KQ": {"OLN": DRIVER["OLN"]},
    "RQ": {"LIC": VEHICLE["LIC"]},
    "RNQ": {"NAM": OWNER["NAM"], "DOB": OWNER["DOB"]},
}
MISSES: dict[str, dict[str, str]] = {
    "DQ": {"OLN": "WDL000000000"},
    "DNQ": {"NAM": "NOBODY,NEVER"},
    "KQ": {"NAM": DRIVER["NAM"], "DOB": "19000101"},
    "RQ": {"LIC": "1"},
    "RNQ": {"NAM": "NOBODY,NEVER"},
}


def _name_and_dob(record: Mapping[str, str], dob: str) -> dict[str, str]:
    return {"NAM": record["NAM"], "DOB": dob, "SEX": record["SEX"]}


@pytest.mark.parametrize("key", sorted(RESPONSE_KEYS))
def test_each_key_answers_with_its_response_key(key: str) -> None:
    hit = WA.answer(key, HITS[key])
    assert hit == DMVAnswer(RESPONSE_KEYS[key], hit.records)
    assert not hit.not_on_file
    miss = WA.answer(key, MISSES[key])
    assert miss.key == RESPONSE_KEYS[key] and miss.not_on_file and miss.records == ()


def test_dq_by_oln() -> None:
    assert WA.answer("DQ", {"OLN": DRIVER["OLN"]}).records == (DRIVER,)
    # People type licence numbers in lower case and with dashes.
    typed = DRIVER["OLN"].lower()[:3] + "-" + DRIVER["OLN"].lower()[3:]
    assert WA.answer("DQ", {"OLN": typed}).records == (DRIVER,)


@pytest.mark.parametrize("oln", ["", "   ", "X42", "WDL12345678", "WDL" + "1" * 10, "A1234567"])
def test_dq_not_on_file(oln: str) -> None:
    assert WA.answer("DQ", {"OLN": oln}).not_on_file


def test_an_oln_beyond_the_last_driver_is_not_on_file() -> None:
    # Same seed and state, so the same numbering; the small DMV ends at 99.
    small = StateDMV("WA", drivers=100, today=TODAY)
    bigger = StateDMV("WA", drivers=200, today=TODAY)
    assert small.answer("DQ", {"OLN": bigger.driver(99)["OLN"]}).records == (small.driver(99),)
    assert small.answer("DQ", {"OLN": bigger.driver(150)["OLN"]}).not_on_file


@pytest.mark.parametrize("dob", [DRIVER["DOB"], mmddyy(DRIVER["DOB"])])
def test_dq_by_name_dob_and_sex_finds_the_driver(dob: str) -> None:
    answer = WA.answer("DQ", _name_and_dob(DRIVER, dob))
    assert answer.key == "DR" and answer.records == (DRIVER,)


def test_name_matching_is_lenient_about_case_spacing_and_middle_names() -> None:
    last, given_names = DRIVER["NAM"].split(",")
    first = given_names.split()[0]
    for name in (f"{last.lower()}, {first.lower()}", f"  {last} ,  {first} ", f"{last},{first}"):
        fields = {"NAM": name, "DOB": DRIVER["DOB"], "SEX": DRIVER["SEX"]}
        assert DRIVER in WA.answer("DQ", fields).records


def test_a_wrong_middle_initial_does_not_match() -> None:
    middled = next(WA.driver(i) for i in range(100) if len(WA.driver(i)["NAM"].split()) == 2)
    last_first, middle = middled["NAM"].split()
    right = {"NAM": f"{last_first} {middle[0]}", "DOB": middled["DOB"]}
    wrong = {"NAM": f"{last_first} {'Z' if middle[0] != 'Z' else 'Y'}", "DOB": middled["DOB"]}
    assert middled in WA.answer("DQ", right).records
    assert middled not in WA.answer("DQ", wrong).records


@pytest.mark.parametrize(
    "change",
    [
        {"DOB": "19000101"},
        {"DOB": "not a date"},
        {"SEX": "F" if DRIVER["SEX"] == "M" else "M"},
        {"NAM": "NOBODY,NEVER"},
        {"NAM": DRIVER["NAM"].replace(",", " ")},
    ],
)
def test_dq_by_name_not_on_file(change: dict[str, str]) -> None:
    fields = {**_name_and_dob(DRIVER, DRIVER["DOB"]), **change}
    assert WA.answer("DQ", fields).not_on_file


def test_dq_by_name_needs_a_dob() -> None:
    # A name alone is a DNQ; a DQ without a DOB would return strangers.
    assert WA.answer("DQ", {"NAM": DRIVER["NAM"], "SEX": DRIVER["SEX"]}).not_on_file
    assert DRIVER in WA.answer("DNQ", {"NAM": DRIVER["NAM"]}).records


def _crowded_name() -> str:
    """A LAST,FIRST that more than MAX_CANDIDATES drivers of WA share."""
    counts = Counter(WA.driver(i)["NAM"].split()[0] for i in range(WA.drivers))
    name, count = counts.most_common(1)[0]
    assert count > MAX_CANDIDATES
    return name


def test_name_only_queries_return_at_most_five_candidates() -> None:
    crowded = _crowded_name()
    answer = WA.answer("DNQ", {"NAM": crowded})
    assert len(answer.records) == MAX_CANDIDATES
    assert all(r["NAM"].split()[0] == crowded for r in answer.records)
    assert len(WA.answer("RNQ", {"NAM": crowded}).records) <= MAX_CANDIDATES


def test_dnq_narrows_by_dob_and_sex_when_given() -> None:
    answer = WA.answer("DNQ", _name_and_dob(DRIVER, mmddyy(DRIVER["DOB"])))
    assert answer.records == (DRIVER,)


def test_img_only_with_imq_y() -> None:
    oln = {"OLN": DRIVER["OLN"]}
    assert "IMG" not in WA.answer("DQ", oln).records[0]
    assert "IMG" not in WA.answer("DQ", {**oln, "IMQ": "N"}).records[0]
    with_image = WA.answer("DQ", {**oln, "IMQ": "Y"}).records[0]
    assert with_image["IMG"].startswith("JPEG;") and len(with_image["IMG"]) <= 200
    assert {k: v for k, v in with_image.items() if k != "IMG"} == dict(DRIVER)
    # Deterministic, and different people have different images.
    assert WA.answer("DQ", {**oln, "IMQ": "y"}).records[0]["IMG"] == with_image["IMG"]
    other = WA.answer("DQ", {"OLN": WA.driver(43)["OLN"], "IMQ": "Y"}).records[0]
    assert other["IMG"] != with_image["IMG"]
    assert "IMG" in WA.answer("DNQ", {"NAM": DRIVER["NAM"], "IMQ": "Y"}).records[0]
    assert "IMG" not in WA.answer("RQ", {**HITS["RQ"], "IMQ": "Y"}).records[0]


def test_the_image_is_of_the_person_not_of_the_day() -> None:
    later = StateDMV("WA", today=date(2031, 3, 1))
    fields = {"OLN": DRIVER["OLN"], "IMQ": "Y"}
    image = WA.answer("DQ", fields).records[0]["IMG"]
    assert later.answer("DQ", fields).records[0]["IMG"] == image


def test_a_state_that_does_not_share_images_omits_them() -> None:
    private = StateDMV("WA", shares_images=False, today=TODAY)
    assert "IMG" not in private.answer("DQ", {"OLN": DRIVER["OLN"], "IMQ": "Y"}).records[0]


def test_kq_adds_the_driver_history() -> None:
    index = next(i for i in range(200) if len(WA.history(i)) >= 2)
    record = WA.answer("KQ", {"OLN": WA.driver(index)["OLN"]}).records[0]
    history = WA.history(index)
    assert {k: v for k, v in record.items() if not k.startswith("HS")} == dict(WA.driver(index))
    assert [record[f"HS{n}"] for n in range(1, len(history) + 1)] == list(history)
    assert f"HS{len(history) + 1}" not in record


def test_rq_by_plate_finds_the_vehicle_and_its_owner() -> None:
    record = WA.answer("RQ", {"LIC": VEHICLE["LIC"].lower()}).records[0]
    assert record == VEHICLE
    assert (record["NAM"], record["ADR"]) == (OWNER["NAM"], OWNER["ADR"])
    full = {"LIC": VEHICLE["LIC"], "LIY": VEHICLE["LIY"], "LIT": VEHICLE["LIT"]}
    assert WA.answer("RQ", full).records == (VEHICLE,)


@pytest.mark.parametrize("qualifier", [{"LIY": "1999"}, {"LIT": "MC"}])
def test_a_plate_of_another_year_or_type_is_not_on_file(qualifier: dict[str, str]) -> None:
    assert VEHICLE["LIT"] != "MC"
    assert WA.answer("RQ", {"LIC": VEHICLE["LIC"], **qualifier}).not_on_file


def test_rq_by_vin() -> None:
    assert WA.answer("RQ", {"VIN": VEHICLE["VIN"]}).records == (VEHICLE,)
    # Plate and VIN of the same vehicle answer once.
    both = {"LIC": VEHICLE["LIC"], "VIN": VEHICLE["VIN"]}
    assert WA.answer("RQ", both).records == (VEHICLE,)


def test_a_vin_with_the_right_serial_but_another_make_is_not_on_file() -> None:
    vin = VEHICLE["VIN"]
    forged = ("1HG" if not vin.startswith("1HG") else "4T1") + vin[3:]
    assert WA.answer("RQ", {"VIN": forged}).not_on_file
    assert WA.answer("RQ", {"VIN": vin[:-1]}).not_on_file


def test_rnq_finds_the_vehicles_of_an_owner() -> None:
    owner_index = WA.owner_of(17)
    records = WA.answer("RNQ", {"NAM": OWNER["NAM"], "DOB": mmddyy(OWNER["DOB"])}).records
    expected = [WA.vehicle(v) for v in WA.vehicles_of(owner_index)][:MAX_CANDIDATES]
    assert list(records) == expected and VEHICLE in records


def test_a_key_the_state_does_not_answer_is_refused() -> None:
    no_history = StateDMV("WA", supports={"DQ", "RQ"}, today=TODAY)
    assert no_history.supports == frozenset({"DQ", "RQ"})
    with pytest.raises(NotAllowed, match="KQ"):
        no_history.answer("KQ", HITS["KQ"])
    with pytest.raises(NotAllowed):
        WA.answer("AM", {"TXT": "HELLO"})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"state": "XX"},
        {"state": "WA", "drivers": 0},
        {"state": "DE", "drivers": 10**8},
        {"state": "WA", "vehicles": 10**9},
        {"state": "WA", "supports": {"DQ", "AM"}},
    ],
)
def test_impossible_configurations_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        StateDMV(**kwargs)  # type: ignore[arg-type]


PREFIXES = ["OLN", "NAM", "DOB", "SEX", "IMQ", "RSN", "LIC", "LIY", "LIT", "VIN", "WRT"]
# Values near the valid ones find more paths than random text alone.
near_values = st.one_of(
    st.text(),
    st.sampled_from([DRIVER["OLN"], DRIVER["NAM"], DRIVER["DOB"], VEHICLE["LIC"], VEHICLE["VIN"]]),
    st.from_regex(r"[A-Z ]{0,12},[A-Z ]{0,12}", fullmatch=True),
    st.from_regex(r"[0-9]{6}|[0-9]{8}", fullmatch=True),
    st.from_regex(r"[0-9A-Z]{7,17}", fullmatch=True),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from(sorted(RESPONSE_KEYS)),
    fields=st.dictionaries(st.one_of(st.sampled_from(PREFIXES), st.text(max_size=4)), near_values),
    index=driver_indices,
)
def test_arbitrary_fields_never_raise(key: str, fields: dict[str, str], index: int) -> None:
    answer = WA.answer(key, fields)
    assert answer.key == RESPONSE_KEYS[key]
    assert len(answer.records) <= MAX_CANDIDATES or key == "RQ"
    # A real subject mixed with noise still never raises.
    WA.answer(key, {**fields, "OLN": WA.driver(index)["OLN"]})
