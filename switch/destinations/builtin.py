"""A built-in simulated DMV, answered in the hub's own process."""

from __future__ import annotations

import asyncio

from simulators.dmv import StateDMV
from switch.destinations.base import StateAnswer
from switch.messages.model import Message


class BuiltinDestination:
    def __init__(self, dmv: StateDMV) -> None:
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
        return StateAnswer(key=answer.key, records=answer.records)

    async def aclose(self) -> None:
        return None
