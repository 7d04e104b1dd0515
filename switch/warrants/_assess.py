"""Deciding what a cited warrant is worth to one message: a pure function,
so a replay of past traffic gets the answer the switch gave then."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


def _stamp(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def subject_mismatch(warrant: Warrant, fields: Mapping[str, str], at: datetime) -> str | None:
    """None when the message asks about the person the warrant names, else
    why not.

    An OLN warrant matches only an OLN query and a name/DOB warrant only a
    name/DOB query: a warrant is for the identifier a judge wrote on it.
    """
    if warrant.subject_oln is not None:
        oln = fields.get("OLN")
        if oln is None:
            return "names its subject by OLN, and the query gives no OLN"
        if oln.strip().upper() != warrant.subject_oln.upper():
            return "names another person: its OLN is not the query's"
        return None
    if warrant.subject_name is None or warrant.subject_dob is None:
        return "names no subject"
    name, dob = fields.get("NAM"), fields.get("DOB")
    if name is None or dob is None:
        return "names its subject by name and date of birth, and the query gives no NAM and DOB"
    wanted = name_key(warrant.subject_name)
    # `at` fixes the mmddyy century pivot, so the answer does not drift with the clock.
    if (
        wanted is None
        or name_key(name) != wanted
        or _dob(dob.strip(), as_utc(at).date()) != warrant.subject_dob
    ):
        return "names another person: its name and date of birth are not the query's"
    return None


def subject_matches(warrant: Warrant, fields: Mapping[str, str], at: datetime) -> bool:
    """Whether the message asks about the person the warrant names."""
    return subject_mismatch(warrant, fields, at) is None


@dataclass(frozen=True, slots=True)
class Assessment:
    """What a cited warrant is worth to one message, and why."""

    level: WarrantLevel
    reason: str


def appraise_warrant(
    warrant: Warrant | None,
    *,
    cited: bool,
    warrant_id: str | None = None,
    requester_ori: str,
    fields: Mapping[str, str],
    at: datetime,
) -> Assessment:
    """The level a policy sees, with the reason a person reads: `none` if the
    message cites no warrant; `cited` if it cites one that is unknown, not
    yet issued or expired at `at`, issued to another ORI, or for another
    subject; else the warrant's kind."""
    if not cited:
        return Assessment("none", "the query cites no warrant")
    name = f"warrant {warrant.id if warrant is not None else warrant_id or ''}".rstrip()
    if warrant is None:
        return Assessment("cited", f"{name} is not in the court registry")
    moment = as_utc(at)
    if moment < as_utc(warrant.issued_at):
        return Assessment("cited", f"{name} is not issued until {_stamp(warrant.issued_at)}")
    if moment >= as_utc(warrant.expires_at):
        return Assessment("cited", f"{name} expired {_stamp(warrant.expires_at)}")
    ori = requester_ori.strip().upper()
    if ori != warrant.issued_to.upper():
        reason = f"{name} was issued to {warrant.issued_to}, not to {ori}"
        return Assessment("cited", reason)
    mismatch = subject_mismatch(warrant, fields, moment)
    if mismatch is not None:
        return Assessment("cited", f"{name} {mismatch}")
    until = _stamp(warrant.expires_at)
    return Assessment(
        warrant.kind, f"{name} is a {warrant.kind} warrant issued to {ori}, until {until}"
    )


def assess_warrant(
    warrant: Warrant | None,
    *,
    cited: bool,
    requester_ori: str,
    fields: Mapping[str, str],
    at: datetime,
) -> WarrantLevel:
    """The level alone (see `appraise_warrant`): what the router decides by."""
    return appraise_warrant(
        warrant, cited=cited, requester_ori=requester_ori, fields=fields, at=at
    ).level
