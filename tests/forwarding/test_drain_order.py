"""Queries waiting on a down state's kept ones resume in the order they came.

Each query used to sleep out the rest of `DRAIN_GAP` on its own timer, so a
later query whose timer fired first started the ask and went ahead of an
earlier one: the kept answers then came back out of order.
"""

from __future__ import annotations

import asyncio
from itertools import count
from types import SimpleNamespace
from typing import Any

import pytest

from switch.forwarding import forwarder as forwarding
from switch.forwarding.backlog import Backlog
from switch.forwarding.forwarder import DRAIN_GAP, Forwarder, RetryPolicy
from switch.forwarding.marks import ServiceMarks


def test_a_later_query_never_resumes_before_an_earlier_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first query reads the clock just after the last ask (a whole gap to
    # wait); the second just before the gap ends (almost none).
    readings = iter([100.0, 100.0 + DRAIN_GAP - 0.001])
    later = count(200)
    # The forwarder's clock only: the event loop keeps its own.
    clock = SimpleNamespace(monotonic=lambda: next(readings, next(later)))
    monkeypatch.setattr(forwarding, "time", clock)
    backlog = Backlog()
    backlog.add([("OR", "DQ")])
    forwarder = Forwarder(
        None,  # type: ignore[arg-type]
        SimpleNamespace(),  # type: ignore[arg-type]
        RetryPolicy(0.05, 0.01, 0.05, 3),
        None,  # type: ignore[arg-type]
        wait=1.0,
        marks=ServiceMarks(),
        backlog=backlog,
    )
    forwarder._drained_at["OR"] = 100.0
    asks: list[str] = []

    async def ask(*_: Any) -> None:  # the state is still down: nothing leaves
        asks.append("OR")
        await asyncio.sleep(0)

    monkeypatch.setattr(forwarder, "_work_state", lambda *a, **k: ask())
    monkeypatch.setattr(forwarder, "_read", lambda fn: _held())
    monkeypatch.setattr(forwarder, "_refresh_backlog", lambda *a: ask())

    async def _held() -> list[str]:
        return ["OR"]

    resumed: list[str] = []

    async def query(name: str) -> None:
        assert await forwarder.drain("OR", "DQ") is False
        resumed.append(name)

    async def main() -> None:
        first = asyncio.ensure_future(query("first"))
        await asyncio.sleep(0)  # the first is waiting before the second comes
        second = asyncio.ensure_future(query("second"))
        await asyncio.gather(first, second)

    asyncio.run(main())
    assert resumed == ["first", "second"]
    assert asks == ["OR", "OR"]  # one ask (work, then backlog), shared by both
