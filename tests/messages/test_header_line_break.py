"""A line break ends the header: a header with no TXT before it is .03.
(TXT NOT FOUND), however the destinations and the fields look after it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switch.errors import MessageError
from switch.messages import Message, parse, render

from .strategies import messages

# The header as far as TXT would begin: what the sender wrote before forgetting it.
_ENDINGS = st.sampled_from(["", "."])


def _header(message: Message, ending: str) -> str:
    control = f".*{message.control}" if message.control is not None else ""
    return f"{message.key}.{message.ori}.{','.join(message.destinations)}{control}{ending}"


def _fields(message: Message) -> str:
    return render(message).partition("TXT")[2]


@settings(max_examples=200, deadline=None)
@given(messages(), _ENDINGS, st.sampled_from(["\n", "\r\n"]))
def test_a_header_without_txt_before_a_line_break_is_03(
    message: Message, ending: str, line_break: str
) -> None:
    text = f"{_header(message, ending)}{line_break}{_fields(message)}"
    with pytest.raises(MessageError) as raised:
        parse(text)
    assert raised.value.code == ".03.", (text, raised.value.message)
    # The ER quotes the input as sent, line break and all.
    assert raised.value.offending == text.strip()[:100]
    assert raised.value.er_text.startswith(".03. TXT NOT FOUND\n")
    assert raised.value.er_text.endswith(text.strip()[:100])


def test_the_reported_case_is_03_not_19() -> None:
    text = "DQ.TX0150100.WA\nOLN/WDL0000001"
    with pytest.raises(MessageError) as raised:
        parse(text)
    assert raised.value.code == ".03."
    assert raised.value.er_text == (
        ".03. TXT NOT FOUND\n"
        "TXT MUST FOLLOW THE DESTINATIONS OR THE CONTROL FIELD,"
        " BEFORE THE LINE BREAK THAT ENDS THE HEADER\n"
        "DQ.TX0150100.WA\nOLN/WDL0000001"
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Mistakes before the break keep their own codes, in reading order.
        ("XQ.TX0150100.WA\nOLN/1", ".01."),
        ("DQ.TX01501.WA\nOLN/1", ".01."),
        ("DQ.TX0150100.WAS\nOLN/1", ".19."),
        ("DQ.TX0150100\nWA.TXTOLN/1", ".03."),
        ("DQ.TX0150100.WA.*K7F2\nTXTOLN/1", ".03."),
        # TXT before the break: the fields may follow on the next line.
        ("DQ.TX0150100.WA.TXT\nOLN/1", None),
        ("AM.TX0150100.WA.TXTFIRST\nSECOND", None),
    ],
)
def test_what_comes_before_the_break_decides(text: str, code: str | None) -> None:
    if code is None:
        parse(text)
        return
    with pytest.raises(MessageError) as raised:
        parse(text)
    assert raised.value.code == code
