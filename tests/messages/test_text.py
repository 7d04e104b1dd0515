from __future__ import annotations

import pytest

from switch.errors import (
    FieldsMissing,
    InvalidAttention,
    InvalidDestination,
    InvalidDOB,
    InvalidFormat,
    InvalidHeader,
    InvalidYear,
    MessageError,
    NotAllowed,
    TextNotFound,
)
from switch.messages import Message, parse, render, validate
from switch.messages.model import INPUT_KEYS

from .cases import BAD, GOOD, Bad, Good


@pytest.mark.parametrize("case", GOOD, ids=lambda case: case.text[:24])
def test_good_text_parses_to_its_message(case: Good) -> None:
    assert parse(case.text) == case.message


@pytest.mark.parametrize("case", GOOD, ids=lambda case: case.text[:24])
def test_good_message_renders_to_its_text(case: Good) -> None:
    assert render(case.message) == case.text
    assert validate(case.message) is case.message


def test_good_cases_cover_every_input_key() -> None:
    assert {case.message.key for case in GOOD} == INPUT_KEYS


@pytest.mark.parametrize("case", BAD, ids=lambda case: case.id)
def test_bad_text_gets_its_er_code(case: Bad) -> None:
    with pytest.raises(MessageError) as raised:
        parse(case.text)
    assert raised.value.code == case.code, raised.value.message
    assert raised.value.offending == case.text.strip()[:100]


def test_bad_cases_cover_every_er_code() -> None:
    codes = {
        error.code
        for error in (
            InvalidHeader,
            NotAllowed,
            TextNotFound,
            InvalidDOB,
            InvalidYear,
            FieldsMissing,
            InvalidAttention,
            InvalidDestination,
            InvalidFormat,
        )
    }
    assert {case.code for case in BAD} == codes


@pytest.mark.parametrize(
    "text",
    [
        "DQ.NY0303000.WA.*K7F2.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M",
        "DQ.NY0303000.WA.*K7F2.TXT\nNAM/DOE,JOHN.DOB/19800101.SEX/M",
        "DQ.NY0303000.WA.*K7F2.TXT\r\nNAM/DOE,JOHN.DOB/19800101.SEX/M",
        "  DQ.NY0303000.WA.*K7F2.TXT\r\nNAM/DOE,JOHN.DOB/19800101.SEX/M\r\n",
    ],
    ids=["direct", "lf", "crlf", "padded"],
)
def test_line_break_after_txt_is_optional(text: str) -> None:
    message = parse(text)
    assert message.fields == {"NAM": "DOE,JOHN", "DOB": "19800101", "SEX": "M"}
    assert render(message) == "DQ.NY0303000.WA.*K7F2.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M"


def test_am_free_text_keeps_lines_as_lf() -> None:
    message = parse("AM.NY0303000.WA.TXT\r\nFIRST LINE\r\nSECOND. LINE/2\r\n")
    assert message.fields == {"TXT": "FIRST LINE\nSECOND. LINE/2"}
    assert render(message) == "AM.NY0303000.WA.TXTFIRST LINE\nSECOND. LINE/2"


def test_fields_keep_their_written_order() -> None:
    message = parse("DQ.NY0303000.WA.TXTSEX/F.DOB/061592.NAM/ROE,JANE")
    assert list(message.fields) == ["SEX", "DOB", "NAM"]


def test_dob_is_kept_as_written() -> None:
    assert parse("DNQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/010180").fields["DOB"] == "010180"


def test_message_properties_read_the_fields() -> None:
    message = parse("DQ.VTICE0900.NY.TXTOLN/1.IMQ/Y.RSN/F.WRT/NY-2026-17")
    assert (message.reason, message.wants_image, message.warrant_id) == ("F", True, "NY-2026-17")


def test_the_first_mistake_in_reading_order_wins() -> None:
    # Bad key, ORI, destination and fields at once: the key is reported.
    with pytest.raises(InvalidHeader, match="unknown message key"):
        parse("XX.nope.W@.TXTOLN/")
    with pytest.raises(InvalidDestination):
        parse("DQ.NY0303000.W@.TXTOLN/")


def test_quote_is_cut_to_100_characters() -> None:
    text = "AM.NY0303000.WA.TXT" + "A" * 5000
    with pytest.raises(InvalidFormat) as raised:
        parse(text)
    assert raised.value.offending == text[:100]
    assert raised.value.er_text.startswith(".22. INVALID MESSAGE FORMAT\nFREE TEXT LONGER")


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (Message("DQ", "NY0303000", (), {"OLN": "1"}), ".19."),
        (Message("DQ", "NY0303000", ("WA",) * 2, {"OLN": "1"}), ".19."),
        (Message("DQ", "NY0303000", ("WA",), {"OLN": "1"}, control=""), ".01."),
        (Message("DQ", "NY0303000", ("WA",), {"OLN": "1.2"}), ".22."),
        (Message("DQ", "NY0303000", ("WA",), {"oln": "1"}), ".22."),
        (Message("DQ", "NY0303000", ("WA",), {"TXT": "HI"}), ".22."),
        (Message("AM", "NY0303000", ("WA",), {}), ".14."),
        (Message("AM", "NY0303000", ("WA",), {"TXT": "HI", "OLN": "1"}), ".22."),
        (Message("AM", "NY0303000", ("WA",), {"TXT": "\nHI"}), ".22."),
        (Message("DR", "NY0303000", ("WA",), {"OLN": "1"}), ".02."),
        (Message("DQ", "NL0000000", ("WA",), {"OLN": "1"}), ".01."),
    ],
)
def test_validate_checks_messages_built_in_code(message: Message, code: str) -> None:
    with pytest.raises(MessageError) as raised:
        validate(message)
    assert raised.value.code == code
    assert raised.value.offending == render(message)[:100]


def test_a_regional_key_is_read_as_its_plain_key_and_rendered_as_sent() -> None:
    message = parse("RQG.NY0303000.RH.TXTVIN/1HGCM82633A004352")
    assert (message.key, message.regional, message.sent_key) == ("RQ", True, "RQG")
    # Built in code with the G key, it is the same message.
    assert Message("RQG", "NY0303000", ("RH",), {"VIN": "1HGCM82633A004352"}) == message
    assert render(message) == "RQG.NY0303000.RH.TXTVIN/1HGCM82633A004352"
    assert validate(message) is message
    # A DQ to a region code is a plain DQ: the router gives it lower priority.
    plain = parse("DQ.NY0303000.RH.TXTOLN/1")
    assert (plain.key, plain.regional) == ("DQ", False)
