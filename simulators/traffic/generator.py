"""The open-model generator: arrivals on a schedule, whatever the answers do.

A closed loop (send, wait for the answer, send again) slows down with the
system it measures and hides every stall: the requests it would have sent
during one never exist (coordinated omission). Here, as in k6's
constant-arrival-rate and Locust's open model, arrival `i` is due at
`t0 + offset[i]` and is fired at that moment as its own task, however many
earlier ones are still waiting. Latency is measured from the scheduled time
(what a caller arriving then would have seen) and also from the actual send;
a send more than `late_after` behind its schedule counts as late. Only a
bound on requests in flight (`max_in_flight`) ever skips an arrival, and the
skipped ones are counted as dropped.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field

from simulators.traffic.clock import Clock
from simulators.traffic.stats import Histogram
from switch.client import Reply, SwitchClientError

Arrival = tuple[str, str]  # (sender ORI, message text)
Send = Callable[[str, str], Awaitable[Reply]]  # (sender ORI, text) -> the hub's reply

UNANSWERED = "unanswered"  # still in flight when the drain time ran out


def constant_offsets(rate: float, duration: float) -> list[float]:
    """`rate * duration` arrivals, evenly spaced from 0."""
    if rate <= 0 or duration <= 0:
        raise ValueError("rate and duration must be positive")
    return [i / rate for i in range(round(rate * duration))]


def poisson_offsets(rate: float, duration: float, *, seed: int = 0) -> list[float]:
    """Arrivals of a Poisson process of `rate` per second over `duration` seconds."""
    if rate <= 0 or duration <= 0:
        raise ValueError("rate and duration must be positive")
    rng = random.Random(seed)
    offsets: list[float] = []
    t = rng.expovariate(rate)
    while t < duration:
        offsets.append(t)
        t += rng.expovariate(rate)
    return offsets


@dataclass(frozen=True, slots=True)
class Sample:
    """One request: when it was due, sent and answered (seconds from the run's
    start), what came back. `outcome` is the HTTP status, with the ER code for
    a refused message (`422 .19.`), or the transport failure (`ReadTimeout`)."""

    index: int
    sender: str
    key: str
    scheduled: float
    sent: float
    done: float
    outcome: str
    results: tuple[tuple[str, str, str], ...] = ()  # (destination, decision, status)

    @property
    def answered(self) -> bool:
        return self.outcome in ("200", "202")

    @property
    def latency(self) -> float:
        """From the scheduled time: free of coordinated omission."""
        return self.done - self.scheduled

    @property
    def service(self) -> float:
        """From the actual send."""
        return self.done - self.sent

    @property
    def lateness(self) -> float:
        return self.sent - self.scheduled


def sample_of(
    index: int, sender: str, text: str, scheduled: float, sent: float, done: float, reply: Reply
) -> Sample:
    outcome = str(reply.status_code)
    if reply.error is not None:
        outcome += f" {reply.error.code}"
    results = tuple((r.destination, r.decision, r.status) for r in reply.results)
    return Sample(index, sender, _key(text), scheduled, sent, done, outcome, results)


def failure_of(exc: SwitchClientError) -> str:
    if exc.status_code is not None:
        return str(exc.status_code)
    cause = exc.__cause__
    return type(cause).__name__ if cause is not None else "transport"


def _key(text: str) -> str:
    return text.split(".", 1)[0]


@dataclass(slots=True)
class Progress:
    """Running counts, for a live display; updated as requests end."""

    planned: int
    sent: int = 0
    answered: int = 0
    errors: int = 0
    dropped: int = 0
    late: int = 0
    in_flight: int = 0
    elapsed: float = 0.0
    latency: Histogram = field(default_factory=Histogram)  # ms from schedule
    _recent: deque[float] = field(default_factory=deque)

    @property
    def current_rate(self) -> float:
        """Sends in the last second."""
        return float(len(self._recent))

    def record_send(self, t: float) -> None:
        self.sent += 1
        self._recent.append(t)

    def advance(self, t: float) -> None:
        self.elapsed = t
        while self._recent and self._recent[0] <= t - 1.0:
            self._recent.popleft()


@dataclass(frozen=True, slots=True)
class Run:
    samples: tuple[Sample, ...]
    planned: int
    dropped: int
    elapsed: float  # from t0 to the last answer (or the end of the drain)
    interrupted: bool = False


class OpenModel:
    """Fires `send(sender, text)` for each arrival at `t0 + offset`."""

    def __init__(
        self,
        send: Send,
        *,
        clock: Clock,
        max_in_flight: int = 1000,
        late_after: float = 0.010,
        drain: float = 75.0,
        progress_every: float = 0.25,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self._send = send
        self._clock = clock
        self._max_in_flight = max_in_flight
        self._late_after = late_after
        self._drain = drain
        self._progress_every = progress_every
        self._on_progress = on_progress
        self._samples: list[Sample] = []
        self._tasks: dict[asyncio.Task[None], tuple[int, str, str, float, float]] = {}
        self._t0 = 0.0
        self._last_report: float | None = None
        self.progress = Progress(planned=0)

    async def run(self, arrivals: Iterator[Arrival], offsets: Iterable[float]) -> Run:
        schedule = list(offsets)
        self.progress = Progress(planned=len(schedule))
        self._samples = []
        self._last_report = None
        self._t0 = self._clock.now()
        interrupted = False
        try:
            await self._fire_all(arrivals, schedule)
            await self._wait_for_answers(deadline=(schedule[-1] if schedule else 0) + self._drain)
        except asyncio.CancelledError:
            # Ctrl-C: stop sending, and still report what was sent.
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            interrupted = True
        elapsed = self._now()
        await self._abandon(elapsed)
        self._report(force=True)
        samples = tuple(sorted(self._samples, key=lambda s: s.index))
        if samples:
            elapsed = max(s.done for s in samples)
        return Run(samples, len(schedule), self.progress.dropped, elapsed, interrupted)

    def _now(self) -> float:
        return self._clock.now() - self._t0

    async def _fire_all(self, arrivals: Iterator[Arrival], schedule: list[float]) -> None:
        for index, offset in enumerate(schedule):
            # The message is made before its moment, so making it costs no lateness.
            sender, text = next(arrivals)
            await self._clock.sleep_until(self._t0 + offset)
            if len(self._tasks) >= self._max_in_flight:
                self.progress.dropped += 1
            else:
                self._fire(index, sender, text, offset)
            self._report()

    def _fire(self, index: int, sender: str, text: str, scheduled: float) -> None:
        sent = self._now()
        self.progress.record_send(sent)
        if sent - scheduled > self._late_after:
            self.progress.late += 1
        task = asyncio.create_task(self._one(index, sender, text, scheduled, sent))
        self._tasks[task] = (index, sender, text, scheduled, sent)
        task.add_done_callback(self._tasks.pop)

    async def _one(self, index: int, sender: str, text: str, scheduled: float, sent: float) -> None:
        try:
            reply = await self._send(sender, text)
        except SwitchClientError as exc:
            outcome = failure_of(exc)
        except Exception as exc:  # a generator that loses requests would lie about the hub
            outcome = type(exc).__name__
        else:
            self._record(sample_of(index, sender, text, scheduled, sent, self._now(), reply))
            return
        self._record(Sample(index, sender, _key(text), scheduled, sent, self._now(), outcome))

    def _record(self, sample: Sample) -> None:
        self._samples.append(sample)
        if sample.answered:
            self.progress.answered += 1
        else:
            self.progress.errors += 1
        self.progress.latency.add(sample.latency * 1000.0)

    async def _wait_for_answers(self, deadline: float) -> None:
        while self._tasks and self._now() < deadline:
            await self._clock.sleep_until(self._t0 + min(self._now() + 0.02, deadline))
            self._report()

    async def _abandon(self, now: float) -> None:
        """Requests still out when the run ends are errors, never silently lost."""
        pending = [(task, what) for task, what in self._tasks.items() if not task.done()]
        for task, _ in pending:
            task.cancel()
        await asyncio.gather(*(task for task, _ in pending), return_exceptions=True)
        for task, (index, sender, text, scheduled, sent) in pending:
            if task.cancelled():
                self._record(Sample(index, sender, _key(text), scheduled, sent, now, UNANSWERED))

    def _report(self, *, force: bool = False) -> None:
        now = self._now()
        last = self._last_report
        if not force and last is not None and now - last < self._progress_every:
            return
        self._last_report = now
        self.progress.in_flight = len(self._tasks)
        self.progress.advance(now)
        if self._on_progress is not None:
            self._on_progress(self.progress)
