"""Reading the identifying fields of a query: NAM, DOB, SEX.

A state DMV matches loosely where people type loosely (case, spacing, the
two DOB forms, a middle initial) and never raises: a value it cannot read
simply matches no one, and the answer is NOT ON FILE. Rejecting malformed
messages with an ER is the switch's job, before a query reaches a state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from simulators.dmv.records import Identity


class Name(NamedTuple):
    last: str
    first: str
    middle: str


class Subject(NamedTuple):
    """Who a name query asks for; None in a field means "not given"."""

    name: Name
    dob: date | None
    sex: str | None


def parse_name(text: str) -> Name | None:
    """`LAST,FIRST MIDDLE` in any case and spacing; None without both names."""
    last, comma, given = text.upper().partition(",")
    surname = " ".join(last.split())
    given_names = given.split()
    if not comma or not surname or not given_names:
        return None
    return Name(surname, given_names[0], " ".join(given_names[1:]))


def parse_dob(text: str, today: date) -> date | None:
    """`ccyymmdd` or `mmddyy`; None for anything else or an impossible date."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        if len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if len(text) == 6:
            # A two-digit year later than this year's cannot be a birth year
            # in this century: in 2025, 010125 is 2025-01-01, 010126 1926-01-01.
            year = int(text[4:])
            century = 1900 if year > today.year % 100 else 2000
            return date(century + year, int(text[:2]), int(text[2:4]))
    except ValueError:
        return None
    return None


def parse_subject(fields: Mapping[str, str], today: date) -> Subject | None:
    """The subject of a name query, or None when it can match no one.

    A DOB that was given but cannot be read matches no one rather than being
    ignored: widening a query the sender meant to narrow would return
    strangers' records.
    """
    name = parse_name(fields.get("NAM", ""))
    if name is None:
        return None
    dob = None
    if fields.get("DOB", "").strip():
        dob = parse_dob(fields["DOB"], today)
        if dob is None:
            return None
    # Records are M or F; an unknown or non-binary marker narrows nothing.
    sex = fields.get("SEX", "").strip().upper()
    return Subject(name, dob, sex if sex in ("M", "F") else None)


def matches(subject: Subject, who: Identity) -> bool:
    """Whether a driver (already found under LAST,FIRST) fits the rest of the query."""
    if subject.dob is not None and subject.dob != who.dob:
        return False
    if subject.sex is not None and subject.sex != who.sex:
        return False
    # A middle name narrows only when both sides have one; an initial will do.
    asked, known = subject.name.middle, who.middle
    return not asked or not known or known.startswith(asked)
