"""From the bytes of a request to a validated `Message`, in whichever form
it came (switch.messages.model.FORMS), or the ER that refuses it.

Each form has its own reader; every reader raises nothing but a
`MessageError`, so the hub audits and answers a bad body the same way
whatever its form.
"""

from __future__ import annotations

import json

from switch.access.keys import Identity
from switch.errors import ForbiddenError, InvalidFormat, MessageTooLarge
from switch.messages import from_json, from_xml, parse
from switch.messages.model import Message


def decode(identity: Identity, body: bytes, form: str, max_body_bytes: int) -> Message:
    """`body` read as `form` (text, json or xml) from `identity`. The size
    is bounded before any parser sees the body."""
    if len(body) > max_body_bytes:
        raise MessageTooLarge(f"message over {max_body_bytes} bytes", body[:100].decode("latin-1"))
    if identity.ori is None:
        raise ForbiddenError("an admin key does not send messages; use an agency key")
    if form == "xml":
        # The XML reader takes bytes: it decodes UTF-8 itself, and a body that
        # is not is improperly formed XML (.03.), not a text of the wrong charset.
        return from_xml(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFormat("message is not UTF-8 text", body[:100].decode("latin-1")) from exc
    if form == "json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:  # nesting past the parser is bad JSON too
            raise InvalidFormat("body is not valid JSON", text) from exc
        return from_json(data, identity.ori)
    return parse(text)
