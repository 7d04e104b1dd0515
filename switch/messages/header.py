"""The header of an input message: key, sender ORI, destinations, control field.

Each check takes `quote`, the text an ER will quote, so the text parser and
`validate` raise identical errors for the same mistake.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from switch.errors import InvalidDestination, InvalidHeader, NotAllowed
from switch.messages.model import (
    INPUT_KEYS,
    MAX_DESTINATIONS,
    MULTI_STATE,
    OUTPUT_KEYS,
    REGIONAL_KEYS,
    SWITCH_ORI,
)

# Explicit [A-Z0-9] rather than \w or \d: those also match non-ASCII letters and digits.
ORI_PATTERN = re.compile(r"[A-Z]{2}[A-Z0-9]{7}")
# A destination is a 2-letter code (a state, or NL for all of them) or a full ORI.
_DESTINATION = re.compile(r"[A-Z]{2}(?:[A-Z0-9]{7})?")
_CONTROL = re.compile(r"[A-Z0-9]{1,10}")


_SENT_KEYS = INPUT_KEYS | set(REGIONAL_KEYS)


def is_ori(value: str) -> bool:
    return ORI_PATTERN.fullmatch(value) is not None


def check_key(key: str, quote: str) -> None:
    if key in INPUT_KEYS or key in REGIONAL_KEYS:
        return
    if key in OUTPUT_KEYS:
        # Only states and the switch send these; an agency sending one is a
        # known message type going where it may not, hence .02. and not .01.
        raise NotAllowed(f"{key} is sent by the switch or a state, not an agency", quote)
    shown = key[:10] if key else "nothing"
    raise InvalidHeader(
        f"unknown message key {shown}; expected one of {', '.join(sorted(_SENT_KEYS))}", quote
    )


def check_ori(ori: str, quote: str) -> None:
    if ORI_PATTERN.fullmatch(ori) is None:
        raise InvalidHeader(
            "sender ORI must be 9 letters or digits, the first two a state code", quote
        )
    if ori == SWITCH_ORI:
        raise InvalidHeader(f"{SWITCH_ORI} is the switch and sends no input messages", quote)


def check_destinations(destinations: Sequence[str], quote: str) -> None:
    if not destinations:
        raise InvalidDestination("no destination", quote)
    if len(destinations) > MAX_DESTINATIONS:
        raise InvalidDestination(f"more than {MAX_DESTINATIONS} destinations", quote)
    seen: set[str] = set()
    for destination in destinations:
        if not destination:
            raise InvalidDestination("empty destination", quote)
        if _DESTINATION.fullmatch(destination) is None:
            raise InvalidDestination(
                f"destination {destination[:12]} is neither a 2-letter code nor a 9-character ORI",
                quote,
            )
        if destination == SWITCH_ORI:
            raise InvalidDestination(f"{SWITCH_ORI} is the switch, not a destination", quote)
        if destination in seen:
            raise InvalidDestination(f"destination {destination} given twice", quote)
        seen.add(destination)
    # NL already fans out to every state; mixing it with others would query some twice.
    if MULTI_STATE in seen and len(destinations) > 1:
        raise InvalidDestination(f"{MULTI_STATE} must be the only destination", quote)


def check_control(control: str | None, quote: str) -> None:
    if control is not None and _CONTROL.fullmatch(control) is None:
        raise InvalidHeader("control field must be * then 1 to 10 letters or digits", quote)
