"""Validation of a message however it arrived (text, JSON, or built in code)."""

from __future__ import annotations

from switch.messages.fields import check_fields
from switch.messages.header import check_control, check_destinations, check_key, check_ori
from switch.messages.model import Message
from switch.messages.text import render


def validate(message: Message) -> Message:
    """Return `message` unchanged if the switch accepts it, else raise its ER.

    Checks run in the same order as `parse` reads the text, so a message
    gets the same ER code in either form. The ER quotes the rendered text.
    """
    quote = render(message)
    check_key(message.sent_key, quote)
    check_ori(message.ori, quote)
    check_destinations(message.destinations, quote)
    check_control(message.control, quote)
    check_fields(message.sent_key, message.fields, quote)
    return message
