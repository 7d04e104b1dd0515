from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from switch.errors import MessageError
from switch.messages import OutputMessage, error_output, parse, parse_output, render_output

WHEN = datetime(2026, 11, 25, 10, 12, 37)
AT_MINUTE = WHEN.replace(second=0)

DR = OutputMessage(
    key="DR",
    to="NY0303000",
    sender="WAOLN0000",
    body="FIELDS WITHHELD BY POLICY: ADR",
    timestamp=WHEN,
    input_number=123,
    output_number=100_456,
    control="K7F2",
    records=(
        {"NAM": "DOE,JOHN", "DOB": "19800101", "SEX": "M", "ADR": "12 MAIN ST. APT 4, OLYMPIA"},
        {"NAM": "DOE,JOHN Q", "OLN": "WDL12345678"},
    ),
)
DR_TEXT = """\
DR.NY0303000
10:12 11/25/2026 00123
10:12 11/25/2026 00456 WAOLN0000
*K7F2
TXT
NAM/DOE,JOHN
DOB/19800101
SEX/M
ADR/12 MAIN ST. APT 4, OLYMPIA

NAM/DOE,JOHN Q
OLN/WDL12345678

FIELDS WITHHELD BY POLICY: ADR"""


def test_dr_layout() -> None:
    assert render_output(DR) == DR_TEXT


def test_dr_reads_back() -> None:
    back = parse_output(DR_TEXT)
    assert back.records == DR.records
    assert back.body == DR.body
    assert back.timestamp == AT_MINUTE
    assert (back.input_number, back.output_number) == (123, 456)
    assert (back.key, back.to, back.sender, back.control) == (
        "DR",
        "NY0303000",
        "WAOLN0000",
        "K7F2",
    )


def test_not_on_file() -> None:
    out = OutputMessage("RR", "NY0303000", "ORMVD0000", "", AT_MINUTE)
    text = render_output(out)
    assert text.endswith("\n10:12 11/25/2026 00000 ORMVD0000\nTXT\nNOT ON FILE")
    assert "*" not in text
    assert parse_output(text) == out


def test_not_on_file_with_a_note() -> None:
    out = OutputMessage("DNR", "NY0303000", "NL0000000", "HIT: NONE\nNO HIT: WA, OR", AT_MINUTE)
    assert render_output(out).endswith("TXT\nNOT ON FILE\n\nHIT: NONE\nNO HIT: WA, OR")
    assert parse_output(render_output(out)) == out


def test_error_output_from_a_refused_message() -> None:
    with pytest.raises(MessageError) as raised:
        parse("DQ.NY0303000.WA.TXTNAM/DOE,JOHN.SEX/M")
    er = error_output(raised.value, "NY0303000", WHEN, 7, 8, control="C1")
    assert (er.key, er.sender, er.to) == ("ER", "NL0000000", "NY0303000")
    assert render_output(er) == (
        "ER.NY0303000\n"
        "10:12 11/25/2026 00007\n"
        "10:12 11/25/2026 00008 NL0000000\n"
        "*C1\n"
        "TXT\n"
        ".05. DOB INVALID OR MISSING\n"
        "DQ BY NAME NEEDS DOB\n"
        "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.SEX/M"
    )
    assert parse_output(render_output(er)) == replace(er, timestamp=AT_MINUTE)


def test_crlf_header_lines_and_timezone() -> None:
    text = render_output(DR).replace("\n", "\r\n", 5)
    back = parse_output(text, tzinfo=UTC)
    assert back.timestamp == AT_MINUTE.replace(tzinfo=UTC)
    assert back.records == DR.records


def test_records_on_an_er_are_a_bug() -> None:
    er = OutputMessage("ER", "NY0303000", "NL0000000", "X", WHEN, records=({"NAM": "A"},))
    with pytest.raises(ValueError):
        render_output(er)


def test_state_data_never_stops_a_reply() -> None:
    # A policy may redact every field of a record; an HTTP state may send line breaks.
    out = OutputMessage(
        "DR", "NY0303000", "WAOLN0000", "", WHEN, records=({}, {"ADR": "1 MAIN ST\r\nOLYMPIA"})
    )
    assert render_output(out).endswith("TXT\nADR/1 MAIN ST OLYMPIA")
    only_redacted = OutputMessage("DR", "NY0303000", "WAOLN0000", "NOTE", WHEN, records=({},))
    assert render_output(only_redacted).endswith("TXT\nNOT ON FILE\n\nNOTE")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", ".01."),
        ("DR.NY0303000\n10:12 11/25/2026 00123", ".01."),
        ("DQ.NY0303000\n10:12 11/25/2026 00123\n10:12 11/25/2026 00456 WAOLN0000\nTXT\n", ".01."),
        ("DR.NY03\n10:12 11/25/2026 00123\n10:12 11/25/2026 00456 WAOLN0000\nTXT\n", ".01."),
        ("DR.NY0303000\n10:12 11/25/26 00123\n10:12 11/25/2026 00456 WAOLN0000\nTXT\n", ".01."),
        ("DR.NY0303000\n10:12 11/25/2026 00123\n10:13 11/25/2026 00456 WAOLN0000\nTXT\n", ".01."),
        ("DR.NY0303000\n25:12 11/25/2026 00123\n25:12 11/25/2026 00456 WAOLN0000\nTXT\n", ".01."),
        ("DR.NY0303000\n10:12 11/25/2026 00123\n10:12 11/25/2026 00456 12OLN0000\nTXT\n", ".01."),
        ("DR.NY0303000\n10:12 11/25/2026 00123\n10:12 11/25/2026 00456 WAOLN0000\n*\nTXT", ".01."),
        ("DR.NY0303000\n10:12 11/25/2026 00123\n10:12 11/25/2026 00456 WAOLN0000\nNAM/X", ".03."),
        ("DR.NY0303000\n10:12 11/25/2026 00123\n10:12 11/25/2026 00456 WAOLN0000\n*C", ".03."),
    ],
)
def test_bad_output_text(text: str, code: str) -> None:
    with pytest.raises(MessageError) as raised:
        parse_output(text)
    assert raised.value.code == code
