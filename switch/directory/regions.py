"""The regions a regional query goes to: a 2-letter region code and the
jurisdictions in it, read from `data/regions.json`.

The codes and the grouping are this switch's own design (the file says so):
Nlets publishes that it has eight regions and how regional queries behave,
not the codes. A region code is never a jurisdiction's code or `NL`, so a
destination reads one way only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from switch.directory._validation import DirectoryError
from switch.directory.jurisdictions import JURISDICTIONS

SHIPPED = "data/regions.json"
_CODE = re.compile(r"[A-Z]{2}")
# The switch's own destination code for every state (switch.messages.model.MULTI_STATE).
_RESERVED = frozenset({"NL"})


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    states: tuple[str, ...]


def regions_from_json(data: Any, *, source: str = "<regions>") -> Mapping[str, Region]:
    """Regions by code, validated whole; DirectoryError names what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("regions"), dict):
        raise DirectoryError(source, 'regions must be a JSON object with a "regions" object')
    regions: dict[str, Region] = {}
    placed: dict[str, str] = {}
    for code, entry in data["regions"].items():
        if _CODE.fullmatch(code) is None or code in JURISDICTIONS or code in _RESERVED:
            raise DirectoryError(source, f"region code {code!r} must be 2 letters, no state's")
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise DirectoryError(source, f"region {code} needs a name")
        states = entry.get("states")
        if not isinstance(states, list) or not states:
            raise DirectoryError(source, f"region {code} needs a list of states")
        for state in states:
            if state not in JURISDICTIONS:
                raise DirectoryError(source, f"region {code}: {state!r} is not a jurisdiction")
            if state in placed:
                raise DirectoryError(source, f"{state} is in both {placed[state]} and {code}")
            placed[state] = code
        regions[code] = Region(code, entry["name"], tuple(states))
    return MappingProxyType(regions)


@cache
def shipped_regions() -> Mapping[str, Region]:
    """The regions shipped with the package, read once."""
    resource = resources.files("switch.directory").joinpath(SHIPPED)
    return regions_from_json(json.loads(resource.read_text(encoding="utf-8")), source=SHIPPED)
