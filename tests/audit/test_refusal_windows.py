"""Refusals of requests with no good key, counted per (client, reason) over a
window and written as one record each: exact counts, nothing lost, driven by
a fake clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from switch.audit.records import AuditRecord
from switch.audit.refusal_windows import RefusalWindows

T0 = datetime(2026, 11, 27, 12, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return T0 + timedelta(seconds=self.now)


class Written:
    """A writer that keeps what it is given."""

    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    async def __call__(self, record: AuditRecord) -> None:
        self.records.append(record)


def _windows(seconds: float = 2.0, **kwargs: int) -> tuple[RefusalWindows, FakeClock, Written]:
    clock, written = FakeClock(), Written()
    windows = RefusalWindows(written, seconds=seconds, clock=clock, wall=clock.wall, **kwargs)
    return windows, clock, written


def _bad_key(windows: RefusalWindows, n: int, client: str = "10.0.0.7") -> str:
    return windows.add(
        client=client,
        status=401,
        reason="unknown key",
        detail="unknown key",
        who=f"unknown:{n:012x}",
        target="GET /v1/agencies",
    )


def test_a_burst_of_1500_bad_keys_is_one_record_with_the_exact_count() -> None:
    windows, clock, written = _windows()
    ids = set()
    for n in range(1500):  # 1,500 in 1.5 s: one window
        clock.now = n / 1000
        ids.add(_bad_key(windows, n))
    assert windows.due() == []  # the window is still open
    clock.now = 2.0
    asyncio.run(windows.flush_due())
    [record] = written.records
    assert ids == {record.id}  # every reply named the record that counts it
    assert (record.count, record.http_status, record.outcome) == (1500, 401, "refused")
    assert (record.client, record.identity, record.detail) == (
        "10.0.0.7",
        "unknown:*",
        "unknown key",
    )
    assert (record.raw, record.received_at) == ("GET /v1/agencies", T0)
    assert windows.open == 0


def test_windows_are_per_client_and_reason_and_a_known_key_is_its_own() -> None:
    windows, _, written = _windows()
    _bad_key(windows, 1, client="10.0.0.7")
    _bad_key(windows, 2, client="10.0.0.8")
    windows.add(
        client="10.0.0.7",
        status=401,
        reason="missing bearer key",
        detail="missing bearer key",
        who="anonymous",
        target="GET /v1/audit",
    )
    for _ in range(3):
        windows.add(
            client="10.0.0.7",
            status=401,
            reason="key revoked",
            detail="key revoked",
            who="a1b2c3d4e5f6/NY0303000",
            target="GET /v1/mailbox",
            known=True,
            sender_ori="NY0303000",
        )
    assert windows.open == 4
    asyncio.run(windows.close())
    found = {(r.client, r.detail): (r.identity, r.sender_ori, r.count) for r in written.records}
    assert found == {
        ("10.0.0.7", "unknown key"): ("unknown:000000000001", None, 1),
        ("10.0.0.8", "unknown key"): ("unknown:000000000002", None, 1),
        ("10.0.0.7", "missing bearer key"): ("anonymous", None, 1),
        ("10.0.0.7", "key revoked"): ("a1b2c3d4e5f6/NY0303000", "NY0303000", 3),
    }


def test_stopping_writes_every_open_window() -> None:
    windows, clock, written = _windows(seconds=60.0)

    async def serve_then_stop() -> None:
        windows.start()
        for n in range(40):
            clock.now = n / 10
            _bad_key(windows, n)
        assert written.records == []  # the window has not ended
        await windows.close()

    asyncio.run(serve_then_stop())
    assert [r.count for r in written.records] == [40]


def test_too_many_open_windows_write_the_oldest_early() -> None:
    windows, _, written = _windows(max_open=3)
    for n in range(5):
        _bad_key(windows, n, client=f"10.0.0.{n}")
    asyncio.run(windows.flush_due())
    assert [r.client for r in written.records] == ["10.0.0.0", "10.0.0.1"]
    assert windows.open == 3


def test_a_write_that_fails_is_logged_and_the_rest_written() -> None:
    clock = FakeClock()
    kept: list[AuditRecord] = []

    async def flaky(record: AuditRecord) -> None:
        if record.client == "10.0.0.1":
            raise RuntimeError("audit away")
        kept.append(record)

    windows = RefusalWindows(flaky, clock=clock, wall=clock.wall)
    _bad_key(windows, 1, client="10.0.0.1")
    _bad_key(windows, 2, client="10.0.0.2")
    asyncio.run(windows.close())
    assert [r.client for r in kept] == ["10.0.0.2"] and windows.written == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=0.5),  # seconds since the previous attempt
            st.sampled_from(["10.0.0.1", "10.0.0.2", "10.0.0.3"]),
            st.sampled_from(["unknown key", "missing bearer key"]),
        ),
        max_size=300,
    ),
    st.floats(min_value=0.1, max_value=5.0),
)
def test_no_attempt_goes_uncounted(attempts: list[tuple[float, str, str]], seconds: float) -> None:
    windows, clock, written = _windows(seconds=seconds)
    expected: dict[tuple[str, str], int] = {}

    async def run() -> None:
        for n, (gap, client, reason) in enumerate(attempts):
            clock.now += gap
            await windows.flush_due()
            windows.add(
                client=client,
                status=401,
                reason=reason,
                detail=reason,
                who=f"unknown:{n}",
                target="x",
            )
            expected[(client, reason)] = expected.get((client, reason), 0) + 1
        await windows.close()

    asyncio.run(run())
    counted: dict[tuple[str, str], int] = {}
    for record in written.records:
        assert record.client is not None and record.detail is not None
        key = (record.client, record.detail)
        counted[key] = counted.get(key, 0) + (record.count or 0)
    assert counted == expected
    # At most one record per (client, reason) per window the attempts span.
    span = clock.now
    assert len(written.records) <= len(expected) * (int(span / seconds) + 2)
