"""A directory that breaks a rule is refused whole, naming file, entry and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from switch.directory import Directory, DirectoryError
from switch.errors import SwitchError

FIXTURES = Path(__file__).parent / "fixtures"

# fixture -> what the message must say after "<path>: "
BAD = {
    "duplicate_ori.json": "entry 59 (WA0170100): duplicate ORI WA0170100 (first at entry 54)",
    "bad_ori.json": "entry 54 (WA-170100): ORI 'WA-170100' is not 9 characters of A-Z and 0-9",
    "unknown_type.json": "entry 54 (WA0170100): unknown agency type 'XX'",
    "missing_dmv.json": "no DMV for OR (expected ORI OROLN0000)",
    "department_mismatch.json": "entry 56 (VTICE0900): component ICE-ERO belongs to DHS, not DOJ",
    "wrong_state_prefix.json": (
        "entry 54 (OR0170100): ORI OR0170100 does not start with its state WA"
    ),
    "unknown_state.json": "entry 54 (ZZ0170100): unknown jurisdiction 'ZZ'",
    "bad_tag.json": "entry 55 (TX2200000): tag '287(g)' is not lower-case",
    "local_with_component.json": (
        "entry 53 (WA0170000): only federal (FE) agencies have a department or component, not SO"
    ),
    "two_control_terminals.json": "WA has 2 control terminals; at most one",
    "unknown_field.json": "entry 54 (WA0170100): unknown field(s) agency_type",
    "missing_field.json": "entry 54 (WA0170100): missing field(s) name",
    "not_json.json": "not valid JSON: ",
    "not_a_list.json": "the directory must be a JSON array of agencies",
    "task_force_not_federal.json": (
        "entry 54 (WA0170100): task force 'WA0170000' is not the ORI of a federal (FE) office"
    ),
    "task_force_unknown.json": (
        "entry 54 (WA0170100): task force 'WAHSI0100' is not the ORI of a federal (FE) office"
    ),
    "county_on_federal.json": (
        "entry 57 (WACBP0100): only local agencies (CJ, LE, PD, SO) have a county"
    ),
    "region_without_county.json": "entry 54 (WA0170100): a region needs a county",
    "task_forces_not_a_list.json": "entry 54 (WA0170100): task_forces must be a list of ORIs",
}


def test_the_good_fixture_loads() -> None:
    directory = Directory.load(FIXTURES / "good.json")
    assert len(directory) == 59
    seattle = directory.get("WA0170100")
    assert seattle is not None
    assert (seattle.county, seattle.region, seattle.task_forces) == (
        "King",
        "Puget Sound",
        ("WACBP0100",),
    )
    # Older files without the place fields still load: the place is unknown.
    king = directory.get("WA0170000")
    assert king is not None and (king.county, king.region, king.task_forces) == (None, None, ())


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_fixture_is_refused_with_its_reason(name: str) -> None:
    path = FIXTURES / name
    with pytest.raises(DirectoryError) as caught:
        Directory.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert BAD[name] in message
    assert isinstance(caught.value, SwitchError)
    assert caught.value.source == str(path)


def test_every_bad_fixture_is_tested() -> None:
    on_disk = {p.name for p in FIXTURES.glob("*.json")} - {"good.json"}
    assert on_disk == set(BAD)


def test_an_entry_that_is_not_an_object() -> None:
    with pytest.raises(DirectoryError, match=r"<json>: entry 0: expected an object, got str"):
        Directory.from_json('["WA0170100"]')
