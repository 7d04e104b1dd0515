"""The open-model generator on a virtual clock: no test here waits on wall time."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import httpx
import pytest

from simulators.traffic import (
    UNANSWERED,
    OpenModel,
    Progress,
    VirtualClock,
    constant_offsets,
    poisson_offsets,
)
from simulators.traffic.generator import Run
from switch.client import Reply, SwitchClientError

OK_BODY = {
    "id": "m",
    "key": "DQ",
    "ori": "NY0303000",
    "results": [
        {
            "destination": "WA",
            "decision": "permit",
            "rule": None,
            "reason": None,
            "policy_version": "v",
            "status": "answered",
            "latency_ms": 1.0,
            "response": None,
        }
    ],
}


def arrivals() -> Iterator[tuple[str, str]]:
    for n in itertools.count():
        yield "NY0303000", f"DQ.NY0303000.WA.*T{n}.TXTOLN/1"


class SlowHub:
    """Answers every message after `seconds` of virtual time; records when
    each send began."""

    def __init__(self, clock: VirtualClock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.sent_at: list[float] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def send(self, sender: str, text: str) -> Reply:
        self.sent_at.append(self.clock.now())
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await self.clock.sleep(self.seconds)
        self.in_flight -= 1
        return Reply.from_json(200, OK_BODY)


def run(model: OpenModel, offsets: list[float]) -> Run:
    return asyncio.run(model.run(arrivals(), offsets))


def test_constant_offsets_are_rate_times_duration_evenly_spaced() -> None:
    offsets = constant_offsets(50, 2)
    assert len(offsets) == 100
    assert offsets[:3] == [0.0, 0.02, 0.04] and offsets[-1] == pytest.approx(1.98)
    assert len(constant_offsets(200, 10)) == 2000
    with pytest.raises(ValueError):
        constant_offsets(0, 10)


def test_poisson_offsets_are_seeded_and_inside_the_duration() -> None:
    offsets = poisson_offsets(100, 100, seed=4)
    assert offsets == poisson_offsets(100, 100, seed=4) != poisson_offsets(100, 100, seed=5)
    assert offsets == sorted(offsets) and offsets[0] > 0 and offsets[-1] < 100
    assert len(offsets) == pytest.approx(10_000, rel=0.05)


def test_sends_keep_to_the_schedule_when_answers_are_slower_than_arrivals() -> None:
    """The open model: 50/s for 2 s while each answer takes 1.01 s (over 50
    intervals) is still 100 sends, each at its moment; a closed loop would
    manage 2."""
    clock = VirtualClock()
    hub = SlowHub(clock, seconds=1.01)
    offsets = constant_offsets(50, 2)
    result = run(OpenModel(hub.send, clock=clock), offsets)
    assert len(hub.sent_at) == len(result.samples) == 100
    assert hub.sent_at == pytest.approx(offsets)
    assert hub.most_in_flight == 51
    assert all(s.answered and s.lateness == 0 for s in result.samples)
    assert [s.latency for s in result.samples] == pytest.approx([1.01] * 100)
    assert (result.planned, result.dropped) == (100, 0)
    assert result.elapsed == pytest.approx(1.98 + 1.01)


class StalledClock(VirtualClock):
    """A clock whose first wake-up comes `stall` seconds late, as when the
    generator's event loop is busy."""

    def __init__(self, stall: float) -> None:
        super().__init__()
        self.stall = stall

    async def sleep_until(self, deadline: float) -> None:
        stall, self.stall = self.stall, 0.0
        await super().sleep_until(deadline + stall)


def test_latency_counts_from_the_schedule_not_the_send() -> None:
    """When the sender itself falls behind, the wait before sending is latency too."""
    clock = StalledClock(stall=0.25)
    hub = SlowHub(clock, seconds=0.1)
    model = OpenModel(hub.send, clock=clock, late_after=0.01)
    result = run(model, [0.0, 0.1, 0.2, 0.3])
    first, second, third, fourth = result.samples
    assert first.lateness == pytest.approx(0.25)
    assert (first.service, first.latency) == pytest.approx((0.1, 0.35))
    # The two arrivals due during the stall go out at once, late, then the schedule resumes.
    assert (second.lateness, third.lateness, fourth.lateness) == pytest.approx((0.15, 0.05, 0))
    assert model.progress.late == 3


def test_beyond_max_in_flight_arrivals_are_dropped_and_counted() -> None:
    clock = VirtualClock()
    hub = SlowHub(clock, seconds=100.0)
    model = OpenModel(hub.send, clock=clock, max_in_flight=10, drain=5.0)
    result = run(model, constant_offsets(50, 2))
    assert len(hub.sent_at) == 10
    assert (result.planned, result.dropped, len(result.samples)) == (100, 90, 10)
    # Never answered within the drain: reported, not lost.
    assert {s.outcome for s in result.samples} == {UNANSWERED}
    assert model.progress.errors == 10 and model.progress.answered == 0


def test_refusals_and_failures_are_outcomes() -> None:
    clock = VirtualClock()
    er = {"error": {"code": ".19.", "message": "bad", "er_text": ".19. X"}, "id": "e"}

    async def mixed(sender: str, text: str) -> Reply:
        n = int(text.split("*T")[1].split(".")[0])
        if n % 4 == 1:
            return Reply.from_json(422, er)
        if n % 4 == 2:
            raise SwitchClientError("audit down", status_code=503)
        if n % 4 == 3:
            try:
                raise httpx.ConnectError("refused")
            except httpx.ConnectError as exc:
                raise SwitchClientError("no answer") from exc
        return Reply.from_json(200, OK_BODY)

    result = run(OpenModel(mixed, clock=clock), constant_offsets(10, 2))
    outcomes = [s.outcome for s in result.samples]
    assert outcomes[:4] == ["200", "422 .19.", "503", "ConnectError"]
    assert sum(s.answered for s in result.samples) == 5
    assert result.samples[0].results == (("WA", "permit", "answered"),)


def test_progress_is_reported_while_running_and_at_the_end() -> None:
    clock = VirtualClock()
    hub = SlowHub(clock, seconds=0.5)
    seen: list[tuple[float, int, int]] = []

    def watch(progress: Progress) -> None:
        seen.append((progress.elapsed, progress.sent, progress.answered))

    model = OpenModel(hub.send, clock=clock, progress_every=0.25, on_progress=watch)
    run(model, constant_offsets(100, 1))
    assert seen[-1][1:] == (100, 100)
    assert len(seen) >= 4  # at least every 0.25 s of a 1.5 s run
    assert [e for e, _, _ in seen] == sorted(e for e, _, _ in seen)
    assert model.progress.latency.percentile(0.5) == pytest.approx(500, rel=0.02)
