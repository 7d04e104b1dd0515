"""One run: a profile's arrivals, sent to a hub over HTTP on a pooled async
client, one agency key per sender, and summed up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from simulators.traffic.clock import Clock, MonotonicClock
from simulators.traffic.generator import (
    OpenModel,
    Progress,
    constant_offsets,
    poisson_offsets,
)
from simulators.traffic.profiles import Profile
from simulators.traffic.stats import Summary, summarize
from simulators.traffic.transport import LeanTransport
from switch.client import AsyncSwitchClient, Reply
from switch.directory import Directory

ARRIVALS = ("constant", "poisson")


@dataclass(frozen=True, slots=True)
class Plan:
    profile: Profile
    rate: float  # arrivals per second
    duration: float  # seconds of arrivals
    seed: int = 0
    arrivals: str = "constant"  # constant | poisson
    wait: float | None = None  # seconds each message waits for its states; None: the hub's
    connections: int = 64
    max_in_flight: int = 1000
    late_after: float = 0.010
    dmv_seed: int = 0  # the hub's simulator seed, so queries meant to hit do

    def offsets(self) -> list[float]:
        if self.arrivals == "poisson":
            return poisson_offsets(self.rate, self.duration, seed=self.seed)
        if self.arrivals == "constant":
            return constant_offsets(self.rate, self.duration)
        raise ValueError(f"arrivals must be one of {', '.join(ARRIVALS)}")


def requester_component(directory: Directory) -> Callable[[str], str]:
    """A federal requester's component (`ICE-HSI`), else its ORION type (`PD`)."""

    def component(ori: str) -> str:
        agency = directory.get(ori)
        if agency is None:
            return "?"
        return agency.component or agency.type

    return component


async def drive(
    url: str,
    keys: Mapping[str, str],
    plan: Plan,
    *,
    directory: Directory | None = None,
    clock: Clock | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Summary:
    """Run `plan` against the hub at `url`, sending as the ORIs in `keys` only."""
    directory = directory or Directory.load()
    offsets = plan.offsets()
    arrivals = plan.profile.messages(
        directory, seed=plan.seed, dmv_seed=plan.dmv_seed, allowed=set(keys)
    )
    limits = httpx.Limits(
        max_connections=plan.connections, max_keepalive_connections=plan.connections
    )
    if transport is None and httpx.URL(url).scheme == "http":
        transport = LeanTransport(plan.connections)
    pool = AsyncSwitchClient(url, "", transport=transport, limits=limits)
    agencies = {ori: pool.with_key(key) for ori, key in keys.items()}
    # Requests beyond the pool wait here rather than in httpcore, whose pool
    # does work per queued request on every request (quadratic under load);
    # the wait still counts in latency from the scheduled time.
    free_connections = asyncio.Semaphore(plan.connections)

    async def send(sender: str, text: str) -> Reply:
        async with free_connections:
            return await agencies[sender].send(text, wait=plan.wait)

    generator = OpenModel(
        send,
        clock=clock or MonotonicClock(),
        max_in_flight=plan.max_in_flight,
        late_after=plan.late_after,
        on_progress=on_progress,
    )
    async with pool:
        run = await generator.run(arrivals, offsets)
    return summarize(
        run,
        profile=plan.profile.name,
        target_rate=plan.rate,
        duration=plan.duration,
        component_of=requester_component(directory),
        late_after=plan.late_after,
    )
