"""`switch serve` as a real process, for tests that need one: several hubs on
one database, a hub killed with SIGKILL in the middle of traffic. Every wait
on a process is bounded and every process is stopped in a `finally`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from switch.serving.server import free_port
from tests.utils.polling import until

SWITCH = Path(sys.executable).parent / "switch"
START_SECONDS = 60.0
STOP_SECONDS = 15.0


@dataclass
class HubProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def start_hub(
    database_url: str,
    folder: Path,
    env: Mapping[str, str] | None = None,
    name: str = "hub",
    log_level: str = "warning",
) -> HubProcess:
    """Start `switch serve` on a free port (not yet answering: see `ready`)."""
    port = free_port()
    log = folder / f"{name}-{port}.log"
    environment = {
        **os.environ,
        "SWITCH_DATABASE_URL": database_url,
        **(env or {}),
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(SWITCH), "serve", "--port", str(port), "--log-level", log_level],
            cwd=folder,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return HubProcess(f"http://127.0.0.1:{port}", process, log)


def ready(hub: HubProcess) -> HubProcess:
    """Wait until the hub answers /healthz (it has migrated and loaded)."""
    with httpx.Client(base_url=hub.url, timeout=2.0) as client:

        def answers() -> bool:
            if hub.process.poll() is not None:
                raise AssertionError(
                    f"the hub exited with {hub.process.returncode}:\n{hub.output()}"
                )
            try:
                return client.get("/healthz").status_code == 200
            except httpx.TransportError:
                return False  # not listening yet

        if until(answers, seconds=START_SECONDS, interval=0.05):
            return hub
    raise AssertionError(f"the hub did not answer within {START_SECONDS} s:\n{hub.output()}")


@contextmanager
def hub_processes(
    database_url: str, folder: Path, *envs: Mapping[str, str]
) -> Iterator[list[HubProcess]]:
    """One hub per environment, all on one database, started together and
    stopped at the end."""
    with ExitStack() as stack:
        hubs = []
        for i, env in enumerate(envs):
            hub = start_hub(database_url, folder, env, name=f"hub{i}")
            stack.callback(hub.stop)
            hubs.append(hub)
        yield [ready(hub) for hub in hubs]


@contextmanager
def hub_process(
    database_url: str, folder: Path, env: Mapping[str, str] | None = None
) -> Iterator[HubProcess]:
    with hub_processes(database_url, folder, env or {}) as [hub]:
        yield hub
