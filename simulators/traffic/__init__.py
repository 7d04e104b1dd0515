"""Agency traffic for a hub: profiles of who sends what to whom, and an
open-model generator that sends them at a set rate whatever the answers do.

    profiles (arrivals) -> generator (on schedule, async client) -> stats -> report

>>> from switch.directory import Directory
>>> stream = get_profile("letter-2025").messages(Directory.load(), seed=7)
>>> sender, text = next(stream)
>>> text.startswith(("DQ.", "DNQ.", "KQ.", "RQ.")) and sender in text
True
"""

from simulators.traffic.clock import Clock, MonotonicClock, VirtualClock
from simulators.traffic.generator import (
    UNANSWERED,
    Arrival,
    OpenModel,
    Progress,
    Run,
    Sample,
    constant_offsets,
    poisson_offsets,
)
from simulators.traffic.profiles import PROFILES, Profile, SenderGroup, get_profile
from simulators.traffic.run import Plan, drive, requester_component
from simulators.traffic.stats import Summary, percentile, summarize

__all__ = [
    "PROFILES",
    "UNANSWERED",
    "Arrival",
    "Clock",
    "MonotonicClock",
    "OpenModel",
    "Plan",
    "Profile",
    "Progress",
    "Run",
    "Sample",
    "SenderGroup",
    "Summary",
    "VirtualClock",
    "constant_offsets",
    "drive",
    "get_profile",
    "percentile",
    "poisson_offsets",
    "requester_component",
    "summarize",
]
