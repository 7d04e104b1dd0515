"""The fields of an input message: which prefixes each key takes, what each
value may look like, and which combinations a query needs.

Values are kept exactly as written (a DOB is never normalised) so that a
message renders back to the text it was parsed from.

Value charset: upper-case ASCII letters and digits, plus space, `,`, `-` and
`'` where a field needs them (names, warrant ids). Nlets text is upper case,
and folding case silently would break render(parse(text)) == text, so lower
case is refused rather than fixed. `.` and `/` never occur in a value: they
separate fields and prefixes. The AM free text is the one exception: any
printable ASCII and line breaks, since it is never split into fields.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType

from switch.errors import (
    FieldsMissing,
    InvalidAttention,
    InvalidDOB,
    InvalidFormat,
    InvalidYear,
    MessageError,
)

# The AM free text is stored as the single field TXT.
FREE_TEXT = "TXT"
MAX_FREE_TEXT = 4000
# DOBs before this are typing errors, not people.
EARLIEST_DOB = date(1900, 1, 1)

_PREFIX = re.compile(r"[A-Z]{3}")
_WORDS = r"[A-Z][A-Z'-]*(?: [A-Z][A-Z'-]*)*"
# Printable ASCII and LF; no leading or trailing blank (see _check_free_text).
_FREE_TEXT = re.compile(r"[\x20-\x7e\n]+")


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What one prefix's value must look like; `shape` is said in the ER, and
    `error` is the ER a value that is empty or out of shape gets: Nlets gives
    year fields (.10.) and the attention field (.16.) codes of their own."""

    pattern: re.Pattern[str]
    shape: str
    error: type[MessageError] = InvalidFormat


FIELD_RULES: Mapping[str, FieldRule] = MappingProxyType(
    {
        "OLN": FieldRule(re.compile(r"[A-Z0-9]{1,20}"), "1 to 20 letters or digits"),
        # Length is checked apart from the pattern: a look-ahead would cost more.
        "NAM": FieldRule(
            re.compile(f"{_WORDS},{_WORDS}"),
            "LAST,FIRST or LAST,FIRST MIDDLE, letters, space, - and ', at most 40 characters",
        ),
        "SEX": FieldRule(re.compile(r"[MF]"), "M or F"),
        "IMQ": FieldRule(re.compile(r"[YN]"), "Y or N"),
        "RSN": FieldRule(re.compile(r"[NFVTSH]"), "one of N F V T S H"),
        "LIC": FieldRule(re.compile(r"[A-Z0-9]{1,10}"), "1 to 10 letters or digits"),
        # The plate's year, or NX for a plate that does not expire (Nlets guide).
        "LIY": FieldRule(
            re.compile(r"(?:19|20)[0-9]{2}|NX"),
            "a 4-digit year, 1900 to 2099, or NX",
            InvalidYear,
        ),
        "LIT": FieldRule(re.compile(r"[A-Z]{2}"), "a 2-letter plate type such as PC"),
        # I, O and Q are never used in a VIN: they read as 1 and 0.
        "VIN": FieldRule(re.compile(r"[A-HJ-NPR-Z0-9]{17}"), "17 letters or digits, no I, O or Q"),
        "WRT": FieldRule(re.compile(r"[A-Z0-9-]{1,32}"), "1 to 32 letters, digits or -"),
        # Attention: who at the sending agency the answer is for (ATN/SGT J DOE 4411).
        # Free text in the value charset, so it never carries a . or / that
        # would split it; it starts and ends with a letter or digit.
        "ATN": FieldRule(
            re.compile(r"[A-Z0-9](?:[A-Z0-9 '-]{0,28}[A-Z0-9])?"),
            "1 to 30 letters, digits, space, - and ', starting and ending with a letter or digit",
            InvalidAttention,
        ),
    }
)
MAX_NAME = 40

_PERSON = frozenset({"OLN", "NAM", "DOB", "SEX"})
_QUERY_EXTRAS = frozenset({"RSN", "WRT"})
KEY_PREFIXES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "DQ": _PERSON | _QUERY_EXTRAS | {"IMQ"},
        "DNQ": _PERSON - {"OLN"} | _QUERY_EXTRAS | {"IMQ"},
        "RQ": frozenset({"LIC", "LIY", "LIT", "VIN"}) | _QUERY_EXTRAS,
        "RNQ": frozenset({"NAM", "DOB"}) | _QUERY_EXTRAS,
        # ATN/ only on KQ: Nlets' history queries name the person the record
        # is for; the licence and registration queries go to the terminal.
        "KQ": _PERSON | _QUERY_EXTRAS | {"IMQ", "ATN"},
        # The regional forms (Nlets guide): a DQG asks by NAM, DOB and SEX
        # only, no OLN and no image; an RQG takes what an RQ takes.
        "DQG": frozenset({"NAM", "DOB", "SEX"}) | _QUERY_EXTRAS,
        "RQG": frozenset({"LIC", "LIY", "LIT", "VIN"}) | _QUERY_EXTRAS,
        "AM": frozenset({FREE_TEXT}),
    }
)


def _read_dob(value: str, today: date) -> date | str:
    """The date a DOB stands for, or why it stands for none."""
    # isascii first: str.isdigit also accepts non-ASCII digits.
    if not (value.isascii() and value.isdigit()) or len(value) not in (6, 8):
        return "DOB must be ccyymmdd or mmddyy"
    if len(value) == 8:
        year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    else:
        month, day, yy = int(value[:2]), int(value[2:4]), int(value[4:])
        # Century pivot: a 2-digit year past this year's cannot be a birth to come.
        year = (1900 if yy > today.year % 100 else 2000) + yy
    try:
        born = date(year, month, day)
    except ValueError:
        return "DOB is not a calendar date"
    if born > today:
        return "DOB is in the future"
    if born < EARLIEST_DOB:
        return f"DOB is before {EARLIEST_DOB.year}"
    return born


