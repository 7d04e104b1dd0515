"""Destinations with behaviour a test sets: slow, out of service, faulty,
and a spy that records what reached it."""

from __future__ import annotations

import asyncio

from switch.destinations.base import DestinationFault, OutOfService, StateAnswer
from switch.messages.model import QUERY_KEYS, RESPONSE_KEYS, Message
from switch.policy import Decision, Facts, Ruling


class FakeState:
    def __init__(
        self,
        state: str,
        *,
        delay: float = 0.0,
        out_of_service: bool = False,
        fault: bool = False,
        records: tuple[dict[str, str], ...] = (),
    ) -> None:
        self.state = state
        self.supports = QUERY_KEYS
        self.delay = delay
        self.out_of_service = out_of_service
        self.fault = fault
        self.records = records
        self.received: list[Message] = []

    async def query(self, message: Message) -> StateAnswer:
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.out_of_service:
            raise OutOfService(self.state)
        if self.fault:
            raise DestinationFault("garbled reply")
        return StateAnswer(RESPONSE_KEYS[message.key], self.records)

    async def aclose(self) -> None:
        return None


class DenyComponent:
    """A stand-in policy: deny one component everywhere, permit the rest."""

    def __init__(self, component: str) -> None:
        self.component = component

    def ruling(self, state: str, facts: Facts) -> Ruling:
        if facts.component == self.component:
            return Ruling(
                Decision(
                    effect="deny",
                    rules=("test-deny",),
                    reason=f"no data for {self.component}",
                    version="test",
                )
            )
        return Ruling(Decision(effect="permit", reason=None, version="test"))
