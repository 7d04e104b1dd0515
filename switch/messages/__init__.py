"""The message codec: legacy text, JSON and Nlets XML in, validated `Message`
out; output messages rendered and read back, as text or XML.

Every reading function (`parse`, `from_json`, `from_xml`, `parse_output`,
`parse_output_xml`) raises nothing but a `switch.errors.MessageError`
subclass, whatever it is given.
"""

from switch.messages.fields import dob_date
from switch.messages.jsonform import from_json, to_json
from switch.messages.model import Message, OutputMessage
from switch.messages.output import error_output, parse_output, render_output
from switch.messages.text import parse, render
from switch.messages.validate import validate
from switch.messages.xmlform import from_xml, output_to_xml, parse_output_xml, to_xml

__all__ = [
    "Message",
    "OutputMessage",
    "dob_date",
    "error_output",
    "from_json",
    "from_xml",
    "output_to_xml",
    "parse",
    "parse_output",
    "parse_output_xml",
    "render",
    "render_output",
    "to_json",
    "to_xml",
    "validate",
]
