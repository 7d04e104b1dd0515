"""Where a query goes once policy permits it: a state DMV behind a small protocol.

Built-in simulators answer in-process; remote ones are reached over HTTP.
Tests plug in their own (slow, failing, out-of-service) by the same protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from switch.messages.model import Message


@dataclass(frozen=True, slots=True)
class StateAnswer:
    """A state's answer: the response key and its records; none = NOT ON FILE."""

    key: str
    records: tuple[Mapping[str, str], ...] = ()


class OutOfService(Exception):
    """The state is not taking this message type now."""


class DestinationFault(Exception):
    """The state answered, but not with anything the switch can read."""


class Destination(Protocol):
    state: str
    supports: frozenset[str]

    async def query(self, message: Message) -> StateAnswer: ...

    async def aclose(self) -> None: ...
