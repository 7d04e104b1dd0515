"""Hypothesis strategies for valid input and output messages, for any test to reuse.

`messages()` draws a valid `Message` of any input key, `messages(key)` of one;
`output_messages()` draws an `OutputMessage` that render_output accepts.
"""

from __future__ import annotations

import string
from datetime import date, datetime

from hypothesis import strategies as st

from switch.errors import InvalidDOB
from switch.messages import Message, OutputMessage, dob_date
from switch.messages.model import INPUT_KEYS, RESPONSE_KEYS, SWITCH_ORI

UPPER = string.ascii_uppercase
ALNUM = UPPER + string.digits


def chars(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=max_size)


oris = st.builds(str.__add__, chars(UPPER, 2, 2), chars(ALNUM, 7, 7)).filter(
    lambda ori: ori != SWITCH_ORI
)
states = chars(UPPER, 2, 2).filter(lambda code: code != "NL")
destinations = st.one_of(
    st.just(("NL",)),
    st.lists(st.one_of(states, oris), min_size=1, max_size=5, unique=True).map(tuple),
)
controls = st.none() | chars(ALNUM, 1, 10)

_word = st.builds(str.__add__, chars(UPPER, 1, 1), chars(UPPER + "'-", 0, 8))
_words = st.lists(_word, min_size=1, max_size=3).map(" ".join)
names = st.builds(lambda last, first: f"{last},{first}", _words, _words).filter(
    lambda name: len(name) <= 40
)


def _formatted_dob(born: date, long_form: bool) -> str:
    return born.strftime("%Y%m%d") if long_form else born.strftime("%m%d%y")


def _is_dob(value: str) -> bool:
    try:
        dob_date(value)
    except InvalidDOB:
        return False
    return True


# A 6-digit DOB is read with the century pivot, so some dates cannot be written
# that way (1925 reads as 2025); those are filtered out.
dobs = st.builds(_formatted_dob, st.dates(date(1900, 1, 1), date.today()), st.booleans()).filter(
    _is_dob
)

FIELD_VALUES: dict[str, st.SearchStrategy[str]] = {
    "OLN": chars(ALNUM, 1, 20),
    "NAM": names,
    "DOB": dobs,
    "SEX": st.sampled_from("MF"),
    "IMQ": st.sampled_from("YN"),
    "RSN": st.sampled_from("NFVTSH"),
    "LIC": chars(ALNUM, 1, 10),
    "LIY": st.integers(1900, 2099).map(str) | st.just("NX"),
    "LIT": chars(UPPER, 2, 2),
    "VIN": chars("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", 17, 17),
    "WRT": chars(ALNUM + "-", 1, 32),
    # Who the answer is for: a letter or digit at each end, blanks and - ' between.
    "ATN": chars(ALNUM, 1, 1)
    | st.builds(
        lambda first, middle, last: first + middle + last,
        chars(ALNUM, 1, 1),
        chars(ALNUM + " '-", 0, 28),
        chars(ALNUM, 1, 1),
    ),
}
_printable = "".join(chr(c) for c in range(0x20, 0x7F)) + "\n"
free_texts = chars(_printable, 1, 200).map(str.strip).filter(bool)


def _fields(
    required: tuple[str, ...], optional: tuple[str, ...]
) -> st.SearchStrategy[dict[str, str]]:
    """Fields with every `required` prefix and some `optional` ones, in any order."""
    drawn = st.fixed_dictionaries(
        {prefix: FIELD_VALUES[prefix] for prefix in required},
        optional={prefix: FIELD_VALUES[prefix] for prefix in optional},
    )
    return drawn.flatmap(lambda fields: st.permutations(list(fields.items())).map(dict))


_EXTRAS = ("RSN", "WRT")
_PERSON_FIELDS = st.one_of(
    _fields(("OLN",), ("NAM", "DOB", "SEX", "IMQ", *_EXTRAS)),
    _fields(("NAM", "DOB", "SEX"), ("OLN", "IMQ", *_EXTRAS)),
)
KEY_FIELDS: dict[str, st.SearchStrategy[dict[str, str]]] = {
    "DQ": _PERSON_FIELDS,
    "DNQ": _fields(("NAM",), ("DOB", "SEX", "IMQ", *_EXTRAS)),
    "RQ": st.one_of(_fields(("LIC",), ("LIY", "LIT", *_EXTRAS)), _fields(("VIN",), _EXTRAS)),
    "RNQ": _fields(("NAM",), ("DOB", *_EXTRAS)),
    "KQ": st.one_of(
        _fields(("OLN",), ("NAM", "DOB", "SEX", "IMQ", "ATN", *_EXTRAS)),
        _fields(("NAM", "DOB", "SEX"), ("OLN", "IMQ", "ATN", *_EXTRAS)),
    ),
    "AM": st.builds(lambda text: {"TXT": text}, free_texts),
}
assert set(KEY_FIELDS) == INPUT_KEYS


def messages(key: str | None = None) -> st.SearchStrategy[Message]:
    """A valid input message, of `key` or of any input key."""
    keys = st.just(key) if key else st.sampled_from(sorted(INPUT_KEYS))
    return keys.flatmap(
        lambda k: st.builds(Message, st.just(k), oris, destinations, KEY_FIELDS[k], controls)
    )


_RECORD_PREFIXES = st.builds(str.__add__, chars(UPPER, 1, 1), chars(ALNUM, 1, 7))
_record_values = st.text(
    st.characters(codec="utf-8", exclude_characters="\r\n"),
    max_size=30,
)
records = st.dictionaries(_RECORD_PREFIXES, _record_values, min_size=1, max_size=8)
# Any text but what render_output refuses after records: a first paragraph of PFX/value lines.
notes = st.text(min_size=0, max_size=80).filter(lambda body: "/" not in body.split("\n\n")[0])
timestamps = st.datetimes(datetime(1000, 1, 1), datetime(9999, 12, 31)).map(
    lambda when: when.replace(second=0, microsecond=0)
)


def output_messages() -> st.SearchStrategy[OutputMessage]:
    """An output message that render_output accepts and parse_output reads back equal."""
    responses = st.builds(
        OutputMessage,
        key=st.sampled_from(sorted(RESPONSE_KEYS.values())),
        body=notes,
        records=st.lists(records, max_size=3).map(tuple),
        **_output_header(),
    )
    others = st.builds(
        OutputMessage,
        key=st.sampled_from(["ER", "SM", "AM"]),
        body=st.text(max_size=200),
        **_output_header(),
    )
    return responses | others


def _output_header() -> dict[str, st.SearchStrategy[object]]:
    return {
        "to": oris,
        "sender": oris | st.just(SWITCH_ORI),
        "timestamp": timestamps,
        "input_number": st.integers(0, 99_999),
        "output_number": st.integers(0, 99_999),
        "control": controls,
    }
