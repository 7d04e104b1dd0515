"""What the detector is asked: a state, a period, a window. Every mistake is
a `ProxyError` with one clear line, before any row is read."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from switch.directory import JURISDICTIONS
from switch.errors import SwitchError
from switch.impact.proxies_source import ProxyError
from switch.impact.replay_input import parse_window

_SPAN = re.compile(r"(\d+(?:\.\d+)?)\s*(m|min|h|d)?", re.IGNORECASE)
_UNIT = {"m": 60, "min": 60, "h": 3600, "d": 86400}
LONGEST = timedelta(days=31)


def parse_span(text: str) -> timedelta:
    """`24h`, `90m`, `2d` or a bare number of hours; more than zero, at most
    `LONGEST` (a relay comes within hours: a month already links strangers)."""
    match = _SPAN.fullmatch(text.strip())
    if match is None:
        raise ProxyError(f"window {text!r}: expected a length such as 24h, 90m or 2d")
    number, unit = float(match.group(1)), (match.group(2) or "h").lower()
    span = timedelta(seconds=number * _UNIT[unit])
    if span <= timedelta(0) or span > LONGEST:
        raise ProxyError(f"window {text!r}: must be longer than zero and at most 31 days")
    return span


def parse_state(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    code = text.strip().upper()
    if code not in JURISDICTIONS:
        raise ProxyError(f"unknown state {text!r}: expected a jurisdiction code such as WA")
    return code


def parse_period(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """ISO dates or times, both inclusive (a date alone runs to the end of its day)."""
    try:
        return parse_window(since, until)
    except SwitchError as exc:
        raise ProxyError(exc.message) from exc
