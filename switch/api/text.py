"""Text a JSON request body may carry. JSON can write half a character (a
lone surrogate, `"\\ud800"`); Python reads it into a str that no audit row,
database or UTF-8 reply can hold, so it is refused where the body is read.
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
