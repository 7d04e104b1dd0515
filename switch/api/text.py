"""Text a request may carry. JSON can write half a character (a lone
surrogate, `"\\ud800"`); Python reads it into a str that no audit row,
database or UTF-8 reply can hold, so it is refused where the body is read.
A query value that goes to the database as it is may not hold a NUL:
PostgreSQL refuses one and SQLite keeps it, so it is refused here and both
answer 422 alike.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _whole_characters(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be Unicode text: a \\u escape names half a character") from None
    return value


Text = Annotated[str, AfterValidator(_whole_characters)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not hold a NUL character")
    return value


QueryText = Annotated[str, AfterValidator(_no_nul)]
