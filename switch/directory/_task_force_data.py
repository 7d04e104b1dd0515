"""Federal task forces with local members, as a table for `generate`.

Each task force is named by the ORI of the federal office that leads it; its
members are local agencies by ORI. Synthetic but plausible: HSI leads
task forces on smuggling, gangs and drugs with local officers on them, and
ERO leads a few; this is not a record of who serves on which.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

TASK_FORCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # HSI Seattle: officers of the Puget Sound and Spokane agencies.
        "WAHSI0100": ("WA0270000", "WA0270100", "WA0310100", "WA0320100"),
        # HSI Portland (resident office).
        "ORHSI0100": ("OR0260100", "OR0240000"),
        # HSI Phoenix; ERO Phoenix.
        "AZHSI0100": ("AZ0070100", "AZ0070200", "AZ0110000"),
        "AZICE0100": ("AZ0070000", "AZ0130000"),
        # HSI Houston; ERO Houston.
        "TXHSI0300": ("TX1010100", "TX1700000"),
        "TXICE0400": ("TX1010000", "TX1700000"),
        # HSI Miami; ERO Miami.
        "FLHSI0100": ("FL0130100", "FL0060100"),
        "FLICE0100": ("FL0130000", "FL0060000"),
        # HSI Los Angeles.
        "CAHSI0100": ("CA0190100", "CA0130100"),
    }
)
