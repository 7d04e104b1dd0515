"""A circuit breaker around a destination: a state that keeps failing is not
waited on, and the queries meant for it are answered at once.

    closed  -- `failures` faults in a row, within `window_seconds` -->  open
    open    -- `reset_seconds` later, the next query goes through -->  half-open
    half-open: that one trial query is sent, the rest fail fast;
               an answer closes the circuit, a fault opens it again.

Faults are what a broken line does: DestinationFault, TimeoutError (the
destination's own time limit), OSError (connection errors), and the hub
hanging up on a query that missed its wait. OutOfService is the state's own
word on its status, given promptly: an answer, not a fault.

While open, `query` raises CircuitOpen. It is a TimeoutError, so the router
reports `no_response`, as for a state that did not answer in time, only
without the wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from switch.destinations.base import Destination, DestinationFault, OutOfService, StateAnswer
from switch.messages.model import Message

CircuitStatus = Literal["closed", "open", "half_open"]

# OSError covers TimeoutError and ConnectionError.
FAULTS = (DestinationFault, OSError)


class CircuitOpen(TimeoutError):
    """The state's circuit is open: the query was not sent."""


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    failures: int = 5
    window_seconds: float = 60.0
    reset_seconds: float = 10.0

    def __post_init__(self) -> None:
        if self.failures < 1 or self.window_seconds <= 0 or self.reset_seconds <= 0:
            raise ValueError(f"a breaker needs failures >= 1 and positive times, not {self}")


class CircuitBreaker:
    """A Destination that wraps another; `clock` is monotonic seconds."""

    def __init__(
        self,
        destination: Destination,
        policy: BreakerPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.destination = destination
        self.state = destination.state
        self.supports = destination.supports
        self.policy = policy or BreakerPolicy()
        self._clock = clock
        self._failures = 0  # in a row, since `_run_started`
        self._run_started = 0.0
        self._opened_at: float | None = None
        self._trial = False  # the half-open trial is in flight

    def __repr__(self) -> str:
        return f"CircuitBreaker({self.destination!r}, {self.status})"

    @property
    def status(self) -> CircuitStatus:
        if self._opened_at is None:
            return "closed"
        if self._trial or self._clock() - self._opened_at >= self.policy.reset_seconds:
            return "half_open"
        return "open"

    async def query(self, message: Message) -> StateAnswer:
        trial = self._admit()
        try:
            answer = await self.destination.query(message)
        except OutOfService:
            self._answered()
            raise
        except (*FAULTS, asyncio.CancelledError):
            # CancelledError: the hub hung up on a query that missed its wait.
            self._faulted(trial)
            raise
        except BaseException:
            # Not the state's doing (a bug, a shutdown): decides nothing.
            if trial:
                self._trial = False
            raise
        self._answered()
        return answer

    async def aclose(self) -> None:
        await self.destination.aclose()

    def _admit(self) -> bool:
        """Whether this query is the half-open trial; CircuitOpen if it may not go."""
        status = self.status
        if status == "closed":
            return False
        if status == "half_open" and not self._trial:
            self._trial = True
            return True
        raise CircuitOpen(f"{self.state}: circuit open after {self.policy.failures} faults")

    def _answered(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial = False

    def _faulted(self, trial: bool) -> None:
        now = self._clock()
        if trial:
            self._trial = False
            self._opened_at = now
            return
        if self._opened_at is not None:
            return  # a query sent before the circuit opened: it is open already
        if self._failures == 0 or now - self._run_started > self.policy.window_seconds:
            self._failures, self._run_started = 0, now
        self._failures += 1
        if self._failures >= self.policy.failures:
            self._opened_at = now
