"""Where a demo keeps its audit database and agency keys, and how a running
demo's files are kept from every other demo.

Each run has a folder of its own under `.switch/demo/` (or the file the
trainer names), and holds an exclusive lock on it for as long as it runs.
The lock is the only test of "running": it dies with the process, so a
crashed demo never leaves its folder claimed.

    start ──► sweep: remove every run folder whose lock is free
          ──► make a new folder and lock it (both under the root's lock,
              so no sweep ever sees a folder before it is claimed)
          ──► run ──► exit: the lock is released, the folder stays for
                      `switch audit` until the next demo starts

# INVARIANT: a file is removed only by a process holding its run's lock, so
# the files of a demo that is running are never removed.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from switch.db.locations import CHECKPOINTS_NAME

DEMO_ROOT = Path(".switch/demo")
RUN_PREFIX = "run-"


class DemoFilesBusy(Exception):
    """The database named belongs to a demo that is still running."""


@dataclass(frozen=True, slots=True)
class DemoFiles:
    database: Path
    # JSON {ORI: agency key}: what `switch sim traffic --keys` reads.
    keys: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    def write_keys(self, keys: dict[str, str]) -> None:
        # Agency keys are secrets even in a demo: readable by their owner only.
        descriptor = os.open(self.keys, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w", encoding="utf-8") as out:
            json.dump(keys, out, indent=0, sort_keys=True)


@contextmanager
def claim_files(database: Path | None = None, *, root: Path = DEMO_ROOT) -> Iterator[DemoFiles]:
    """The files of one run, locked until the block ends: a new folder under
    `root`, or `database` made afresh (refused if a running demo holds it)."""
    if database is not None:
        with _claimed(database) as files:
            yield files
        return
    root.mkdir(parents=True, exist_ok=True)
    with _held(root / ".lock"):
        _sweep(root)
        folder = Path(tempfile.mkdtemp(prefix=RUN_PREFIX, dir=root))
        lock = _try_lock(folder / "lock")
    assert lock is not None  # a folder made under the root's lock is nobody else's
    try:
        yield DemoFiles(folder / "demo.db", folder / "keys.json")
    finally:
        lock.close()


@contextmanager
def _claimed(database: Path) -> Iterator[DemoFiles]:
    database.parent.mkdir(parents=True, exist_ok=True)
    lock = _try_lock(database.with_name(f"{database.name}.lock"))
    if lock is None:
        raise DemoFilesBusy(
            f"{database} belongs to a demo that is still running; "
            "stop it, or give this one another --database"
        )
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        # The last run's checkpoints vouch for an audit that is gone (switch.db.locations).
        database.with_name(f"{database.stem}-{CHECKPOINTS_NAME}").unlink(missing_ok=True)
        yield DemoFiles(database, database.with_name(f"{database.stem}.keys.json"))
    finally:
        lock.close()


def _sweep(root: Path) -> None:
    """Remove the folders of demos that have ended."""
    for folder in sorted(root.glob(f"{RUN_PREFIX}*")):
        if not folder.is_dir():
            continue
        lock = _try_lock(folder / "lock")
        if lock is None:
            continue  # running
        try:
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            lock.close()


def _try_lock(path: Path) -> IO[str] | None:
    """An open file holding an exclusive lock on `path`, or None if another
    open file (in any process, this one included) holds it."""
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - the lock lives as long as it
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


@contextmanager
def _held(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` for the block, waiting for it if need be."""
    with open(path, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
