"""Who a history's queries are about: each state's residents as numbers, and
the fields a query names one by, as a real message would carry them.

A resident is `(state, n)`; the same pair always gives the same licence
number, name, date of birth and sex, so two queries about one person carry
the same identifiers and can be linked as a real audit's can: by OLN, or by
NAM and DOB. Each state has about as many residents as its queries are
expected to name in a year (never fewer than `MIN_RESIDENTS`), so a person is
queried about once a year and a few by chance more often.

The fields are written as the hub writes a message's (`json.dumps` of the
fields in the order typed): the identifiers first, then RSN, IMQ, WRT.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from simulators.dmv.names import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES

MIN_RESIDENTS = 1_000
# Of DQ and KQ queries, the share that names the person by licence number.
OLN_SHARE = 0.7
# Of queries by name written by a second agency, the share typed mmddyy.
SHORT_DOB_SHARE = 0.2

# How each key names its subject; DQ and KQ by OLN or by name.
FORMS = {"DQ": "either", "KQ": "either", "DNQ": "name", "RNQ": "name-dob", "RQ": "plate"}
PERSON_KEYS = frozenset({"DQ", "KQ", "DNQ", "RNQ"})

# A scramble so that neighbouring residents get unrelated numbers.
_MULTIPLIER = 2_654_435_761
_OLN_SPACE = 10**9
_PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
# Plates are three letters then four digits (ABC1234); the letters from a table.
_TRIGRAMS = [a + b + c for a in _PLATE_LETTERS for b in _PLATE_LETTERS for c in _PLATE_LETTERS]
_FIRST_DOB = date(1940, 1, 1)
_DOB_DAYS = (date(2007, 12, 31) - _FIRST_DOB).days
_DOBS = [(_FIRST_DOB + timedelta(days)).strftime("%Y%m%d") for days in range(_DOB_DAYS)]


def oln(state: str, n: int) -> str:
    return f"{state}L{n * _MULTIPLIER % _OLN_SPACE:09d}"


def name(n: int) -> tuple[str, str, str]:
    """NAM as officers type it (LAST,FIRST), DOB as ccyymmdd, SEX."""
    scrambled = n * _MULTIPLIER
    female = scrambled >> 7 & 1
    given = FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES
    last = LAST_NAMES[scrambled % len(LAST_NAMES)]
    first = given[(scrambled >> 11) % len(given)]
    return f"{last},{first}", _DOBS[(scrambled >> 3) % _DOB_DAYS], "F" if female else "M"


def plate(n: int) -> str:
    scrambled = n * _MULTIPLIER
    return f"{_TRIGRAMS[(scrambled >> 14) % len(_TRIGRAMS)]}{scrambled % 10_000:04d}"


def identifiers(state: str, n: int, form: str) -> str:
    """The identifying fields of a query about resident `n`, as JSON members
    (no braces): `form` is `oln`, `name`, `name-dob` or `plate`."""
    if form == "oln":
        return f'"OLN": "{oln(state, n)}"'
    if form == "plate":
        return f'"LIC": "{plate(n)}"'
    nam, dob, sex = name(n)
    if form == "name-dob":
        return f'"NAM": "{nam}", "DOB": "{dob}"'
    return f'"NAM": "{nam}", "DOB": "{dob}", "SEX": "{sex}"'


def short_dob(dob: str) -> str:
    """ccyymmdd as mmddyy: how some officers type it; the same date."""
    return f"{dob[4:6]}{dob[6:8]}{dob[2:4]}"


def subject_key(state: str, n: int, form: str) -> str:
    """How the ground truth names a person: `OLN:<number>` or
    `NAM+DOB:<LAST,FIRST>|<ccyymmdd>` (the forms an audit can be linked by)."""
    if form == "oln":
        return f"OLN:{oln(state, n)}"
    nam, dob, _ = name(n)
    return f"NAM+DOB:{nam}|{dob}"


def fields_json(members: str, extra: dict[str, str]) -> str:
    """A whole fields object: identifiers, then the other fields in order."""
    tail = json.dumps(extra)[1:-1]
    inner = f"{members}, {tail}" if members and tail else members or tail
    return "{" + inner + "}"
