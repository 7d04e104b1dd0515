"""The grammar of `SWITCH_RATE_LIMITS`: a comma-separated list of
`CLASS=RATE/BURST`, read into a limit for each agency class. Settings read
it; the buckets that enforce it are in `switch/access/ratelimit.py`, where the
meaning of classes, rates and bursts is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

DEFAULT_CLASS = "default"
_CLASS = re.compile(r"[A-Z][A-Z0-9-]{0,31}")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True, slots=True)
class Limit:
    rate: float  # tokens per second
    burst: int  # bucket size

    def __str__(self) -> str:
        return f"{self.rate:g}/{self.burst}"


# Class name -> limit; None lifts the limit for that class.
RateLimits = Mapping[str, Limit | None]

# Generous: a police ORI sends a few queries a minute, a busy federal one a
# few a second; tests, `switch demo` and `switch sim traffic` stay far below.
DEFAULT_LIMIT = Limit(100.0, 200)
DEFAULT_RATE_LIMITS = f"{DEFAULT_CLASS}={DEFAULT_LIMIT}"


def parse_rate_limits(text: str) -> RateLimits:
    """Read a `SWITCH_RATE_LIMITS` value; raises ValueError saying what is wrong."""
    value = text.strip()
    if value.lower() in ("0", "off"):
        return MappingProxyType({DEFAULT_CLASS: None})
    limits: dict[str, Limit | None] = {}
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        name, equals, spec = (s.strip() for s in entry.partition("="))
        if not equals:
            raise ValueError(f"rate limit {entry!r}: write CLASS=RATE/BURST, e.g. FE=50/100")
        name = DEFAULT_CLASS if name.lower() == DEFAULT_CLASS else name.upper()
        if name != DEFAULT_CLASS and _CLASS.fullmatch(name) is None:
            raise ValueError(
                f"rate limit {entry!r}: {name!r} is not an agency type, a component or default"
            )
        if name in limits:
            raise ValueError(f"rate limit for {name} given twice")
        limits[name] = _limit(entry, spec)
    limits.setdefault(DEFAULT_CLASS, DEFAULT_LIMIT)
    return MappingProxyType(limits)


def _limit(entry: str, spec: str) -> Limit | None:
    rate_text, slash, burst_text = (s.strip() for s in spec.partition("/"))
    if _NUMBER.fullmatch(rate_text) is None:
        raise ValueError(f"rate limit {entry!r}: the rate must be a number of messages per second")
    rate = float(rate_text)
    if rate == 0:
        if slash:
            raise ValueError(f"rate limit {entry!r}: a rate of 0 (no limit) takes no burst")
        return None
    if not slash:
        return Limit(rate, max(1, math.ceil(rate)))
    if not burst_text.isdigit() or int(burst_text) < 1:
        raise ValueError(f"rate limit {entry!r}: the burst must be a whole number, at least 1")
    return Limit(rate, int(burst_text))
