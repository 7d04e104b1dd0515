"""The legacy text layout of an input message.

    KEY.<sender ORI>.<dest>[,<dest>...].[*<control>.]TXT<fields>

The fields follow `TXT` directly or after one line break (CR LF or LF); both
parse the same and `render` writes the one-line form. A line break always
ends the header: a header without `TXT` before it is .03., TXT NOT FOUND. Fields are `PFX/value`
joined by `.`; for AM everything after `TXT` is the free text.

The parser checks each header part as soon as it has it, so the first mistake
in reading order is the one reported: a bad key (.01./.02.) before a bad ORI
(.01.), before bad destinations (.19.), before a missing TXT (.03.), before
the fields (.22., .05., .14.).
"""

from __future__ import annotations

from switch.errors import InvalidFormat, InvalidHeader, TextNotFound
from switch.messages.fields import FREE_TEXT, check_fields
from switch.messages.header import check_control, check_destinations, check_key, check_ori
from switch.messages.model import Message

_MARKER = "TXT"


def render(message: Message) -> str:
    """The canonical one-line text of a valid message."""
    control = f"*{message.control}." if message.control is not None else ""
    if message.key == "AM":
        body = message.fields.get(FREE_TEXT, "")
    else:
        body = ".".join(f"{prefix}/{value}" for prefix, value in message.fields.items())
    destinations = ",".join(message.destinations)
    return f"{message.sent_key}.{message.ori}.{destinations}.{control}{_MARKER}{body}"


def parse(text: str) -> Message:
    """Read and fully validate one input message in the legacy text layout."""
    quote = text.strip()
    if not quote:
        raise InvalidHeader("empty message", quote)
    # A line break ends the header (as at Nlets): its parts are read from the
    # first line alone, so a header with no TXT before the break is .03.,
    # never a destination that runs on into the fields (.19.).
    line, line_break, after = quote.partition("\n")
    if line.endswith("\r"):
        line, line_break = line[:-1], "\r\n"
    # maxsplit 3: the fields after TXT contain dots of their own.
    parts = line.split(".", 3)
    key = parts[0]
    check_key(key, quote)
    if len(parts) >= 2:
        check_ori(parts[1], quote)
    if len(parts) < 3:
        if line_break:
            raise TextNotFound("a line break ends the header before TXT", quote)
        raise InvalidHeader("header must be KEY.ORI.DESTINATIONS.TXT", quote)
    ori = parts[1]
    destinations = tuple(parts[2].split(","))
    check_destinations(destinations, quote)
    rest = parts[3] if len(parts) == 4 else ""
    control: str | None = None
    if rest.startswith("*"):
        control, dot, rest = rest[1:].partition(".")
        check_control(control, quote)
        if not dot:
            raise TextNotFound(_no_marker("no TXT after the control field", line_break), quote)
    if not rest.startswith(_MARKER):
        raise TextNotFound(
            _no_marker("TXT must follow the destinations or the control field", line_break), quote
        )
    body = rest[3:] + line_break + after
    if body.startswith("\r\n"):
        body = body[2:]
    elif body.startswith("\n"):
        body = body[1:]
    if key == "AM":
        # Line breaks inside the free text are stored as LF whatever the sender used.
        fields = {FREE_TEXT: body.replace("\r\n", "\n").strip()}
    else:
        fields = _split_fields(body, quote)
    check_fields(key, fields, quote)
    return Message(key, ori, destinations, fields, control)


def _no_marker(detail: str, line_break: str) -> str:
    return f"{detail}, before the line break that ends the header" if line_break else detail


def _split_fields(body: str, quote: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    if not body:
        return fields
    items = body.split(".")
    for index, item in enumerate(items):
        prefix, slash, value = item.partition("/")
        if not slash:
            if item:
                raise InvalidFormat(f"field {item[:10]} is not PFX/value", quote)
            if index == len(items) - 1:
                raise InvalidFormat("the fields must not end in .", quote)
            raise InvalidFormat("empty field between dots", quote)
        if prefix in fields:
            raise InvalidFormat(f"field {prefix[:10]} given twice", quote)
        fields[prefix] = value
    return fields
