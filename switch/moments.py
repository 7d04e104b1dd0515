"""Reading the dates and times people type for --since/--until (reports,
replay): ISO dates or times, UTC unless a zone is given, `until` inclusive."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

TICK = timedelta(microseconds=1)
# The last instant a datetime can hold: ends past it are clamped to it.
LAST = datetime.max.replace(tzinfo=UTC)
ISO_HINT = "an ISO date or time (2025-01-31, 2025-01-31T12:00Z)"


def read_moment(text: str) -> tuple[datetime, bool]:
    """The instant `text` names, in UTC, and whether it was a date alone.
    Raises ValueError for anything else."""
    value = text.strip()
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(), UTC), True
    moment = datetime.fromisoformat(value)
    # A time without a zone is read as UTC, the zone the audit is kept in.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC), False
    try:
        return moment.astimezone(UTC), False
    except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise ValueError(f"{text!r} is outside the years 1 to 9999 in UTC") from None


def end_after(moment: datetime, whole_day: bool) -> datetime:
    """The exclusive end of an inclusive `until`: a whole day, or just past the instant."""
    try:
        return moment + timedelta(days=1) if whole_day else moment + TICK
    except OverflowError:  # until 9999-12-31: nothing lies beyond it
        return LAST
