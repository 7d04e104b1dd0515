"""The shipped regions: our own codes (Nlets does not publish its), eight
regions of six or seven jurisdictions, every jurisdiction in exactly one."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from switch.directory import JURISDICTIONS, DirectoryError
from switch.directory.regions import regions_from_json, shipped_regions


def _shipped() -> dict[str, Any]:
    text = resources.files("switch.directory").joinpath("data/regions.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def test_eight_regions_of_six_or_seven_cover_every_jurisdiction_once() -> None:
    regions = shipped_regions()
    assert len(regions) == 8
    assert all(len(region.states) in (6, 7) for region in regions.values())
    members = [state for region in regions.values() for state in region.states]
    assert sorted(members) == sorted(JURISDICTIONS)


def test_no_region_code_is_a_state_code_or_nl() -> None:
    assert not set(shipped_regions()) & (set(JURISDICTIONS) | {"NL"})


def test_the_file_says_the_codes_are_our_own() -> None:
    description = _shipped()["description"]
    assert "Our own design, not Nlets data" in description
    assert "eight regions" in description


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["regions"].update(WA={"name": "x", "states": ["OR"]}), "no state's"),
        (lambda d: d["regions"].update(NL={"name": "x", "states": ["OR"]}), "no state's"),
        (lambda d: d["regions"].update(R1={"name": "x", "states": ["OR"]}), "2 letters"),
        (lambda d: d["regions"]["RA"].update(states=["CT", "ZZ"]), "not a jurisdiction"),
        (lambda d: d["regions"]["RA"].update(states=["CT", "WA"]), "in both"),
        (lambda d: d["regions"]["RA"].update(states=[]), "list of states"),
        (lambda d: d["regions"]["RA"].pop("name"), "needs a name"),
        (lambda d: d.pop("regions"), '"regions" object'),
    ],
)
def test_a_bad_region_file_is_refused_whole(change: Any, reason: str) -> None:
    data = _shipped()
    change(data)
    with pytest.raises(DirectoryError) as raised:
        regions_from_json(data, source="regions.json")
    assert reason in str(raised.value) and "regions.json" in str(raised.value)
