"""Placeholders in a send step's text, filled in when the step is played.

{from}                 the sending ORI
{driver:ST:N:FIELD}    FIELD of driver N of ST's simulated DMV (OLN, DOB,
                       SEX, NAM, ...); NAME gives LAST,FIRST as a query names it
{warrant:NAME}         the id of the warrant the scenario issued as NAME
{{ and }}              a literal brace
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from switch.directory.jurisdictions import JURISDICTIONS

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_FIELD = re.compile(r"[A-Z]{2,4}")

DriverLookup = Callable[[str, int], Mapping[str, str]]


class PlaceholderError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Placeholder:
    kind: str  # from | driver | warrant
    args: tuple[str, ...] = ()


def _parse_one(body: str) -> Placeholder:
    parts = body.split(":")
    kind = parts[0]
    if kind == "from" and len(parts) == 1:
        return Placeholder("from")
    if kind == "warrant" and len(parts) == 2 and parts[1]:
        return Placeholder("warrant", (parts[1],))
    if kind == "driver" and len(parts) == 4:
        state, index, field = parts[1].upper(), parts[2], parts[3].upper()
        if state not in JURISDICTIONS:
            raise PlaceholderError(f"{{{body}}}: {parts[1]!r} is not a state code")
        if not index.isdigit():
            raise PlaceholderError(f"{{{body}}}: the driver number must be 0 or more")
        if not _FIELD.fullmatch(field):
            raise PlaceholderError(f"{{{body}}}: {parts[3]!r} is not a field name")
        return Placeholder("driver", (state, index, field))
    raise PlaceholderError(
        f"unknown placeholder {{{body}}}: use {{from}}, {{driver:ST:N:FIELD}} or {{warrant:NAME}}"
    )


def parse(text: str) -> list[str | Placeholder]:
    """The text as literal pieces and placeholders; PlaceholderError if malformed."""
    pieces: list[str | Placeholder] = []
    at = 0
    for match in _TOKEN.finditer(text):
        pieces.append(text[at : match.start()])
        token = match.group(0)
        if token in ("{{", "}}"):
            pieces.append(token[0])
        elif match.group(1) is None:
            raise PlaceholderError(f"unmatched {token!r} at character {match.start() + 1}")
        else:
            pieces.append(_parse_one(match.group(1)))
        at = match.end()
    pieces.append(text[at:])
    return [p for p in pieces if p != ""]


def check(text: str, warrants: Mapping[str, object]) -> None:
    for piece in parse(text):
        if (
            isinstance(piece, Placeholder)
            and piece.kind == "warrant"
            and (piece.args[0] not in warrants)
        ):
            known = ", ".join(sorted(warrants)) or "none"
            raise PlaceholderError(
                f"{{warrant:{piece.args[0]}}}: no such warrant (the scenario issues: {known})"
            )


def query_name(record: Mapping[str, str]) -> str:
    """Records carry LAST,FIRST MIDDLE; a query names LAST,FIRST."""
    last, _, rest = record["NAM"].partition(",")
    return f"{last},{rest.split(' ')[0]}"


def fill(text: str, *, sender: str, warrants: Mapping[str, str], driver: DriverLookup) -> str:
    out: list[str] = []
    for piece in parse(text):
        if isinstance(piece, str):
            out.append(piece)
        elif piece.kind == "from":
            out.append(sender)
        elif piece.kind == "warrant":
            out.append(warrants[piece.args[0]])
        else:
            state, index, field = piece.args
            record = driver(state, int(index))
            if field == "NAME":
                out.append(query_name(record))
            elif field in record:
                out.append(record[field])
            else:
                raise PlaceholderError(f"driver {index} of {state} has no {field}")
    return "".join(out)
