"""The router: where each message goes, what each state's policy says,
and what comes back.

Destinations are resolved whole before anything is sent: one bad destination
rejects the message with an ER and nothing is delivered anywhere.

A region code (switch.directory.regions) stands for the states in it: a
DQG or RQG to a region is one DQ or RQ leg per state, each decided by that
state's policy and answered apart (no NL-style merge). A DQ or RQ sent to a
region without the G is handled at lower priority (switch.core.regional).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from switch.clock import Clock, utc_now
from switch.core.numbers import MessageNumbers
from switch.core.regional import LOW, NORMAL, names_region, region_legs
from switch.core.service import BacklogView, NoBacklog, ServiceView, Unmarked
from switch.core.texts import REMOVED, WILL_FORWARD, WILL_NOT_FORWARD, refusal_text
from switch.destinations.base import Destination, DestinationFault, OutOfService, StateAnswer
from switch.directory import Directory
from switch.directory.jurisdictions import dmv_ori
from switch.directory.model import Agency
from switch.directory.regions import Region, shipped_regions
from switch.errors import InvalidDestination, NotAllowed
from switch.messages import render
from switch.messages.model import (
    MULTI_STATE,
    SWITCH_ORI,
    Message,
    OutputMessage,
)
from switch.policy import Decision, Facts, PolicyDecider
from switch.policy.decision import EnforcedAt
from switch.policy.refusals import NO_REFUSALS, Refusals


@dataclass(slots=True)
class DestinationResult:
    destination: str
    state: str | None
    decision: Decision
    status: str  # answered | rejected | no_response | out_of_service | delivered | fault
    response: OutputMessage | None = None
    latency_ms: float = 0.0
    # Shadow mode: what the state's candidate policy decided, never enforced.
    shadow: Decision | None = None
    # A query still running after the wait, when late answers are kept.
    late: asyncio.Future[StateAnswer] | None = None
    # Out of service with .02.: the switch keeps the query to forward later.
    kept: bool = False
    # The response as reply JSON, rendered once for the reply and the audit.
    rendered: dict[str, Any] | None = None

    @property
    def hit(self) -> bool:
        return self.response is not None and bool(self.response.records)

    @property
    def refused_by(self) -> EnforcedAt | None:
        """Where the state's policy refused the query (nlets, state-switch,
        dmv); None when it was not refused."""
        if self.status != "rejected" or self.decision.permitted:
            return None
        return self.decision.enforced_at


@dataclass(slots=True)
class RouteResult:
    results: list[DestinationResult]
    multi_state: bool = False
    warrant: str | None = "none"
    priority: str = NORMAL

    def visible(self) -> list[DestinationResult]:
        """What the sender sees: an NL query suppresses its NO HITs."""
        if not self.multi_state:
            return self.results
        return [r for r in self.results if r.status != "answered" or r.hit]

    def summary(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {"hit": [], "no_hit": [], "no_response": [], "denied": []}
        for r in self.results:
            if r.decision.effect == "deny":
                groups["denied"].append(r.destination)
            elif r.status == "answered":
                groups["hit" if r.hit else "no_hit"].append(r.destination)
            else:
                groups["no_response"].append(r.destination)
        return groups


_DELIVERED = Decision(effect="permit", reason="administrative message", version="none")


class Router:
    def __init__(
        self,
        directory: Directory,
        destinations: Mapping[str, Destination],
        decider: PolicyDecider,
        *,
        clock: Clock = utc_now,
        late_answer_seconds: float = 0.0,
        marks: ServiceView | None = None,
        backlog: BacklogView | None = None,
        numbers: MessageNumbers | None = None,
        regions: Mapping[str, Region] | None = None,
    ) -> None:
        """`marks`: which states an admin marked out of service or removed;
        `backlog`: which still have queries kept, that a new one waits behind
        (both owned by switch.forwarding); `numbers`: the hub's numbering;
        `regions`: the region codes (default: the shipped ones)."""
        self.directory = directory
        self.regions = shipped_regions() if regions is None else regions
        self.destinations = destinations
        self.decider = decider
        self._clock = clock
        # How long a query that missed its wait may still answer (0: hang up).
        self.late_answer_seconds = late_answer_seconds
        self.marks: ServiceView = marks or Unmarked()
        self.backlog: BacklogView = backlog or NoBacklog()
        self.numbers = numbers or MessageNumbers()

    async def route(
        self,
        message: Message,
        requester: Agency,
        *,
        wait: float,
        warrant: str | None = "none",
        at: datetime | None = None,
        refusals: Refusals = NO_REFUSALS,
    ) -> RouteResult:
        """`warrant` is what the court registry said of the cited WRT/ (None:
        it could not be asked); `at` is when the message arrived; `refusals`
        what the index of recent refusals holds of its subject (None: it
        could not be read)."""
        if message.key == "AM":
            return RouteResult(self._deliver_am(message))
        states, multi = self.resolve_states(message)
        # The same facts for every state the message goes to.
        facts = Facts(requester, message, warrant, at or self._clock(), refusals)
        if self.low_priority(message):
            results = await self._in_turn(states, message, facts, wait)
            return RouteResult(results, multi_state=multi, warrant=warrant, priority=LOW)
        if len(states) == 1:
            results = [await self.query_state(states[0], message, facts, wait)]
        else:
            results = list(
                await asyncio.gather(*(self.query_state(s, message, facts, wait) for s in states))
            )
        return RouteResult(results, multi_state=multi, warrant=warrant)

    def resolve_states(self, message: Message) -> tuple[list[tuple[str, str]], bool]:
        """[(destination as written, state)], and whether it was an NL query."""
        original = render(message)
        if message.destinations == (MULTI_STATE,):
            states = [
                (state, state)
                for state, dest in self.destinations.items()
                if message.key in dest.supports
            ]
            return states, True
        resolved: list[tuple[str, str]] = []
        in_regions: set[str] = set()
        for dest in message.destinations:
            if len(dest) == 2:
                if dest not in self.destinations:
                    legs = region_legs(self.regions.get(dest), dest, message, self.destinations)
                    in_regions.update(state for _, state in legs)
                    resolved.extend(legs)
                    continue
                state = dest
            else:
                agency = self.directory.get(dest)
                if agency is None:
                    raise InvalidDestination(f"unknown ORI {dest}", original)
                if dest != dmv_ori(agency.state) or agency.state not in self.destinations:
                    raise NotAllowed(f"{dest} does not answer {message.key}", original)
                state = agency.state
            if message.key not in self.destinations[state].supports:
                raise NotAllowed(f"{state} does not answer {message.key}", original)
            resolved.append((dest, state))
        if in_regions:
            # A state reached through a region and named as well would be asked twice.
            named = [state for _, state in resolved]
            for state in sorted(in_regions):
                if named.count(state) > 1:
                    raise InvalidDestination(f"{state} given twice, once in a region", original)
        return resolved, False

    def fans_out(self, message: Message) -> bool:
        """Whether the message goes to more states than it names: NL or a region."""
        return message.key != "AM" and (
            message.destinations == (MULTI_STATE,)
            or names_region(message, self.regions, self.destinations)
        )

    def low_priority(self, message: Message) -> bool:
        """A DQ or RQ sent to a region code without the G (see LOW)."""
        return not message.regional and names_region(message, self.regions, self.destinations)

    async def _in_turn(
        self, states: list[tuple[str, str]], message: Message, facts: Facts, wait: float
    ) -> list[DestinationResult]:
        """The legs of a low-priority query, one after another within one wait."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        results: list[DestinationResult] = []
        for target in states:
            left = deadline - loop.time()
            if left > 0:
                results.append(await self.query_state(target, message, facts, left))
            else:
                results.append(self._out_of_time(target, message, facts))
        return results

    def _out_of_time(
        self, target: tuple[str, str], message: Message, facts: Facts
    ) -> DestinationResult:
        """A leg the wait ran out before: not sent, so not answered; a denial
        is still one (its ER owes the state nothing)."""
        ruling = self.decider.ruling(target[1], facts)
        response = (
            None if ruling.decision.permitted else self._denial(message, target[1], ruling.decision)
        )
        status = "no_response" if response is None else "rejected"
        return DestinationResult(
            target[0], target[1], ruling.decision, status, response, 0.0, ruling.shadow
        )

    async def query_state(
        self,
        target: tuple[str, str],
        message: Message,
        facts: Facts,
        wait: float,
        *,
        from_queue: bool = False,
    ) -> DestinationResult:
        """`from_queue`: the forwarder sending a kept query, which may go
        ahead of the backlog it belongs to."""
        started = time.perf_counter()
        ruling = self.decider.ruling(target[1], facts)
        result = await self._send(target, message, ruling.decision, wait, from_queue, started)
        # The shadow decision goes with the result, beside the enforced one.
        result.shadow = ruling.shadow
        return result

    async def _send(
        self,
        target: tuple[str, str],
        message: Message,
        decision: Decision,
        wait: float,
        from_queue: bool,
        started: float,
    ) -> DestinationResult:
        dest_name, state = target
        if not decision.permitted:
            # INVARIANT: a denied query never reaches the state.
            er = self._denial(message, state, decision)
            return DestinationResult(dest_name, state, decision, "rejected", er, _ms(started))
        if self.marks.is_removed(state, message.key):
            sm = self.removed_status(message, state)
            return DestinationResult(dest_name, state, decision, "out_of_service", sm, _ms(started))
        if self.marks.is_out(state, message.key) or (
            not from_queue
            and self.backlog.holds(state, message.key)
            and not await self.backlog.drained(state, message.key, wait)
        ):
            return self._kept(dest_name, state, message, decision, started)
        destination = self.destinations[state]
        task = asyncio.ensure_future(destination.query(message))
        try:
            done, _ = await asyncio.wait({task}, timeout=wait)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if not done:
            late: asyncio.Future[StateAnswer] | None = task
            if self.late_answer_seconds <= 0:
                task.cancel()  # hang up: the state stops holding the query
                await asyncio.gather(task, return_exceptions=True)
                late = None
            result = DestinationResult(
                dest_name, state, decision, "no_response", None, _ms(started)
            )
            result.late = late
            return result
        try:
            answer = task.result()
        except TimeoutError:  # the destination's own time limit
            return DestinationResult(dest_name, state, decision, "no_response", None, _ms(started))
        except OutOfService:
            return self._kept(dest_name, state, message, decision, started)
        except DestinationFault as fault:
            sm = self.status_message(message, f"STATE FAULT {state}: {fault}".upper())
            return DestinationResult(dest_name, state, decision, "fault", sm, _ms(started))
        reply = self.answer(message, state, answer, decision)
        return DestinationResult(dest_name, state, decision, "answered", reply, _ms(started))

    def _kept(
        self, dest_name: str, state: str, message: Message, decision: Decision, started: float
    ) -> DestinationResult:
        sm = self.status_message(message, self._status_text(WILL_FORWARD, state, message))
        result = DestinationResult(dest_name, state, decision, "out_of_service", sm, _ms(started))
        result.kept = True
        return result

    def answer(
        self, message: Message, state: str, answer: StateAnswer, decision: Decision
    ) -> OutputMessage:
        records = answer.records
        note = ""
        if decision.redact and records:
            withheld = set(decision.redact)
            records = tuple({k: v for k, v in r.items() if k not in withheld} for r in records)
            note = "FIELDS WITHHELD BY POLICY: " + ",".join(decision.redact)
        return self._output(answer.key, dmv_ori(state), message, note, records)

    def _denial(self, message: Message, state: str, decision: Decision) -> OutputMessage:
        """The refusal the sender gets, from where the state's policy is enforced."""
        said = refusal_text(message, state, decision, self.directory)
        return self._output(said.key, said.sender, message, said.body, refusal=said.by_dmv)

    def no_response_status(self, message: Message, state: str) -> OutputMessage:
        """The SM a sender's mailbox gets for a state that did not answer."""
        return self.status_message(message, self._status_text(WILL_NOT_FORWARD, state, message))

    def removed_status(self, message: Message, state: str) -> OutputMessage:
        """The SM for a state on remove status: nothing is kept; send again."""
        return self.status_message(message, self._status_text(REMOVED, state, message))

    @staticmethod
    def _status_text(status: str, state: str, message: Message) -> str:
        return f"{status}\n{state} {message.key}\n{render(message)[:100]}"

    def status_message(self, message: Message, text: str) -> OutputMessage:
        """An SM from the switch to the sender of `message`."""
        return self._output("SM", SWITCH_ORI, message, text)

    def _output(
        self,
        key: str,
        sender: str,
        message: Message,
        body: str,
        records: tuple[Mapping[str, str], ...] = (),
        to: str | None = None,
        *,
        refusal: bool = False,
    ) -> OutputMessage:
        return OutputMessage(
            key=key,
            to=to or message.ori,
            sender=sender,
            body=body,
            timestamp=self._clock(),
            input_number=self.numbers.next(),
            output_number=self.numbers.next(),
            control=message.control,
            records=records,
            refusal=refusal,
        )

    def _deliver_am(self, message: Message) -> list[DestinationResult]:
        original = render(message)
        results: list[DestinationResult] = []
        for dest in message.destinations:
            if dest == MULTI_STATE:
                raise NotAllowed("AM cannot be sent to NL", original)
            if len(dest) == 2:
                if dest not in self.destinations:
                    raise InvalidDestination(f"no such state {dest}", original)
                to = self.directory.control_terminal(dest).ori
                state: str | None = dest
            else:
                agency = self.directory.get(dest)
                if agency is None:
                    raise InvalidDestination(f"unknown ORI {dest}", original)
                to, state = dest, agency.state
            body = message.fields.get("TXT", "")
            out = self._output("AM", message.ori, message, body, to=to)
            results.append(DestinationResult(dest, state, _DELIVERED, "delivered", out))
        return results


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
