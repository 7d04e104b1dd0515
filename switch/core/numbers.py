"""Nlets input and output numbers: every output message a hub makes, a 429
included, takes the next one, wrapping at five digits."""

from __future__ import annotations

import itertools

WRAP = 100_000


class MessageNumbers:
    """One hub's numbering; shared by its router and its rate limiter."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)

    def next(self) -> int:
        return next(self._numbers) % WRAP
