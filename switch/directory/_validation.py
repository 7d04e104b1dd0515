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

FIELDS = (
    "ori", "name", "state", "type", "department", "component", "tags",
    "county", "region", "task_forces",
)  # fmt: skip
# Agencies that sit in a county and may serve on a federal task force.
LOCAL_TYPES = frozenset({"PD", "SO", "LE", "CJ"})
_FIELD_SET = frozenset(FIELDS)
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
    # The set operations run only when the shape is wrong: loading is per hub start.
    if not _FIELD_SET.issuperset(raw):
        unknown = sorted(set(raw) - _FIELD_SET)
        raise fail(f"unknown field(s) {', '.join(unknown)}; expected {', '.join(FIELDS)}")
    if not _REQUIRED.issubset(raw):
        raise fail(f"missing field(s) {', '.join(sorted(_REQUIRED - set(raw)))}")
    get = raw.get
    ori, name, state, kind = raw["ori"], raw["name"], raw["state"], raw["type"]
    for key, value in (("ori", ori), ("name", name), ("state", state), ("type", kind)):
        if value.__class__ is not str:
            raise fail(f"{key} must be a string")
    department, component, county, region = (
        get("department"), get("component"), get("county"), get("region")
    )  # fmt: skip
    for key, value in (
        ("department", department), ("component", component), ("county", county),
        ("region", region),
    ):  # fmt: skip
        if value is not None and value.__class__ is not str:
            raise fail(f"{key} must be a string or null")
    tags = get("tags", ())
    if tags and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        raise fail("tags must be a list of strings")
    task_forces = get("task_forces", ())
    if task_forces and (
        not isinstance(task_forces, list) or not all(isinstance(t, str) for t in task_forces)
    ):
        raise fail("task_forces must be a list of ORIs")
    return Agency(
        ori, name, state, kind, department, component, tuple(tags), county, region,
        tuple(task_forces),
    )  # fmt: skip


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
    return _place_problem(agency)


def _place_problem(agency: Agency) -> str | None:
    local = agency.type in LOCAL_TYPES
    for key, value in (("county", agency.county), ("region", agency.region)):
        if value is None:
            continue
        if not local:
            return f"only local agencies ({', '.join(sorted(LOCAL_TYPES))}) have a {key}"
        if not value.strip() or value != value.strip():
            return f"{key} {value!r} is empty or has spaces at either end"
    if agency.region is not None and agency.county is None:
        return "a region needs a county"
    if agency.task_forces and not local:
        return f"only local agencies serve on task forces, not {agency.type}"
    if len(set(agency.task_forces)) != len(agency.task_forces):
        return "task forces repeat"
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
    # A task force is named by the ORI of the federal office that leads it.
    for index, agency in enumerate(agencies):
        for lead in agency.task_forces:
            office = agencies[seen[lead]] if lead in seen else None
            if office is None or office.type != "FE":
                raise DirectoryError(
                    source,
                    f"task force {lead!r} is not the ORI of a federal (FE) office here",
                    index=index,
                    ori=agency.ori,
                )
    terminals = Counter(a.state for a in agencies if TAG_CONTROL_TERMINAL in a.tags)
    for state, count in sorted(terminals.items()):
        if count > 1:
            raise DirectoryError(source, f"{state} has {count} control terminals; at most one")
