"""The jurisdictions whose DMVs answer through the switch: 50 states, DC and PR."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

JURISDICTIONS: Mapping[str, str] = MappingProxyType(
    {
        "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas",
        "CA": "California", "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware",
        "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii",
        "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
        "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine",
        "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
        "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska",
        "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
        "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
        "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "PR": "Puerto Rico",
        "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
        "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
        "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
        "WY": "Wyoming",
    }
)  # fmt: skip


# INVARIANT: every jurisdiction's DMV has the ORI `<ST>OLN0000`.
def dmv_ori(state: str) -> str:
    return f"{state}OLN0000"


# The states' own message switches, by the names they are known by, for the
# states whose name is well known. Each is reached at its state's control
# terminal (the directory's `control-terminal` agency, e.g. WAWSP0000 for
# Washington's ACCESS, run by the State Patrol): a simulated ORI, like all here.
STATE_SWITCH_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "CA": "CLETS", "FL": "FCIC", "IL": "LEADS", "NY": "NYSPIN", "OR": "LEDS",
        "TX": "TLETS", "WA": "ACCESS",
    }
)  # fmt: skip


def state_switch_name(state: str) -> str:
    """What the state's switch is called in a refusal: `ACCESS`, else `WA SWITCH`."""
    return STATE_SWITCH_NAMES.get(state, f"{state} SWITCH")
