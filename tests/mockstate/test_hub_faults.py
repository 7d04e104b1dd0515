"""What the hub answers for each fault a remote state shows, as Nlets would:
no answer in time -> no_response; out of service -> out_of_service with an
SM; an unreadable reply or a dropped connection -> a state fault, audited,
the sender told with an SM. The hub itself always answers 200.

The mock states run in threads on real ports; the hub reaches them over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from simulators.dmv import StateDMV
from simulators.mockstate import FaultPlan, MockStateControl, fault_from, running_state
from switch.app.runtime import Runtime
from switch.app.simulated import simulated_states
from switch.db.schema import audit_outcomes
from switch.destinations.registry import build_destinations
from switch.serving.server import free_port
from tests.utils.databases import Databases
from tests.utils.hubs import Keys, make_client
from tests.utils.polling import until

WA_OLN = StateDMV("WA").driver(5)["OLN"]
DQ = f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}"
# Far beyond any wait a test gives the hub; the hub gives up, the mock notices.
FOREVER_MS = 120_000


class Hub:
    def __init__(self, client: TestClient, keys: Keys, runtime: Runtime) -> None:
        self.client, self.keys, self.runtime = client, keys, runtime

    def send(self, text: str, *, wait: float = 10.0, ori: str = "NY0303000") -> dict[str, Any]:
        response = self.client.post(
            "/v1/messages", params={"wait": wait}, content=text, headers=self.keys.auth(ori)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def result(self, text: str = DQ, **kwargs: Any) -> dict[str, Any]:
        [result] = self.send(text, **kwargs)["results"]
        return result


@pytest.fixture(scope="module")
def states() -> Iterator[dict[str, MockStateControl]]:
    with running_state("WA") as (_, wa), running_state("OR") as (_, or_):
        yield {"WA": wa, "OR": or_}


@pytest.fixture(scope="module")
def hub(
    states: dict[str, MockStateControl],
    tmp_path_factory: pytest.TempPathFactory,
    audit_databases: Databases,
) -> Iterator[Hub]:
    nobody = f"http://127.0.0.1:{free_port()}"
    setting = f"WA={states['WA'].url},OR={states['OR'].url}?timeout=0.5,ID={nobody}"
    database = audit_databases.url(tmp_path_factory.mktemp("hub"))
    # Kept queries are retried often, so one test's backlog drains before the
    # next; a late answer is awaited only briefly, so hanging up is seen soon.
    settings = {"forward_probe_seconds": 0.05, "late_answer_seconds": 0.5}
    with make_client(
        database, destinations=build_destinations(setting, builtin=simulated_states()), **settings
    ) as (
        client,
        keys,
        rt,
    ):
        yield Hub(client, keys, rt)


@pytest.fixture(autouse=True)
def clean(states: dict[str, MockStateControl], hub: Hub) -> None:
    for control in states.values():
        control.clear_faults()
    # New queries wait behind kept ones; ID (nothing listening) never drains.
    assert until(lambda: hub.runtime.backlog.states() <= {"ID"})
    for control in states.values():
        control.reset()


def test_a_remote_state_answers_programmed_records_exactly(
    hub: Hub, states: dict[str, MockStateControl]
) -> None:
    jane = {"OLN": WA_OLN, "NAM": "DOE,JANE", "DOB": "19850214", "SEX": "F", "STS": "REVOKED"}
    states["WA"].add_records(drivers=[jane])
    result = hub.result()
    assert (result["status"], result["response"]["key"]) == ("answered", "DR")
    assert result["response"]["fields"] == jane
    states["WA"].assert_received(key="DQ", ori="NY0303000", fields={"OLN": WA_OLN}, times=1)


def test_latency_within_the_wait_is_answered(hub: Hub, states: dict[str, MockStateControl]) -> None:
    states["WA"].set_faults({"type": "latency", "params": {"ms": 20}})
    assert hub.result()["status"] == "answered"
    [entry] = states["WA"].journal()
    assert (entry.faults, entry.delay_ms) == (["latency"], 20.0)


@pytest.mark.parametrize(
    "fault",
    [
        {"type": "latency", "params": {"ms": FOREVER_MS}},
        {"type": "jitter", "params": {"distribution": "uniform", "ms": FOREVER_MS, "spread": 1000}},
        {"type": "timeout"},
    ],
    ids=["latency", "jitter", "timeout"],
)
def test_no_answer_within_the_wait_is_no_response(
    hub: Hub, states: dict[str, MockStateControl], fault: dict[str, Any]
) -> None:
    states["WA"].set_faults(fault)
    result = hub.result(wait=0.3)
    assert (result["decision"], result["status"], result["response"]) == (
        "permit",
        "no_response",
        None,
    )
    # The hub hung up (after the late-answer window); the state saw it and
    # stopped holding the query.
    assert until(lambda: states["WA"].journal()[0].outcome == "client_gone")


def test_a_timeout_that_ends_drops_the_connection_and_is_a_fault(
    hub: Hub, states: dict[str, MockStateControl]
) -> None:
    states["WA"].set_faults({"type": "timeout", "params": {"seconds": 0.05}})
    result = hub.result()
    assert result["status"] == "fault"
    assert states["WA"].journal()[0].outcome == "timeout"


def test_out_of_service_is_an_sm_02_to_the_sender(
    hub: Hub, states: dict[str, MockStateControl]
) -> None:
    states["WA"].set_faults({"type": "out_of_service"})
    result = hub.result()
    assert result["status"] == "out_of_service"
    response = result["response"]
    assert response["key"] == "SM"
    assert ".02. USER OUT OF SERVICE FOR MSG TYPE, NLETS WILL FORWARD\nWA DQ" in response["text"]


def test_out_of_service_for_one_message_type_leaves_the_others(
    hub: Hub, states: dict[str, MockStateControl]
) -> None:
    states["WA"].set_faults({"type": "out_of_service", "keys": ["RQ"]})
    plate = StateDMV("WA").vehicle(2)["LIC"]
    assert hub.result(f"RQ.NY0303000.WA.TXTLIC/{plate}")["status"] == "out_of_service"
    assert hub.result()["status"] == "answered"


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"type": "error"}, "STATE FAULT WA: HTTP 500"),
        ({"type": "error", "params": {"status": 504}}, "STATE FAULT WA: HTTP 504"),
        ({"type": "reset"}, "STATE FAULT WA: CONNECTION LOST"),
        ({"type": "malformed"}, "STATE FAULT WA: MALFORMED REPLY: NOT JSON"),
        ({"type": "malformed", "params": {"kind": "truncated"}}, "MALFORMED REPLY: NOT JSON"),
        ({"type": "malformed", "params": {"kind": "wrong_shape"}}, "NOT {KEY, RECORDS}"),
        ({"type": "malformed", "params": {"kind": "wrong_key"}}, "ANSWERED 'RR' TO DQ"),
    ],
    ids=["error", "error-504", "reset", "garbage", "truncated", "wrong_shape", "wrong_key"],
)
def test_an_unreadable_reply_is_a_state_fault_audited_and_told(
    hub: Hub, states: dict[str, MockStateControl], fault: dict[str, Any], said: str
) -> None:
    states["WA"].set_faults(fault)
    body = hub.send(DQ)
    [result] = body["results"]
    assert (result["decision"], result["status"]) == ("permit", "fault")
    assert result["response"]["key"] == "SM"
    assert said in result["response"]["text"]
    with hub.runtime.engine.connect() as conn:
        rows = conn.execute(
            select(audit_outcomes.c.status, audit_outcomes.c.response_key).where(
                audit_outcomes.c.message_id == body["id"]
            )
        ).all()
    assert [tuple(r) for r in rows] == [("fault", "SM")]
    # The hub is none the worse: the next query is answered.
    states["WA"].clear_faults()
    assert hub.result()["status"] == "answered"


def test_a_seeded_error_rate_hits_the_same_queries_through_the_hub(
    hub: Hub, states: dict[str, MockStateControl]
) -> None:
    spec = {"type": "error", "probability": 0.5, "seed": 11}
    expected = FaultPlan([fault_from(spec)])
    want = ["fault" if expected.draw("DQ", "NY0303000").action else "answered" for _ in range(12)]
    states["WA"].set_faults(spec)
    got = [hub.result()["status"] for _ in range(12)]
    assert got == want
    assert set(got) == {"fault", "answered"}


def test_the_per_destination_timeout_gives_no_response_before_the_wait(
    hub: Hub, states: dict[str, MockStateControl]
) -> None:
    states["OR"].set_faults({"type": "latency", "params": {"ms": FOREVER_MS}})
    oln = StateDMV("OR").driver(1)["OLN"]
    result = hub.result(f"DQ.NY0303000.OR.TXTOLN/{oln}", wait=60)
    assert result["status"] == "no_response"
    # OR's own timeout (0.5 s) ended it, not the hub's 60 s wait.
    assert result["latency_ms"] < 30_000


def test_a_state_with_nothing_listening_is_out_of_service(hub: Hub) -> None:
    oln = StateDMV("ID").driver(1)["OLN"]
    result = hub.result(f"DQ.NY0303000.ID.TXTOLN/{oln}")
    assert result["status"] == "out_of_service"
    assert (
        ".02. USER OUT OF SERVICE FOR MSG TYPE, NLETS WILL FORWARD\nID DQ"
        in result["response"]["text"]
    )


def test_a_denied_query_never_reaches_the_state(
    hub: Hub, states: dict[str, MockStateControl]
) -> None:
    result = hub.result(f"DQ.VTICE0900.WA.TXTOLN/{WA_OLN}", ori="VTICE0900")
    assert (result["decision"], result["rule"], result["status"]) == (
        "deny",
        "wa-no-ice",
        "rejected",
    )
    states["WA"].assert_not_received(ori="VTICE0900")
    hub.result()
    states["WA"].assert_received(ori="NY0303000", times=1)
    with pytest.raises(AssertionError, match="expected never"):
        states["WA"].assert_not_received(ori="NY0303000")
