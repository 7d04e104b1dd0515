"""An agency as the ORION-like directory knows it."""

from __future__ import annotations

from dataclasses import dataclass

# ORION agency types.
AGENCY_TYPES: dict[str, str] = {
    "PD": "police",
    "SO": "sheriff",
    "SA": "state agency",
    "LE": "other law enforcement",
    "FE": "federal",
    "CJ": "other criminal justice",
    "NJ": "non-criminal-justice",
}


@dataclass(frozen=True, slots=True)
class Agency:
    """One ORI. `department` and `component` are set for federal agencies
    (`DHS`/`ICE-ERO`, `DOJ`/`FBI`, ...) and `None` for state and local ones.

    Local agencies (PD, SO, LE, CJ) may name their `county` and `region` (a
    named area of neighbouring counties, such as `Puget Sound`; a county in no
    named area is a region of its own) and the federal task forces they sit
    on, each named by the ORI of the federal office that leads it."""

    ori: str
    name: str
    state: str
    type: str
    department: str | None = None
    component: str | None = None
    tags: tuple[str, ...] = ()
    county: str | None = None
    region: str | None = None
    task_forces: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "ori": self.ori,
            "name": self.name,
            "state": self.state,
            "type": self.type,
            "department": self.department,
            "component": self.component,
            "tags": list(self.tags),
            "county": self.county,
            "region": self.region,
            "task_forces": list(self.task_forces),
        }
