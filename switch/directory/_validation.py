"""What makes a directory well formed.

A directory that breaks any rule here is refused whole at start-up, with the
file, the entry and the reason: the switch never runs on a directory it
half understands.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from switch.directory.jurisdictions import JURISDICTIONS, dmv_ori
from switch.directory.model import AGENCY_TYPES, Agency
from switch.errors import SwitchError

ORI_PATTERN = re.compile(r"[A-Z0-9]{9}")
TAG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")

TAG_287G = "287g"
TAG_CONTROL_TERMINAL = "control-terminal"

# The federal components the policy language names, and the department each
# belongs to. A directory may add others; these must keep their department.
COMPONENT_DEPARTMENTS: Mapping[str, str] = MappingProxyType(
    {
        "ICE-ERO": "DHS",
        "ICE-HSI": "DHS",
        "CBP": "DHS",
        "USSS": "DHS",
        "FBI": "DOJ",
        "USMS": "DOJ",
        "DEA": "DOJ",
        "ATF": "DOJ",
    }
)

# Federal offices may sit where no DMV answers through the switch.
FEDERAL_OFFICE_STATES: Mapping[str, str] = MappingProxyType(
    {
        "AS": "American Samoa",
        "GU": "Guam",
        "MP": "Northern Mariana Islands",
        "VI": "U.S. Virgin Islands",
    }
)

FIELDS = ("ori", "name", "state", "type", "department", "component", "tags")
_REQUIRED = frozenset({"ori", "name", "state", "type"})


class DirectoryError(SwitchError):
    """The agency directory cannot be used; raised at load, never per message."""

    code = "DIRECTORY"

    def __init__(
        self, source: str, reason: str, *, index: int | None = None, ori: str | None = None
    ) -> None:
        where = source
        if index is not None:
            where += f": entry {index}"
            if ori:
                where += f" ({ori})"
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.index = index
        self.reason = reason


def agency_from_json(raw: object, *, source: str, index: int) -> Agency:
    """One JSON object of the directory file as an `Agency`; shape only."""

    def fail(reason: str) -> DirectoryError:
        ori = raw.get("ori") if isinstance(raw, dict) else None
        return DirectoryError(
            source, reason, index=index, ori=ori if isinstance(ori, str) else None
        )

    if not isinstance(raw, dict):
        raise fail(f"expected an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)}; expected {', '.join(FIELDS)}")
    missing = sorted(_REQUIRED - set(raw))
    if missing:
        raise fail(f"missing field(s) {', '.join(missing)}")
    for key in ("ori", "name", "state", "type"):
        if not isinstance(raw[key], str):
            raise fail(f"{key} must be a string")
    for key in ("department", "component"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise fail(f"{key} must be a string or null")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise fail("tags must be a list of strings")
    return Agency(
        ori=raw["ori"],
        name=raw["name"],
        state=raw["state"],
        type=raw["type"],
        department=raw.get("department"),
        component=raw.get("component"),
        tags=tuple(tags),
    )


def agency_problem(agency: Agency) -> str | None:
    """Why this agency cannot be in a directory, or None if it can."""
    if not ORI_PATTERN.fullmatch(agency.ori):
        return f"ORI {agency.ori!r} is not 9 characters of A-Z and 0-9"
    if not agency.name.strip():
        return "name is empty"
    if agency.type not in AGENCY_TYPES:
        return f"unknown agency type {agency.type!r}; expected one of {', '.join(AGENCY_TYPES)}"
    federal = agency.type == "FE"
    if agency.state not in JURISDICTIONS and not (
        federal and agency.state in FEDERAL_OFFICE_STATES
    ):
        return f"unknown jurisdiction {agency.state!r}"
    if agency.ori[:2] != agency.state:
        return f"ORI {agency.ori} does not start with its state {agency.state}"
    if federal and not (agency.department and agency.component):
        return "a federal (FE) agency needs a department and a component"
    if not federal and (agency.department or agency.component):
        return f"only federal (FE) agencies have a department or component, not {agency.type}"
    expected = COMPONENT_DEPARTMENTS.get(agency.component or "")
    if expected and agency.department != expected:
        return f"component {agency.component} belongs to {expected}, not {agency.department}"
    for tag in agency.tags:
        if not TAG_PATTERN.fullmatch(tag):
            return f"tag {tag!r} is not lower-case letters, digits and '-'"
    if len(set(agency.tags)) != len(agency.tags):
        return "tags repeat"
    return None


def check_agencies(agencies: Sequence[Agency], *, source: str) -> None:
    """Every rule, in the order a reader would fix them; raises on the first."""
    for index, agency in enumerate(agencies):
        problem = agency_problem(agency)
        if problem:
            raise DirectoryError(source, problem, index=index, ori=agency.ori)
    seen: dict[str, int] = {}
    for index, agency in enumerate(agencies):
        if agency.ori in seen:
            raise DirectoryError(
                source,
                f"duplicate ORI {agency.ori} (first at entry {seen[agency.ori]})",
                index=index,
                ori=agency.ori,
            )
        seen[agency.ori] = index
    # INVARIANT: every jurisdiction has exactly one DMV, at `<ST>OLN0000`;
    # ORIs are unique, so "at least one" is "exactly one".
    for state in sorted(JURISDICTIONS):
        ori = dmv_ori(state)
        if ori not in seen:
            raise DirectoryError(source, f"no DMV for {state} (expected ORI {ori})")
        dmv = agencies[seen[ori]]
        if dmv.type != "NJ":
            raise DirectoryError(
                source, f"the DMV must have type NJ, not {dmv.type}", index=seen[ori], ori=ori
            )
    terminals = Counter(a.state for a in agencies if TAG_CONTROL_TERMINAL in a.tags)
    for state, count in sorted(terminals.items()):
        if count > 1:
            raise DirectoryError(source, f"{state} has {count} control terminals; at most one")
