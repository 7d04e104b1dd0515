"""The message codec: legacy text and JSON in, validated `Message` out; output
messages rendered and read back.

Every reading function (`parse`, `from_json`, `parse_output`) raises nothing
but a `switch.errors.MessageError` subclass, whatever it is given.
"""

from switch.messages.fields import dob_date
from switch.messages.jsonform import from_json, to_json
from switch.messages.model import Message, OutputMessage
from switch.messages.output import error_output, parse_output, render_output
from switch.messages.text import parse, render
from switch.messages.validate import validate

__all__ = [
    "Message",
    "OutputMessage",
    "dob_date",
    "error_output",
    "from_json",
    "parse",
    "parse_output",
    "render",
    "render_output",
    "to_json",
    "validate",
]
