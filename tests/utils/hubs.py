"""Factories for hubs under test: a runtime, a TestClient, and keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from switch.access.keys import issue_key
from switch.api.app import create_app
from switch.app.runtime import Runtime
from switch.destinations.base import Destination
from switch.policy import PolicyDecider
from switch.settings import Settings

AGENCY_ORIS = ("NY0303000", "VTICE0900", "WAOLN0000")
SHIPPED_POLICIES = Path(__file__).resolve().parents[2] / "policies"


def one_policy(folder: Path) -> Path:
    """A policy folder holding Washington's shipped file alone. A hub's first
    start on a database records it as one version, one admin act: chain
    position 1, before anything the test writes."""
    policies = folder / "policies"
    policies.mkdir()
    (policies / "WA.yaml").write_bytes((SHIPPED_POLICIES / "WA.yaml").read_bytes())
    return policies


@dataclass
class Keys:
    agency: dict[str, str]
    admin: str

    def auth(self, ori: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.agency[ori]}"}

    @property
    def admin_auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin}"}


class Runtimes:
    """The runtime factory an app is built with (`create_app` and `running_hub`
    call it as they start), keeping each runtime it made for the test to reach:
    `first` is the one a hub serves."""

    def __init__(
        self,
        settings: Settings,
        *,
        destinations: Mapping[str, Destination] | None = None,
        decider: PolicyDecider | None = None,
    ) -> None:
        self.settings = settings
        self.destinations = destinations
        self.decider = decider
        self.made: list[Runtime] = []

    def __call__(self) -> Runtime:
        runtime = Runtime(self.settings, destinations=self.destinations, decider=self.decider)
        self.made.append(runtime)
        return runtime

    @property
    def first(self) -> Runtime:
        return self.made[0]


def make_runtime(
    database_url: str,
    *,
    destinations: Mapping[str, Destination] | None = None,
    decider: PolicyDecider | None = None,
    **settings: object,
) -> Runtime:
    return Runtime(
        Settings(database_url=database_url, **settings),  # type: ignore[arg-type]
        destinations=destinations,
        decider=decider,
    )


@contextmanager
def make_client(
    database_url: str,
    *,
    oris: tuple[str, ...] = AGENCY_ORIS,
    destinations: Mapping[str, Destination] | None = None,
    decider: PolicyDecider | None = None,
    **settings: object,
) -> Iterator[tuple[TestClient, Keys, Runtime]]:
    runtimes = Runtimes(
        Settings(database_url=database_url, **settings),  # type: ignore[arg-type]
        destinations=destinations,
        decider=decider,
    )
    with TestClient(create_app(runtimes)) as client:
        runtime = runtimes.first
        keys = Keys(
            agency={ori: issue_key(runtime.engine, ori=ori) for ori in oris},
            admin=issue_key(runtime.engine, admin_scope="*"),
        )
        yield client, keys, runtime
