"""A built-in simulated DMV, answered in the hub's own process.

The simulator itself (simulators.dmv.StateDMV) is handed in by whoever builds
the hub (switch.app.simulated): this layer knows it only by the `Simulator`
protocol below, so destinations never import the simulators."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Protocol

from switch.destinations.base import StateAnswer
from switch.messages.model import Message


class SimulatedAnswer(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def records(self) -> Sequence[Mapping[str, str]]: ...


class Simulator(Protocol):
    """A DMV answering in-process: records generated, names indexed on `warm`."""

    state: str
    supports: frozenset[str]

    @property
    def indexed(self) -> bool: ...

    def warm(self) -> None: ...

    def answer(self, key: str, fields: Mapping[str, str]) -> SimulatedAnswer: ...


class BuiltinDestination:
    def __init__(self, dmv: Simulator) -> None:
        self._dmv = dmv
        self.state = dmv.state
        self.supports = dmv.supports

    def warm(self) -> None:
        self._dmv.warm()

    async def query(self, message: Message) -> StateAnswer:
        if self._dmv.indexed:
            # Answering is a few microseconds of CPU: no thread hop is worth it.
            answer = self._dmv.answer(message.key, message.fields)
        else:
            # A cold name index takes tens of milliseconds to build: keep the
            # event loop (and every other query) moving meanwhile.
            answer = await asyncio.to_thread(self._dmv.answer, message.key, message.fields)
        return StateAnswer(key=answer.key, records=tuple(answer.records))

    async def aclose(self) -> None:
        return None
