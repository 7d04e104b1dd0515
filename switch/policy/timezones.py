"""Each jurisdiction's main time zone: `time:` windows are in the deciding
state's local time, as its officials would write them."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EASTERN = "America/New_York"
_CENTRAL = "America/Chicago"
_MOUNTAIN = "America/Denver"
_PACIFIC = "America/Los_Angeles"

_ZONES = {
    **dict.fromkeys(
        "CT DE DC FL GA IN KY ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV".split(),  # noqa: SIM905
        _EASTERN,
    ),
    **dict.fromkeys("AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI".split(), _CENTRAL),  # noqa: SIM905
    **dict.fromkeys("CO ID MT NM UT WY".split(), _MOUNTAIN),  # noqa: SIM905
    **dict.fromkeys(("CA", "NV", "OR", "WA"), _PACIFIC),
    "AZ": "America/Phoenix",
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico",
}


@cache
def zone(state: str) -> ZoneInfo:
    try:
        return ZoneInfo(_ZONES.get(state, "UTC"))
    except ZoneInfoNotFoundError:  # a system without tz data: UTC, stated in `explain`
        return ZoneInfo("UTC")
