"""Where a scenario plays: a running hub reached over HTTP with keys given,
and the keys and warrants it needs there. A hub of the scenario's own is
started by the harness (simulators.harness), which sits above the server."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine

from simulators.dmv import StateDMV
from simulators.mockstate import Fault, MockStateControl
from simulators.scenarios._model import Scenario
from switch.access.keys import issue_keys
from switch.client import AsyncSwitchClient, Reply
from switch.directory import Directory
from switch.warrants import WarrantRegistry


class SetupError(Exception):
    """The scenario cannot start: no hub, no key, no mock state."""


class ClientTarget:
    """Sends through a hub's HTTP API with each sender's key; switches faults
    through the mock states' admin APIs."""

    def __init__(
        self,
        client: AsyncSwitchClient,
        keys: Mapping[str, str],
        controls: Mapping[str, MockStateControl],
    ) -> None:
        self._client = client
        self._keys = dict(keys)
        self._controls = dict(controls)

    async def send(self, sender: str, text: str, wait: float | None) -> Reply:
        key = self._keys.get(sender)
        if key is None:
            raise SetupError(f"no key for {sender}")
        return await self._client.with_key(key).send(text, wait=wait)

    def _control(self, state: str) -> MockStateControl:
        control = self._controls.get(state)
        if control is None:
            raise SetupError(f"{state} is not a mock state in this run")
        return control

    async def set_faults(self, state: str, faults: Sequence[Fault]) -> None:
        await asyncio.to_thread(self._control(state).set_faults, *faults)

    async def clear_faults(self, state: str) -> None:
        await asyncio.to_thread(self._control(state).clear_faults)


@dataclass(slots=True)
class Session:
    url: str
    keys: dict[str, str]
    warrants: dict[str, str]
    controls: dict[str, MockStateControl] = field(default_factory=dict)


def issue_warrants(
    registry: WarrantRegistry, scenario: Scenario, *, seed: int = 0
) -> dict[str, str]:
    issued = {}
    for name, spec in scenario.warrants.items():
        oln = spec.oln
        if spec.subject is not None:
            oln = StateDMV(spec.subject.state, seed=seed).driver(spec.subject.driver)["OLN"]
        warrant = registry.issue(
            kind=spec.kind, to=spec.to, oln=oln, form=spec.form, days=spec.days
        )
        issued[name] = warrant.id
    return issued


def prepare(
    engine: Engine, directory: Directory | None, scenario: Scenario, *, seed: int = 0
) -> tuple[dict[str, str], dict[str, str]]:
    """Agency keys for every sender, and the scenario's warrants: (keys, warrant ids)."""
    keys = dict(zip(scenario.senders, issue_keys(engine, scenario.senders), strict=True))
    return keys, issue_warrants(WarrantRegistry(engine, directory), scenario, seed=seed)


def remote_session(
    scenario: Scenario,
    url: str,
    keys: Mapping[str, str],
    *,
    admin_key: str | None,
    mocks: Mapping[str, str],
) -> Session:
    """A running hub: keys as given; warrants issued through its API (admin key)."""
    missing = [s for s in scenario.senders if s not in keys]
    if missing:
        raise SetupError(f"no key for {', '.join(missing)} in the keys file")
    unmocked = [s for s in scenario.states if s not in mocks]
    if unmocked:
        raise SetupError(
            f"the scenario switches faults on {', '.join(unmocked)}: give each as "
            "--mock ST=URL (a `switch sim state` the hub routes to)"
        )
    warrants: dict[str, str] = {}
    if scenario.warrants:
        if admin_key is None:
            raise SetupError('the scenario issues warrants: add "admin": KEY to the keys file')
        else:
            warrants = _issue_over_http(scenario, url, admin_key)
    controls = {state: MockStateControl(mocks[state]) for state in scenario.states}
    return Session(url, dict(keys), warrants, controls)


def _issue_over_http(scenario: Scenario, url: str, admin_key: str) -> dict[str, str]:
    issued = {}
    headers = {"Authorization": f"Bearer {admin_key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=10.0) as http:
        for name, spec in scenario.warrants.items():
            oln = spec.oln
            if spec.subject is not None:
                oln = StateDMV(spec.subject.state).driver(spec.subject.driver)["OLN"]
            body = {"kind": spec.kind, "to": spec.to, "oln": oln, "days": spec.days}
            if spec.form:
                body["form"] = spec.form
            response = http.post("/v1/warrants", json=body)
            if response.status_code != 201:
                raise SetupError(
                    f"cannot issue warrant {name}: {response.status_code} {response.text}"
                )
            issued[name] = str(response.json()["id"])
    return issued
