"""SQLite's WAL checkpoints, moved off the audit writer's commits.

By default the connection whose commit takes the write-ahead log past 1,000
pages copies it into the database file then and there, with an fsync: a
stall of tens of milliseconds in the middle of a group commit, which every
request in the batch waits out. The audit writer turns that off for its own
connections, and this thread checkpoints once a second instead (PASSIVE: it
copies what it can and never blocks the writer).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine

log = logging.getLogger("switch.audit")

INTERVAL_SECONDS = 1.0


def writer_connection(conn: Connection, tuned: set[int]) -> None:
    """Leave checkpoints to the WalCheckpointer on this (SQLite) connection."""
    raw = conn.connection.dbapi_connection
    if id(raw) not in tuned:
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        tuned.add(id(raw))


class WalCheckpointer:
    def __init__(self, engine: Engine, interval: float = INTERVAL_SECONDS) -> None:
        self._engine = engine
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.checkpoint()  # what the writer left, before the engine goes

    def checkpoint(self) -> None:
        try:
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # a busy or closed database: the next tick tries again
            log.exception("WAL checkpoint failed")

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.checkpoint()
