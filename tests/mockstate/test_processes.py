"""The hub with three states as separate HTTP processes: one answering, one
slowed beyond the hub's wait, one down. Every process is stopped in a
`finally`, and every wait on one is bounded."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from simulators.dmv import StateDMV
from simulators.mockstate import MockStateControl
from switch.app.simulated import simulated_states
from switch.destinations.registry import build_destinations
from tests.utils.databases import Databases
from tests.utils.hubs import Keys, make_client
from tests.utils.mockstates import START_SECONDS, mock_states, stop

ROOT = Path(__file__).resolve().parents[2]
WA_OLN = StateDMV("WA").driver(5)["OLN"]
# How long the hub waits where OR (120 s late) must miss and the others must not.
SLOW_WAIT = 3.0


def _send(client: TestClient, keys: Keys, ori: str, text: str, wait: float) -> dict[str, Any]:
    response = client.post(
        "/v1/messages", params={"wait": wait}, content=text, headers=keys.auth(ori)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def remote() -> Iterator[dict[str, str]]:
    with mock_states(("WA",), ("OR", "--latency", "120000"), ("ID", "--down")) as started:
        yield dict(zip(("WA", "OR", "ID"), (url for _, url in started), strict=True))


@pytest.fixture(scope="module")
def hub(
    remote: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    audit_databases: Databases,
) -> Iterator[tuple[TestClient, Keys]]:
    setting = ",".join(f"{state}={url}" for state, url in remote.items())
    database = audit_databases.url(tmp_path_factory.mktemp("hub"))
    with make_client(
        database, destinations=build_destinations(setting, builtin=simulated_states())
    ) as (client, keys, _):
        # First contact (a new connection, a cold process) is not what is under test.
        warm = _send(client, keys, "NY0303000", f"DQ.NY0303000.WA,ID.TXTOLN/{WA_OLN}", wait=30)
        assert [r["status"] for r in warm["results"]] == ["answered", "out_of_service"]
        yield client, keys


def test_three_remote_states_one_slow_one_down(hub: tuple[TestClient, Keys]) -> None:
    client, keys = hub
    body = _send(
        client, keys, "NY0303000", f"DQ.NY0303000.WA,OR,ID.TXTOLN/{WA_OLN}", wait=SLOW_WAIT
    )
    statuses = {r["destination"]: r["status"] for r in body["results"]}
    assert statuses == {"WA": "answered", "OR": "no_response", "ID": "out_of_service"}
    wa, or_, id_ = body["results"]
    assert wa["response"]["fields"]["OLN"] == WA_OLN
    assert or_["response"] is None
    assert id_["response"]["key"] == "SM"
    assert (
        ".02. USER OUT OF SERVICE FOR MSG TYPE, NLETS WILL FORWARD\nID DQ"
        in id_["response"]["text"]
    )


def test_the_merged_nl_result_shows_the_hit_the_slow_and_the_down(
    hub: tuple[TestClient, Keys],
) -> None:
    client, keys = hub
    body = _send(client, keys, "NY0303000", f"DQ.NY0303000.NL.TXTOLN/{WA_OLN}", wait=SLOW_WAIT)
    visible = {r["destination"]: r["status"] for r in body["results"]}
    # NO HITs are suppressed; what is left is the hit and who did not answer.
    assert visible == {"WA": "answered", "OR": "no_response", "ID": "out_of_service"}
    summary = body["summary"]
    assert summary["hit"] == ["WA"]
    assert sorted(summary["no_response"]) == ["ID", "OR"]
    assert len(summary["no_hit"]) == 49


def test_the_journal_proves_a_denied_query_never_reached_its_state(
    remote: dict[str, str], hub: tuple[TestClient, Keys]
) -> None:
    client, keys = hub
    with MockStateControl(remote["WA"]) as wa:
        wa.reset("journal")
        ice = _send(client, keys, "VTICE0900", f"DQ.VTICE0900.WA.TXTOLN/{WA_OLN}", wait=5.0)
        [denied] = ice["results"]
        assert (denied["decision"], denied["rule"]) == ("deny", "wa-no-ice")
        nypd = _send(client, keys, "NY0303000", f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}", wait=5.0)
        assert nypd["results"][0]["status"] == "answered"
        wa.assert_not_received(ori="VTICE0900")
        [entry] = wa.assert_received(key="DQ", ori="NY0303000", fields={"OLN": WA_OLN}, times=1)
        assert entry.outcome == "answered" and entry.answer is not None
        assert [e.ori for e in wa.journal()] == ["NY0303000"]


def test_a_killed_state_is_out_of_service_and_sigterm_exits_cleanly(
    sqlite_url: str,
) -> None:
    oln = StateDMV("MT").driver(2)["OLN"]
    text = f"DQ.NY0303000.MT.TXTOLN/{oln}"
    with mock_states(("MT",)) as [(proc, url)]:
        destinations = build_destinations(f"MT={url}", builtin=simulated_states())
        with make_client(sqlite_url, destinations=destinations) as (
            client,
            keys,
            _,
        ):
            assert _send(client, keys, "NY0303000", text, wait=5.0)["results"][0]["status"] == (
                "answered"
            )
            assert stop(proc) == 0
            [result] = _send(client, keys, "NY0303000", text, wait=5.0)["results"]
            assert result["status"] == "out_of_service"
            assert result["response"]["key"] == "SM"


def test_a_process_that_cannot_start_says_why() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulators.mockstate", "ZZ", "--port", "0"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=START_SECONDS)
    finally:
        stop(proc)
    assert proc.returncode == 1
    assert "unknown state 'ZZ'" in err and out == ""


def test_options_given_at_start_are_in_force() -> None:
    args = (
        "--fault",
        "error@0.5",
        "--seed",
        "3",
        "--records",
        "simulators/mockstate/examples/wa-records.yaml",
    )
    with mock_states(("WA", *args)) as [(_, url)], MockStateControl(url) as control:
        health = control.health()
        assert (health["state"], health["seed"], health["records"]) == ("WA", 3, 3)
        [fault] = control.faults()
        assert (fault.type, fault.probability) == ("error", 0.5)
