"""The text of an output message (a state's answer, an ER, an SM, a delivered AM).

    DR.NY0303000                        key and receiving ORI
    10:12 11/25/2026 00123              time, date, input message number
    10:12 11/25/2026 00456 WAOLN0000    time, date, output message number, sender
    *K7F2                               the control field, only when there is one
    TXT
    <body>

A response (DR DNR RR RNR KR) lists its records, one `PFX/value` per line and
a blank line between records, or says `NOT ON FILE`; a non-empty `body`
follows after a blank line (a policy note, a multi-state summary). For ER,
SM and AM the body is the whole text, and for a response that is a refusal
in the DMV's own words (`refusal`), which carries no records.

INVARIANT: parse_output(render_output(out)) == out, with the timestamp cut to
the minute (and given `tzinfo`) and the message numbers taken modulo 100000,
for every `out` whose records are non-empty, have prefixes of 2 to 8 letters
and digits (the first a letter) and one-line values, and whose body after
records does not begin with `PFX/value` lines.

Records come from states, some over HTTP, so render_output never refuses
their content: an empty record (every field redacted) is left out and a line
break inside a value becomes a space. It raises ValueError only for records
on a key that carries none, a bug in the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from switch.errors import InvalidHeader, MessageError, TextNotFound
from switch.messages.header import is_ori
from switch.messages.model import RESPONSE_KEYS, SWITCH_ORI, OutputMessage

NOT_ON_FILE = "NOT ON FILE"
_RESPONSES = frozenset(RESPONSE_KEYS.values())
_KEYS = _RESPONSES | {"ER", "SM", "AM"}
_NUMBERS = 100_000
# Wider than input prefixes (2 to 8 characters) so a state's own field names read back too.
_RECORD_LINE = re.compile(r"[A-Z][A-Z0-9]{1,7}/[^\r\n]*")
_STAMP = r"([0-9]{2}):([0-9]{2}) ([0-9]{2})/([0-9]{2})/([0-9]{4}) ([0-9]{5})"
_INPUT_LINE = re.compile(_STAMP)
_OUTPUT_LINE = re.compile(_STAMP + r" ([A-Z0-9]{9})")


def error_output(
    err: MessageError,
    to: str,
    timestamp: datetime,
    input_number: int,
    output_number: int,
    control: str | None = None,
) -> OutputMessage:
    """The ER the switch sends `to` the sender of a message it refused."""
    return OutputMessage(
        key="ER",
        to=to,
        sender=SWITCH_ORI,
        body=err.er_text,
        timestamp=timestamp,
        input_number=input_number,
        output_number=output_number,
        control=control,
    )


def render_output(out: OutputMessage) -> str:
    stamp = _stamp(out.timestamp)
    lines = [
        f"{out.key}.{out.to}",
        f"{stamp} {out.input_number % _NUMBERS:05d}",
        f"{stamp} {out.output_number % _NUMBERS:05d} {out.sender}",
    ]
    if out.control is not None:
        lines.append(f"*{out.control}")
    lines.append("TXT")
    lines.append(_render_body(out))
    return "\n".join(lines)


def _stamp(when: datetime) -> str:
    # Not strftime: %Y does not zero-pad years before 1000 on every platform.
    return f"{when.hour:02d}:{when.minute:02d} {when.month:02d}/{when.day:02d}/{when.year:04d}"


def _render_body(out: OutputMessage) -> str:
    if out.key not in _RESPONSES:
        if out.records:
            raise ValueError(f"{out.key} carries no records")
        return out.body
    blocks = [_render_record(record) for record in out.records if record]
    if not blocks and not out.refusal:
        blocks.append(NOT_ON_FILE)
    if out.body:
        blocks.append(out.body)
    return "\n\n".join(blocks)


def _render_record(record: Mapping[str, str]) -> str:
    return "\n".join(f"{prefix}/{_one_line(value)}" for prefix, value in record.items())


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        return " ".join(value.splitlines())
    return value


def _is_record(block: str) -> bool:
    return all(_RECORD_LINE.fullmatch(line) for line in block.split("\n"))


def parse_output(text: str, tzinfo: tzinfo | None = None) -> OutputMessage:
    """Read an output message; the timestamp is naive unless `tzinfo` is given.

    Header lines may end in CR LF; the body is kept byte for byte.
    """
    quote = text.lstrip()
    lines = quote.split("\n", 5)
    if len(lines) < 4:
        raise InvalidHeader("output header must be 3 lines, then TXT", quote)
    key, _, to = lines[0].rstrip("\r").partition(".")
    if key not in _KEYS or not is_ori(to):
        raise InvalidHeader("first line must be KEY.ORI of an output message", quote)
    input_line = _INPUT_LINE.fullmatch(lines[1].rstrip("\r"))
    output_line = _OUTPUT_LINE.fullmatch(lines[2].rstrip("\r"))
    if input_line is None or output_line is None:
        raise InvalidHeader("lines 2 and 3 must be HH:MM MM/DD/CCYY NNNNN [ORI]", quote)
    if input_line.groups()[:5] != output_line.groups()[:5]:
        raise InvalidHeader("lines 2 and 3 must carry the same time and date", quote)
    hour, minute, month, day, year = (int(part) for part in input_line.groups()[:5])
    try:
        timestamp = datetime(year, month, day, hour, minute, tzinfo=tzinfo)
    except ValueError:
        raise InvalidHeader("no such time or date", quote) from None
    sender = output_line.group(7)
    if not is_ori(sender):
        raise InvalidHeader("sender must be an ORI", quote)
    rest = lines[3:]
    control: str | None = None
    if rest[0].startswith("*"):
        control = rest.pop(0).rstrip("\r")[1:]
        if not control:
            raise InvalidHeader("empty control field", quote)
    if not rest or rest[0].rstrip("\r") != "TXT":
        raise TextNotFound("TXT must follow the header", quote)
    body = "\n".join(rest[1:])
    records: tuple[dict[str, str], ...] = ()
    if key in _RESPONSES:
        records, body = _parse_body(body)
    return OutputMessage(
        key=key,
        to=to,
        sender=sender,
        body=body,
        timestamp=timestamp,
        input_number=int(input_line.group(6)),
        output_number=int(output_line.group(6)),
        control=control,
        records=records,
    )


def _parse_body(text: str) -> tuple[tuple[dict[str, str], ...], str]:
    """Split a response's text into its records and the body after them."""
    if text == NOT_ON_FILE:
        return (), ""
    if text.startswith(f"{NOT_ON_FILE}\n\n"):
        return (), text[len(NOT_ON_FILE) + 2 :]
    records: list[dict[str, str]] = []
    rest = text
    while rest:
        block, _, after = rest.partition("\n\n")
        if not _is_record(block):
            break
        pairs = (line.partition("/") for line in block.split("\n"))
        records.append({prefix: value for prefix, _, value in pairs})
        rest = after
    return tuple(records), rest


def output_json(out: OutputMessage) -> dict[str, Any]:
    """An output message as the JSON reply carries it: key, text, the first
    record's fields, and every record when there is more than one."""
    payload: dict[str, Any] = {
        "key": out.key,
        "text": render_output(out),
        "fields": dict(out.records[0]) if out.records else {},
    }
    if len(out.records) > 1:
        payload["records"] = [dict(r) for r in out.records]
    return payload
