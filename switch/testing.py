"""A pytest plugin: a hub on a temporary database, mock states it routes to,
and agency clients with keys, for another project's integration tests.

Enable it with `pytest -p switch.testing` (or the `pytest11` entry point), then::

    def test_ice_is_refused_in_washington(switch_hub, mock_state):
        wa = mock_state("WA", records=[{"OLN": "WDLTEST00001", "NAM": "DOE,JANE"}])
        reply = switch_hub.agency("VTICE0900").send("DQ.VTICE0900.WA.TXTOLN/WDLTEST00001")
        assert reply.results[0].decision == "deny"
        wa.assert_not_received(ori="VTICE0900")

An agency's client sends any form: `send(text)`, `send_json(key, dest,
fields)`, `send_xml(text or XML document)`, each returning the parsed `Reply`.

Fixtures: `switch_hub` (a `SwitchHub`), `mock_state` (a factory: a mock
state served from a thread, which the test's hub then routes that state to),
and `switch_hub_factory` for tests that want more than one hub.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulators.harness import HubScenarioRunner
from simulators.mockstate import MockStateControl, running_state
from switch.access.keys import issue_key
from switch.app.runtime import Runtime
from switch.client import SwitchClient
from switch.destinations.http import HttpDestination
from switch.serving.server import running_hub
from switch.settings import Settings
from switch.warrants import WarrantRegistry


class SwitchHub:
    """A hub serving on a free local port, and what a test needs to drive it."""

    def __init__(self, url: str, runtime: Runtime, stack: ExitStack) -> None:
        self.url = url
        self.runtime = runtime
        self._stack = stack
        self._agencies: dict[str, SwitchClient] = {}
        self._admin_key: str | None = None

    def __repr__(self) -> str:
        return f"SwitchHub({self.url!r})"

    def agency(self, ori: str) -> SwitchClient:
        """A client for `ori`, with a key issued for it (one per ORI, closed at teardown)."""
        ori = ori.strip().upper()
        client = self._agencies.get(ori)
        if client is None:
            key = issue_key(self.runtime.engine, ori=ori)
            client = self._stack.enter_context(SwitchClient(self.url, key))
            self._agencies[ori] = client
        return client

    @property
    def admin_key(self) -> str:
        if self._admin_key is None:
            self._admin_key = issue_key(self.runtime.engine, admin_scope="*")
        return self._admin_key

    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    def admin(self) -> httpx.Client:
        """An httpx client with an admin key (scope *): `admin().get("/v1/audit")`."""
        client = httpx.Client(base_url=self.url, headers=self.admin_headers(), timeout=30.0)
        return self._stack.enter_context(client)

    def warrant(self, *, kind: str, to: str, **subject: Any) -> str:
        """Issue a warrant (`oln=` or `name=` and `dob=`); its id, for `WRT/`."""
        registry = WarrantRegistry(self.runtime.engine, self.runtime.directory)
        return registry.issue(kind=kind, to=to, **subject).id

    def route(self, state: str, url: str) -> None:
        """From now on, send `state`'s queries to the service at `url`."""
        # INVARIANT: the router reads runtime.destinations (the same dict) on every message.
        destinations: Any = self.runtime.destinations
        destinations[state.upper()] = HttpDestination(state.upper(), url)


HubFactory = Callable[..., SwitchHub]
MockStateFactory = Callable[..., MockStateControl]


@pytest.fixture
def switch_hub_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubFactory]:
    """`switch_hub_factory(states={"WA": url}, **settings)` -> a new `SwitchHub`;
    all are stopped at teardown."""
    with ExitStack() as stack:

        def make(states: Mapping[str, str] | None = None, **settings: Any) -> SwitchHub:
            folder: Path = tmp_path_factory.mktemp("switch-hub")
            routes = ",".join(f"{st}={url}" for st, url in (states or {}).items())
            config = Settings(
                database_url=f"sqlite:///{folder / 'hub.db'}",
                states=routes,
                policy_poll_seconds=0,
                **settings,
            )
            holder: list[Runtime] = []

            def factory() -> Runtime:
                holder.append(Runtime(config))
                return holder[0]

            url = stack.enter_context(running_hub(factory, scenario_runner=HubScenarioRunner))
            return SwitchHub(url, holder[0], stack)

        yield make


@pytest.fixture
def switch_hub(switch_hub_factory: HubFactory) -> SwitchHub:
    """A hub on a temporary SQLite database, built-in simulators for every state."""
    return switch_hub_factory()


@pytest.fixture
def mock_state(switch_hub: SwitchHub) -> Iterator[MockStateFactory]:
    """`mock_state("WA", records=[...], faults=[...], generated=True, seed=0,
    xml=False)` -> a `MockStateControl` for a mock state served from a thread;
    the test's `switch_hub` routes that state to it from then on (in Nlets
    XML both ways when `xml`)."""
    with ExitStack() as stack:

        def make(
            state: str,
            *,
            records: Iterable[Mapping[str, Any]] = (),
            vehicles: Iterable[Mapping[str, Any]] = (),
            faults: Iterable[Mapping[str, Any]] = (),
            generated: bool = True,
            seed: int = 0,
            xml: bool = False,
        ) -> MockStateControl:
            url, control = stack.enter_context(
                running_state(state.upper(), seed=seed, generated=generated, xml=xml)
            )
            drivers, cars, chosen = list(records), list(vehicles), list(faults)
            if drivers or cars:
                control.add_records(drivers=drivers, vehicles=cars)
            if chosen:
                control.set_faults(*chosen)
            switch_hub.route(state, url)
            return control

        yield make


__all__ = ["SwitchHub", "mock_state", "switch_hub", "switch_hub_factory"]
