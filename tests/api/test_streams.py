"""The streams' lifetime (switch.api.streams): no item is handed over once
the stream's key stops working, and a key the database cannot vouch for
ends the stream too (fails closed)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi.sse import ServerSentEvent
from sqlalchemy import Engine, text

from switch.access.keys import RECHECK_SECONDS, KeyRing, digest, issue_key, revoke_key
from switch.api.streams import KeyWithdrawn, LiveStreams, StreamKey, StreamsClosed
from switch.db.database import migrate, open_engine
from tests.utils.clocks import FakeClock


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    opened = open_engine(database_url)
    migrate(opened)
    try:
        yield opened
    finally:
        opened.dispose()


def _held(engine: Engine, clock: FakeClock) -> tuple[StreamKey, str]:
    keys = KeyRing(engine, clock=clock.monotonic, wall=clock.wall, background=False)
    secret = issue_key(engine, admin_scope="*")
    return StreamKey(keys.resolve(secret), digest(secret), keys), keys.resolve(secret).key_id


def _get(streams: LiveStreams, queue: asyncio.Queue[str], key: StreamKey) -> str | None:
    async def get() -> str | None:
        return await streams.get(queue, 0.05, key)

    return asyncio.run(get())


def test_an_item_waiting_is_not_handed_over_once_the_key_is_revoked(engine: Engine) -> None:
    clock = FakeClock()
    key, key_id = _held(engine, clock)
    streams = LiveStreams(key_check_seconds=0.01)
    queue: asyncio.Queue[str] = asyncio.Queue()
    queue.put_nowait("before")
    assert _get(streams, queue, key) == "before"
    assert _get(streams, queue, key) is None  # nothing came within the timeout

    queue.put_nowait("after")
    revoke_key(engine, key_id)
    clock.now += RECHECK_SECONDS
    with pytest.raises(KeyWithdrawn) as ended:
        _get(streams, queue, key)
    assert ended.value.event == ServerSentEvent(event="end", data={"reason": "key revoked"})


def test_a_key_the_database_cannot_vouch_for_ends_the_stream(engine: Engine) -> None:
    clock = FakeClock()
    key, key_id = _held(engine, clock)
    revoke_key(engine, key_id)
    clock.now += RECHECK_SECONDS
    with pytest.raises(KeyWithdrawn):
        key.check()  # the ring has forgotten the key
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE api_keys"))
    clock.now += RECHECK_SECONDS  # past the refusal's cache: the ring must ask
    with pytest.raises(KeyWithdrawn) as ended:
        _get(LiveStreams(), asyncio.Queue(), key)
    assert ended.value.reason == "the key could not be checked: the database did not answer"


def test_a_stopping_hub_ends_its_streams_before_their_keys_are_asked_about(
    engine: Engine,
) -> None:
    key, _ = _held(engine, FakeClock())
    streams = LiveStreams()
    streams.close()
    with pytest.raises(StreamsClosed):
        _get(streams, asyncio.Queue(), key)
