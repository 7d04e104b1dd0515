from __future__ import annotations

from datetime import date

import pytest

from switch.errors import InvalidDOB, MessageError
from switch.messages import dob_date, from_json, parse
from switch.messages.fields import FIELD_RULES, KEY_PREFIXES
from switch.messages.model import INPUT_KEYS, REGIONAL_KEYS

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("value", "born"),
    [
        ("19800101", date(1980, 1, 1)),
        ("20000229", date(2000, 2, 29)),
        ("010180", date(1980, 1, 1)),
        # Pivot: a 2-digit year above this year's (26) is last century.
        ("123127", date(1927, 12, 31)),
        ("010126", date(2026, 1, 1)),
        ("112526", date(2026, 11, 25)),
        ("063005", date(2005, 6, 30)),
    ],
)
def test_dob_date_reads_both_forms(value: str, born: date) -> None:
    assert dob_date(value, today=TODAY) == born


@pytest.mark.parametrize(
    "value",
    ["", "1980011", "198001011", "19800230", "112626", "20261126", "18991231", "8O0101", "+19801"],
)
def test_dob_date_refuses_what_is_no_past_date(value: str) -> None:
    with pytest.raises(InvalidDOB) as raised:
        dob_date(value, today=TODAY)
    assert raised.value.offending == value


def test_dob_date_defaults_to_the_real_today() -> None:
    assert dob_date(date.today().strftime("%Y%m%d")) == date.today()


def test_every_prefix_of_every_key_has_a_rule() -> None:
    assert set(KEY_PREFIXES) == INPUT_KEYS | set(REGIONAL_KEYS)
    prefixes = set().union(*KEY_PREFIXES.values()) - {"TXT", "DOB"}
    assert prefixes == set(FIELD_RULES)


@pytest.mark.parametrize(
    "fields",
    [
        "NAM/DOE,J",
        "NAM/D,J",
        "NAM/DE LA CRUZ,MARIA JOSE",
        "NAM/O'BRIEN,SEAN-PAUL",
        "NAM/" + "A" * 19 + "," + "B" * 20,
    ],
)
def test_name_shapes_accepted(fields: str) -> None:
    parse(f"DNQ.NY0303000.WA.TXT{fields}")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # OLN with NAM is allowed; the name path is then not required.
        ("DQ.NY0303000.WA.TXTOLN/X1.NAM/DOE,JOHN", None),
        ("KQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/19800101.SEX/F.IMQ/N", None),
        ("DNQ.NY0303000.WA.TXTNAM/DOE,JOHN.SEX/F.IMQ/Y.RSN/H.WRT/A-1", None),
        ("RQ.NY0303000.WA.TXTLIC/A.WRT/W1.RSN/V", None),
        ("RNQ.NY0303000.WA.TXTNAM/DOE,JOHN.SEX/M", ".22."),
        ("RNQ.NY0303000.WA.TXTNAM/DOE,JOHN.IMQ/Y", ".22."),
        ("DNQ.NY0303000.WA.TXTOLN/1.NAM/DOE,JOHN", ".22."),
    ],
)
def test_prefixes_per_key(text: str, code: str | None) -> None:
    if code is None:
        parse(text)
        return
    with pytest.raises(MessageError) as raised:
        parse(text)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("text", "er_text"),
    [
        (
            "RQ.NY0303000.WA.TXTLIC/ABC1.LIY/25",
            ".10. A YEAR FIELD IS INVALID OR MISSING\n"
            "LIY MUST BE A 4-DIGIT YEAR, 1900 TO 2099, OR NX\n"
            "RQ.NY0303000.WA.TXTLIC/ABC1.LIY/25",
        ),
        (
            "RQ.NY0303000.WA.TXTLIC/ABC1.LIY/.LIT/PC",
            ".10. A YEAR FIELD IS INVALID OR MISSING\nLIY IS EMPTY\n"
            "RQ.NY0303000.WA.TXTLIC/ABC1.LIY/.LIT/PC",
        ),
        (
            "KQ.NY0303000.WA.TXTOLN/1.ATN/SGT DOE-",
            ".16. ATN FIELD INVALID\nATN MUST BE 1 TO 30 LETTERS, DIGITS, SPACE, - AND ',"
            " STARTING AND ENDING WITH A LETTER OR DIGIT\nKQ.NY0303000.WA.TXTOLN/1.ATN/SGT DOE-",
        ),
    ],
)
def test_year_and_attention_ers_read_as_the_guide_names_them(text: str, er_text: str) -> None:
    with pytest.raises(MessageError) as raised:
        parse(text)
    assert raised.value.er_text == er_text


def test_json_gets_the_same_year_and_attention_codes() -> None:
    for fields, code in (
        ({"LIC": "ABC1", "LIY": "25"}, ".10."),
        ({"LIC": "ABC1", "LIY": ""}, ".10."),
    ):
        with pytest.raises(MessageError) as raised:
            from_json({"key": "RQ", "dest": ["WA"], "fields": fields}, "NY0303000")
        assert raised.value.code == code
    with pytest.raises(MessageError) as raised:
        from_json({"key": "KQ", "dest": ["WA"], "fields": {"OLN": "1", "ATN": "x"}}, "NY0303000")
    assert raised.value.code == ".16."


def test_atn_is_carried_on_kq_alone() -> None:
    assert parse("KQ.NY0303000.WA.TXTOLN/1.ATN/DET 4411").fields["ATN"] == "DET 4411"
    for key in ("DQ", "DNQ", "RQ", "RNQ"):
        assert "ATN" not in KEY_PREFIXES[key]
