"""The mock state's errors, one tree::

MockStateError
├── FaultSpecError      a fault that cannot be read (API: 422)
├── RecordsFileError    a records fixture that cannot be loaded
└── AdminError          the admin API refused a call (MockStateControl)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError


class MockStateError(Exception):
    """Base of every error the mock state raises on purpose."""


class FaultSpecError(MockStateError, ValueError):
    """A fault written in a way that cannot be read; the message says why."""


class RecordsFileError(MockStateError, ValueError):
    """A fixture file that cannot be loaded; the message names file and reason."""


class AdminError(MockStateError):
    """The admin API answered with an error; `status` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


def describe(error: ValidationError) -> str:
    """One line for all of a validation error's problems: `where: what; ...`."""
    return "; ".join(problems(error.errors()))


def problems(errors: Iterable[Mapping[str, Any]], *, skip: str | None = None) -> list[str]:
    """`where: what` for each error; `skip` drops a leading location part (`body`)."""
    found = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if skip is not None and loc[:1] == (skip,):
            loc = loc[1:]
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        found.append(f"{location(loc) or 'value'}: {message}")
    return found


def location(loc: tuple[int | str, ...]) -> str:
    """`("drivers", 0, "NAM")` -> `drivers[0].NAM`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text
