"""Mock states as real processes (`python -m simulators.mockstate`): started
together, each wait on one bounded, each stopped in a `finally`."""

from __future__ import annotations

import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from switch.serving.server import free_port

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60.0
STOP_SECONDS = 15.0


def _ready_line(proc: subprocess.Popen[str]) -> str:
    """The first line on the process's stderr, within START_SECONDS."""
    assert proc.stderr is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stderr, selectors.EVENT_READ)
        if not selector.select(timeout=START_SECONDS):
            raise AssertionError("the mock state printed nothing")
    return proc.stderr.readline().strip()


def stop(proc: subprocess.Popen[str]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_SECONDS)
    return proc.returncode


@contextmanager
def mock_states(
    *specs: tuple[str, ...],
) -> Iterator[list[tuple[subprocess.Popen[str], str]]]:
    """One process per `(ST, *options)`, started together; yields (process, url)s."""
    started: list[tuple[subprocess.Popen[str], str]] = []
    try:
        for state, *args in specs:
            port = free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "simulators.mockstate", state, "--port", str(port), *args],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            started.append((proc, f"http://127.0.0.1:{port}"))
        for (state, *_), (proc, url) in zip(specs, started, strict=True):
            assert _ready_line(proc) == f"mock state {state} listening on {url}"
        yield started
    finally:
        for proc, _ in started:
            stop(proc)
            if proc.stderr is not None:
                proc.stderr.close()
