"""Who a query is about, as keys two messages share when they name one person
(or one vehicle).

A query names its subject by licence number (`OLN/`), by name and date of
birth (`NAM/ DOB/`), or names a vehicle by plate (`LIC/`). Two officers may
type one person differently: a DOB as `ccyymmdd` or `mmddyy`, a name with
blanks round the comma or in lower case. Each form is normalised so that the
same person gives the same key:

    OLN:<number>    NAM+DOB:<LAST,FIRST>|<ccyymmdd>    LIC:<plate>

(the first two as the history's ground truth names a person). A name
without a readable birth date is no key: a name alone is too common to link
two queries by. `person_keys` leaves the plate out: nothing in a plate names
a person. Used by the relay detector (switch.impact.proxies) and by the
hub's memory of recent refusals (`subject.refused_to`), so both link one
person the same way. Pure: no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from switch.errors import InvalidDOB
from switch.messages.fields import dob_date

OLN = "OLN"
NAME_DOB = "NAM+DOB"
PLATE = "LIC"
_BLANKS = re.compile(r"\s+")
_COMMA = re.compile(r"\s*,\s*")


def normal_name(value: str) -> str:
    """`doe , john  q` → `DOE,JOHN Q`: case, and blanks round the comma and
    between words, are how it was typed, not who it is."""
    return _COMMA.sub(",", _BLANKS.sub(" ", value.strip().upper()))


def normal_dob(value: str, on: date) -> str | None:
    """A DOB as ccyymmdd (`mmddyy` read with the century pivot of `on`, the
    day the query was made), or None when it is no real date."""
    try:
        return dob_date(value.strip(), today=on).strftime("%Y%m%d")
    except InvalidDOB:
        return None


def normal_plain(value: str) -> str:
    """An OLN or a plate: upper case, no blanks or dashes (as the database
    is asked for it too: `proxies_source` strips the same)."""
    return value.upper().replace(" ", "").replace("-", "")


def subject_keys(fields: Mapping[str, str], on: date) -> tuple[str, ...]:
    """Every key the fields name a subject by (none for a query naming no one)."""
    keys: list[str] = []
    oln = fields.get("OLN")
    if oln and normal_plain(oln):
        keys.append(f"{OLN}:{normal_plain(oln)}")
    nam, dob = fields.get("NAM"), fields.get("DOB")
    if nam and dob and normal_name(nam):
        born = normal_dob(dob, on)
        if born is not None:
            keys.append(f"{NAME_DOB}:{normal_name(nam)}|{born}")
    lic = fields.get("LIC")
    if lic and normal_plain(lic):
        keys.append(f"{PLATE}:{normal_plain(lic)}")
    return tuple(keys)


def person_keys(fields: Mapping[str, str], on: date) -> tuple[str, ...]:
    """The keys that name a person (OLN, name and birth date), not a plate."""
    return tuple(k for k in subject_keys(fields, on) if not k.startswith(f"{PLATE}:"))


def lookup_value(key: str) -> tuple[str, str]:
    """(field, value as the database is asked for it) for a key. A name is
    looked up by NAM alone with every blank dropped (the database cannot read
    a DOB's two spellings cheaply; the whole key is compared after), an OLN
    or a plate as normalised."""
    kind, _, value = key.partition(":")
    if kind == NAME_DOB:
        return "NAM", value.partition("|")[0].replace(" ", "")
    return kind, value
