"""GET /v1/scenarios lists the shipped ones; POST .../run plays one inside
the hub in the background; GET .../runs/{id} shows its progress and verdict."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from simulators.harness import HubScenarioRunner
from switch.access.keys import issue_key
from switch.api.app import create_app
from switch.settings import Settings
from tests.utils.hubs import Runtimes
from tests.utils.polling import until


@pytest.fixture
def hub(sqlite_url: str) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    runtimes = Runtimes(Settings(database_url=sqlite_url))

    app = create_app(runtimes, scenario_runner=HubScenarioRunner)
    with TestClient(app) as client:
        engine = runtimes.first.engine
        admin = {"Authorization": f"Bearer {issue_key(engine, admin_scope='*')}"}
        agency = {"Authorization": f"Bearer {issue_key(engine, ori='NY0303000')}"}
        yield client, admin, agency


def _finished(client: TestClient, url: str, admin: dict[str, str]) -> dict[str, Any]:
    # A bound on waiting, not a timing assertion: a hung run fails the test.
    body: dict[str, Any] = until(
        lambda: client.get(url, headers=admin).json(),
        lambda body: body["status"] != "running",
        seconds=120,
        interval=0.05,
    )
    if body["status"] == "running":
        raise AssertionError(f"the run did not finish: {body}")
    return body


def test_lists_the_shipped_scenarios(
    hub: tuple[TestClient, dict[str, str], dict[str, str]],
) -> None:
    client, _admin, agency = hub
    response = client.get("/v1/scenarios", headers=agency)
    assert response.status_code == 200
    listing = {s["name"]: s for s in response.json()["scenarios"]}
    assert {"ice-2025", "multi-state-query", "state-outage"} <= set(listing)
    outage = listing["state-outage"]
    assert outage["steps"] == 4
    assert [step["number"] for step in outage["script"]] == [1, 2, 3, 4]
    assert outage["script"][1]["items"] == ["narrate", "fault OR", "send from OR0260100"]
    assert outage["title"] and outage["description"]
    assert client.get("/v1/scenarios").status_code == 401


@pytest.mark.parametrize("name", ["state-outage", "ice-2025"])
def test_runs_a_scenario_in_the_hub(
    hub: tuple[TestClient, dict[str, str], dict[str, str]], name: str
) -> None:
    client, admin, _agency = hub
    started = client.post(f"/v1/scenarios/{name}/run", params={"pace": 0}, headers=admin)
    assert started.status_code == 202
    run = _finished(client, started.json()["url"], admin)
    assert run["status"] == "passed", run
    assert run["passed"] is True
    assert run["played"] == run["steps"]
    kinds = {line["kind"] for line in run["lines"]}
    assert {"title", "narrate", "send", "pass"} <= kinds


def test_a_run_restores_the_hubs_own_states(
    hub: tuple[TestClient, dict[str, str], dict[str, str]],
) -> None:
    client, admin, agency = hub
    started = client.post("/v1/scenarios/state-outage/run", params={"pace": 0}, headers=admin)
    _finished(client, started.json()["url"], admin)
    reply = client.post(
        "/v1/messages", content="DQ.NY0303000.OR.TXTOLN/1234567", headers=agency
    ).json()
    assert reply["results"][0]["status"] == "answered"


def test_run_needs_an_admin_and_a_known_name(
    hub: tuple[TestClient, dict[str, str], dict[str, str]],
) -> None:
    client, admin, agency = hub
    assert client.post("/v1/scenarios/ice-2025/run", headers=agency).status_code == 403
    assert client.post("/v1/scenarios/nope/run", headers=admin).status_code == 404
    assert client.get("/v1/scenarios/runs/nope", headers=admin).status_code == 404


def test_a_presenters_run_plays_one_step_per_next(
    hub: tuple[TestClient, dict[str, str], dict[str, str]],
) -> None:
    client, admin, _agency = hub
    started = client.post(
        "/v1/scenarios/ice-2025/run", params={"pace": 0, "presenter": "true"}, headers=admin
    )
    url = started.json()["url"]
    first = client.get(url, headers=admin).json()
    assert (first["presenter"], first["released"], first["played"]) == (True, 0, 0)
    assert [s["number"] for s in first["script"]] == list(range(1, 10))
    assert not [line for line in first["lines"] if line["kind"] == "send"]
    for number in (1, 2):
        moved = client.post(f"{url}/next", headers=admin).json()
        assert moved["released"] == number
        played = until(
            lambda: client.get(url, headers=admin).json(),
            lambda body, n=number: [ln for ln in body["lines"] if ln["kind"] == "send"][n - 1 :],
            seconds=60,
            interval=0.05,
        )
        sends = [line for line in played["lines"] if line["kind"] == "send"]
        assert [line["step"] for line in sends] == list(range(1, number + 1))
        assert played["status"] == "running"
    stopped = client.post(f"{url}/stop", headers=admin).json()
    assert stopped["status"] == "stopped"
    again = client.post("/v1/scenarios/ice-2025/run", params={"pace": 0}, headers=admin)
    alone = _finished(client, again.json()["url"], admin)
    assert client.post(f"{again.json()['url']}/next", headers=admin).status_code == 409
    assert alone["status"] == "passed"
    steps = [line["step"] for line in alone["lines"] if line["kind"] == "narrate"]
    assert steps == list(range(1, 10))
    texts = [line["text"] for line in alone["lines"] if line["kind"] == "narrate"]
    assert texts[7].startswith("8. ICE asks New York citing its own I-200")
