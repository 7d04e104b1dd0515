"""What a report covers: one jurisdiction and a period of time, checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from switch.directory import JURISDICTIONS
from switch.errors import SwitchError
from switch.moments import ISO_HINT, TICK, end_after, read_moment

# The audit stores times to the microsecond: an inclusive end instant is the
# exclusive bound one microsecond later.


class ReportError(SwitchError):
    """A report asked for with a state, date or period the switch cannot use."""

    http_status = 422
    code = "INVALID_REPORT_REQUEST"


@dataclass(frozen=True, slots=True)
class Period:
    """`[start, end)` in UTC; `None` leaves that side open. `since` and
    `until` keep what the user wrote, for display."""

    start: datetime | None = None
    end: datetime | None = None
    since: str | None = None
    until: str | None = None

    @property
    def last(self) -> datetime | None:
        """The last instant inside the period."""
        return self.end - TICK if self.end is not None else None


def check_state(state: str) -> str:
    """The jurisdiction code, upper-cased; a `ReportError` if there is none such."""
    code = state.strip().upper()
    if code not in JURISDICTIONS:
        raise ReportError(f"unknown state {state!r}: expected a jurisdiction code such as WA")
    return code


def _moment(text: str, option: str) -> tuple[datetime, bool]:
    """The instant `text` names, in UTC, and whether it was a date alone."""
    try:
        return read_moment(text)
    except ValueError:
        raise ReportError(f"{option} {text!r} is not {ISO_HINT}") from None


def parse_period(since: str | None = None, until: str | None = None) -> Period:
    """A period from ISO dates or times. `since` is inclusive; so is `until`:
    a date alone runs to the end of that day, a time to that instant."""
    start = end = None
    if since:
        start, _ = _moment(since, "since")
    if until:
        end = end_after(*_moment(until, "until"))
    if start is not None and end is not None and start >= end:
        raise ReportError(f"since {since} is after until {until}")
    return Period(start, end, since or None, until or None)
