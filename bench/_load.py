"""Open-model load: requests sent at a fixed arrival rate, whatever the
server's pace, each timed from when it was due (so a server that falls
behind shows it in the latency, not by slowing the sender).

Runs in its own process so that its CPU is not the server's:
`python -m bench._load` reads a plan as JSON on standard input and prints one
line of JSON per step. The client is a bare asyncio protocol over kept-alive
HTTP/1.1 connections: the traffic generator's lean httpx transport costs
about 1.4 ms of CPU a request, which would cap a generator near 700 msg/s,
below the rates measured here.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import deque
from typing import Any, cast

import uvloop

TIMEOUT_SECONDS = 10.0
CONNECTIONS = 128


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future[int] | None = None
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(ConnectionError("closed mid-answer"))
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self._buffer[:end]).lower()
        start = head.find(b"content-length:")
        length = int(head[start + 15 : head.find(b"\r\n", start)]) if start >= 0 else 0
        if len(self._buffer) < end + 4 + length:
            return
        status = int(self._buffer[9:12])
        del self._buffer[: end + 4 + length]
        if self.answer is not None and not self.answer.done():
            self.answer.set_result(status)

    def send(self, request: bytes) -> asyncio.Future[int]:
        assert self.transport is not None
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.answer


class _Pool:
    """Kept-alive connections, at most `limit`; past that a request queues
    (still timed from when it was due), as behind a real client's pool."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self._host, self._port, self._limit = host, port, limit
        self._idle: deque[_Connection] = deque()
        self._waiting: deque[asyncio.Future[_Connection]] = deque()
        self.opened = 0

    async def take(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.transport is not None:
                return connection
            self.opened -= 1
        if self.opened >= self._limit:
            waiter: asyncio.Future[_Connection] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            return await waiter
        self.opened += 1
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(_Connection, self._host, self._port)
        return connection

    def give(self, connection: _Connection) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)


def _requests(plan: dict[str, Any]) -> list[bytes]:
    made = []
    # text/plain unless the plan says otherwise (application/xml for bench.hub's XML run).
    content_type = plan.get("content_type", "text/plain").encode()
    for key, body in plan["requests"]:
        data = body.encode()
        made.append(
            b"POST /v1/messages HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
            b"Content-Type: %s\r\nContent-Length: %d\r\n\r\n%s"
            % (plan["host"].encode(), key.encode(), content_type, len(data), data)
        )
    return made


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _step(pool: _Pool, requests: list[bytes], rate: float, seconds: float) -> dict[str, Any]:
    count = max(1, int(rate * seconds))
    latencies: list[float] = []
    failures = {"errors": 0, "non_2xx": 0}
    last_done = 0.0
    pending: set[asyncio.Task[None]] = set()
    start = time.perf_counter() + 0.05

    async def one(request: bytes, due: float) -> None:
        nonlocal last_done
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                connection = await pool.take()
                status = await connection.send(request)
        except (OSError, TimeoutError, ValueError):
            failures["errors"] += 1
            return
        done = time.perf_counter()
        pool.give(connection)
        last_done = max(last_done, done)
        latencies.append(done - due)
        if not 200 <= status < 300:
            failures["non_2xx"] += 1

    behind = 0.0
    for i in range(count):
        due = start + i / rate
        now = time.perf_counter()
        if due > now:
            await asyncio.sleep(due - now)
        else:
            behind = max(behind, now - due)
        task = asyncio.create_task(one(requests[i % len(requests)], due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending)
    span = max(last_done, start + (count - 1) / rate) - start
    ms = [x * 1000 for x in latencies]
    return {
        "offered_per_s": rate,
        "sent": count,
        "answered": len(latencies),
        "achieved_per_s": round(len(latencies) / span, 1) if span > 0 else 0.0,
        "p50_ms": round(percentile(ms, 0.50), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
        "max_ms": round(max(ms), 2) if ms else None,
        "generator_behind_ms": round(behind * 1000, 2),
        "connections": pool.opened,
        **failures,
    }


async def run(plan: dict[str, Any]) -> None:
    pool = _Pool(plan["host"], plan["port"], int(plan.get("connections", CONNECTIONS)))
    requests = _requests(plan)
    for step in plan["steps"]:
        result = await _step(pool, requests, float(step["rate"]), float(step["seconds"]))
        result["label"] = step.get("label", "")
        print(json.dumps(result), flush=True)
        await asyncio.sleep(0.3)


def main() -> None:
    plan = json.loads(sys.stdin.read())
    uvloop.run(run(plan))


if __name__ == "__main__":
    main()
