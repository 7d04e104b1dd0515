"""Who a query is about, as keys two messages share when they name one person.

A query names its subject by licence number (`OLN/`) or by name and date of
birth (`NAM/` with `DOB/`). The keys are `OLN:<number>` and
`NAM:<LAST,FIRST>|<ccyy-mm-dd>`: the DOB normalised (`mmddyy` and
`ccyymmdd` are one date), the name upper-cased with blanks squeezed. A
message naming both has both keys; a plate query (`LIC/`) has none, since
nothing in it names a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from switch.errors import SwitchError
from switch.messages.fields import dob_date


def subject_keys(fields: Mapping[str, str], today: date | None = None) -> tuple[str, ...]:
    """The subject keys of a message's fields; `today` fixes the mmddyy
    century pivot (the message's day, so a replay reads DOBs as live did)."""
    keys: list[str] = []
    oln = fields.get("OLN", "").strip().upper()
    if oln:
        keys.append(f"OLN:{oln}")
    name = " ".join(fields.get("NAM", "").upper().split())
    dob = fields.get("DOB", "").strip()
    if name and dob:
        try:
            born = dob_date(dob, today)
        except SwitchError:  # a DOB that is no date names no one
            born = None
        if born is not None:
            keys.append(f"NAM:{name}|{born.isoformat()}")
    return tuple(keys)
