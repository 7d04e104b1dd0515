"""Deciding what a cited warrant is worth to one message: a pure function,
so a replay of past traffic gets the answer the switch gave then."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from switch.errors import InvalidDOB
from switch.messages import dob_date
from switch.warrants._model import Warrant, WarrantLevel


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already (SQLite
    hands back naive values for what was stored as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def name_key(name: str) -> tuple[str, str] | None:
    """`LAST,FIRST [MIDDLE]` as (LAST, FIRST), case and spacing folded; the
    middle name is dropped because one side often leaves it out."""
    last, comma, rest = name.partition(",")
    first = rest.split()
    if not comma or not first:
        return None
    return " ".join(last.split()).casefold(), first[0].casefold()


def _dob(value: str, today: date) -> date | None:
    try:
        return dob_date(value, today=today)
    except InvalidDOB:
        return None


def subject_matches(warrant: Warrant, fields: Mapping[str, str], at: datetime) -> bool:
    """Whether the message asks about the person the warrant names.

    An OLN warrant matches only an OLN query and a name/DOB warrant only a
    name/DOB query: a warrant is for the identifier a judge wrote on it.
    """
    if warrant.subject_oln is not None:
        oln = fields.get("OLN")
        return oln is not None and oln.strip().upper() == warrant.subject_oln.upper()
    if warrant.subject_name is None or warrant.subject_dob is None:
        return False
    name, dob = fields.get("NAM"), fields.get("DOB")
    if name is None or dob is None:
        return False
    wanted = name_key(warrant.subject_name)
    # `at` fixes the mmddyy century pivot, so the answer does not drift with the clock.
    return (
        wanted is not None
        and name_key(name) == wanted
        and _dob(dob.strip(), as_utc(at).date()) == warrant.subject_dob
    )


def assess_warrant(
    warrant: Warrant | None,
    *,
    cited: bool,
    requester_ori: str,
    fields: Mapping[str, str],
    at: datetime,
) -> WarrantLevel:
    """`none` if the message cites no warrant; `cited` if it cites one that is
    unknown, not yet issued or expired at `at`, issued to another ORI, or for
    another subject; else the warrant's kind."""
    if not cited:
        return "none"
    if warrant is None:
        return "cited"
    moment = as_utc(at)
    if not as_utc(warrant.issued_at) <= moment < as_utc(warrant.expires_at):
        return "cited"
    if requester_ori.strip().upper() != warrant.issued_to.upper():
        return "cited"
    if not subject_matches(warrant, fields, moment):
        return "cited"
    return warrant.kind
