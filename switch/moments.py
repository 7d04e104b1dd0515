"""Reading the dates and times people type for --since/--until (reports,
replay): ISO dates or times, UTC unless a zone is given, `until` inclusive."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

TICK = timedelta(microseconds=1)
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
    return moment.astimezone(UTC), False


def end_after(moment: datetime, whole_day: bool) -> datetime:
    """The exclusive end of an inclusive `until`: a whole day, or just past the instant."""
    return moment + timedelta(days=1) if whole_day else moment + TICK
