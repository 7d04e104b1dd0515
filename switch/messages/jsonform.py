"""The JSON form of an input message, one-to-one with the text form.

    {"key": "DQ", "dest": ["WA"], "fields": {"NAM": "DOE,JOHN", ...}, "control": "K7F2"}

The sender is not in the body: it is the ORI the API key is bound to. The
control field is written without the `*` the text form puts before it.
"""

from __future__ import annotations

import json

from switch.errors import InvalidFormat
from switch.messages.model import Message
from switch.messages.validate import validate

_REQUIRED = ("key", "dest", "fields")
_ALLOWED = frozenset({*_REQUIRED, "control"})


def to_json(message: Message) -> dict[str, object]:
    """The JSON body for `message`; `control` is left out when there is none."""
    data: dict[str, object] = {
        "key": message.sent_key,
        "dest": list(message.destinations),
        "fields": dict(message.fields),
    }
    if message.control is not None:
        data["control"] = message.control
    return data


def from_json(data: object, ori: str) -> Message:
    """Build and validate a message from a decoded JSON body sent by `ori`."""
    if not isinstance(data, dict):
        raise _malformed("the body must be a JSON object", data)
    extra = data.keys() - _ALLOWED
    if extra:
        shown = ", ".join(sorted(_shown(str(name)[:20]) for name in extra))
        raise _malformed(f"unknown member {shown}; expected key, dest, fields, control", data)
    for name in _REQUIRED:
        if name not in data:
            raise _malformed(f"member {name} is missing", data)
    key, destinations, fields = data["key"], data["dest"], data["fields"]
    control = data.get("control")
    if not isinstance(key, str):
        raise _malformed("key must be a string", data)
    if not isinstance(destinations, list) or not all(isinstance(d, str) for d in destinations):
        raise _malformed("dest must be an array of strings", data)
    if not isinstance(fields, dict) or not all(
        isinstance(prefix, str) and isinstance(value, str) for prefix, value in fields.items()
    ):
        raise _malformed("fields must be an object of string values", data)
    # null is how many JSON writers say "absent"; both mean no control field.
    if control is not None and not isinstance(control, str):
        raise _malformed("control must be a string", data)
    # A \ud800 escape decodes to half a character, which no audit row or reply can hold.
    texts = [key, *destinations, *fields, *fields.values(), control or ""]
    if not all(_is_unicode(text) for text in texts):
        raise _malformed("strings must be Unicode text, not halves of surrogate pairs", data)
    return validate(Message(key, ori, tuple(destinations), fields, control))


def _shown(text: str) -> str:
    """`text` for an error message: a lone surrogate as its escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _malformed(detail: str, data: object) -> InvalidFormat:
    return InvalidFormat(detail, offending=_compact(data))


def _compact(data: object) -> str:
    try:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        # Escaped, the quote survives lone surrogates (see from_json).
        return text if _is_unicode(text) else json.dumps(data, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        # Not JSON at all (a caller passed Python objects); quote what we can.
        return type(data).__name__