# (date.today(), the time.time() at which it stops being today). date.today()
# costs more than the rest of a DOB check; every parse with a DOB needs it.
_today_cache: tuple[date, float] = (date.min, 0.0)


def _today() -> date:
    global _today_cache
    today, expires = _today_cache
    if time.time() >= expires:
        today = date.today()
        midnight = datetime.combine(today + timedelta(days=1), datetime.min.time())
        _today_cache = (today, midnight.timestamp())
    return today


def dob_date(value: str, today: date | None = None) -> date:
    """The date a `DOB/` value stands for (`ccyymmdd` or `mmddyy`).

    Raises InvalidDOB when it is not a real past date. `today` fixes the
    clock for the mmddyy century pivot and the not-in-the-future check.
    """
    born = _read_dob(value, today or _today())
    if isinstance(born, str):
        raise InvalidDOB(born, offending=value)
    return born


def _check_free_text(text: str, quote: str) -> None:
    if not text:
        raise FieldsMissing("AM needs a free text after TXT", quote)
    if len(text) > MAX_FREE_TEXT:
        raise InvalidFormat(f"free text longer than {MAX_FREE_TEXT} characters", quote)
    # The parser strips blanks around the text, so only stripped text round-trips.
    if _FREE_TEXT.fullmatch(text) is None or text != text.strip():
        raise InvalidFormat(
            "free text must be printable ASCII and line breaks, not starting or ending blank",
            quote,
        )


def check_fields(key: str, fields: Mapping[str, str], quote: str) -> None:
    """Check every field of a message whose key is already known to be an input key."""
    if key == "AM":
        extra = [prefix for prefix in fields if prefix != FREE_TEXT]
        if extra:
            raise InvalidFormat(f"AM takes only a free text, not {extra[0][:10]}", quote)
        _check_free_text(fields.get(FREE_TEXT, ""), quote)
        return
    allowed = KEY_PREFIXES[key]
    today: date | None = None
    for prefix, value in fields.items():
        if prefix not in allowed:
            if _PREFIX.fullmatch(prefix) is None:
                raise InvalidFormat(f"{prefix[:10]} is not a field prefix", quote)
            raise InvalidFormat(f"{prefix} is not a field of {key}", quote)
        if prefix == "DOB":
            today = today or _today()
            born = _read_dob(value, today)
            if isinstance(born, str):
                raise InvalidDOB(born, quote)
            continue
        rule = FIELD_RULES[prefix]
        if not value:
            raise rule.error(f"{prefix} is empty", quote)
        if rule.pattern.fullmatch(value) is None or (prefix == "NAM" and len(value) > MAX_NAME):
            raise rule.error(f"{prefix} must be {rule.shape}", quote)
    _REQUIREMENTS[key](fields, quote)


def _check_name_dob_sex(
    key: str, fields: Mapping[str, str], quote: str, needs: tuple[str, str]
) -> None:
    """NAM, DOB and SEX all given, else the ER: a missing DOB alone has its
    own code, .05.; `needs` words what the key needs for each of the two."""
    missing = [prefix for prefix in ("NAM", "DOB", "SEX") if prefix not in fields]
    if missing == ["DOB"]:
        raise InvalidDOB(f"{key} {needs[0]} DOB", quote)
    if missing:
        raise FieldsMissing(f"{key} {needs[1]}; missing {', '.join(missing)}", quote)


def _require_person(key: str) -> Callable[[Mapping[str, str], str], None]:
    def require(fields: Mapping[str, str], quote: str) -> None:
        if "OLN" not in fields:
            _check_name_dob_sex(
                key, fields, quote, ("by name needs", "needs OLN, or NAM, DOB and SEX")
            )

    return require


def _require_name(key: str) -> Callable[[Mapping[str, str], str], None]:
    def require(fields: Mapping[str, str], quote: str) -> None:
        if "NAM" not in fields:
            raise FieldsMissing(f"{key} needs NAM", quote)

    return require


def _require_name_dob_sex(key: str) -> Callable[[Mapping[str, str], str], None]:
    def require(fields: Mapping[str, str], quote: str) -> None:
        _check_name_dob_sex(key, fields, quote, ("needs", "needs NAM, DOB and SEX"))

    return require


def _require_vehicle(key: str) -> Callable[[Mapping[str, str], str], None]:
    def require(fields: Mapping[str, str], quote: str) -> None:
        if "VIN" in fields:
            if "LIC" in fields:
                raise InvalidFormat(f"{key} takes LIC or VIN, not both", quote)
            if "LIY" in fields or "LIT" in fields:
                raise InvalidFormat("LIY and LIT go with LIC, not with VIN", quote)
        elif "LIC" not in fields:
            raise FieldsMissing(f"{key} needs LIC or VIN", quote)

    return require


# AM is absent: its one requirement, a non-empty text, is checked with the text.
_REQUIREMENTS: Mapping[str, Callable[[Mapping[str, str], str], None]] = MappingProxyType(
    {
        "DQ": _require_person("DQ"),
        "DNQ": _require_name("DNQ"),
        "RQ": _require_vehicle("RQ"),
        "RNQ": _require_name("RNQ"),
        "KQ": _require_person("KQ"),
        "DQG": _require_name_dob_sex("DQG"),
        "RQG": _require_vehicle("RQG"),
    }
)
