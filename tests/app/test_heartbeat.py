"""A hub heartbeat that fails (SQLite busy under heavy writes) is one warning
line, no traceback, and the next beat tries again."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import OperationalError

from switch.app import runtime as runtime_module
from switch.app.runtime import Runtime


class Instances:
    """Locked on the first beat, fine on the second."""

    def __init__(self) -> None:
        self.beats = 0
        self.second = asyncio.Event()

    def beat(self) -> None:
        self.beats += 1
        if self.beats == 1:
            locked = sqlite3.OperationalError("database is locked")
            raise OperationalError("UPDATE hub_instances SET seen_at=?", {}, locked)
        self.second.set()


def test_a_failed_beat_is_one_warning_line_and_is_retried(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(runtime_module, "BEAT_SECONDS", 0)
    instances = Instances()

    async def main() -> None:
        beating = asyncio.ensure_future(Runtime._beat(SimpleNamespace(instances=instances)))  # type: ignore[arg-type]
        await asyncio.wait_for(instances.second.wait(), timeout=5)
        beating.cancel()
        await asyncio.gather(beating, return_exceptions=True)

    with caplog.at_level(logging.WARNING, logger="switch.app.runtime"):
        asyncio.run(main())
    assert instances.beats >= 2  # the next beat came
    [record] = [r for r in caplog.records if "heartbeat" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None  # no traceback
    assert record.getMessage() == (
        "hub heartbeat failed, retried in 0s: (sqlite3.OperationalError) database is locked"
    )
