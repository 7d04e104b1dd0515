"""The mock state's HTTP API in process: the query endpoint, the admin API,
the journal, and the 422s a bad admin call gets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from simulators.dmv import StateDMV
from simulators.mockstate import MockState, create_app

WA = StateDMV("WA")
OLN = WA.driver(5)["OLN"]
PLATE = WA.vehicle(3)["LIC"]
JANE = {"OLN": OLN, "NAM": "DOE,JANE", "DOB": "19850214", "SEX": "F", "STS": "REVOKED"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(MockState("WA"))) as client:
        yield client


def _query(client: TestClient, key: str = "DQ", ori: str = "NY0303000", **fields: str) -> Any:
    return client.post("/v1/query", json={"key": key, "ori": ori, "fields": fields})


def test_generated_records_answer_like_the_builtin_dmv(client: TestClient) -> None:
    response = _query(client, OLN=OLN)
    assert response.status_code == 200
    assert response.json() == {"key": "DR", "records": [dict(WA.driver(5))]}
    assert _query(client, "RQ", LIC=PLATE).json()["records"] == [dict(WA.vehicle(3))]
    assert _query(client, OLN="NOSUCH1").json() == {"key": "DR", "records": []}


def test_programmed_records_come_back_exactly_and_win_over_generated(client: TestClient) -> None:
    put = client.put("/admin/records", json={"drivers": [JANE]})
    assert put.status_code == 200 and put.json() == {"drivers": 1, "vehicles": 0}
    assert _query(client, OLN=OLN).json() == {"key": "DR", "records": [JANE]}
    assert _query(client, "DQ", NAM="DOE,JANE", DOB="19850214").json()["records"] == [JANE]
    # Other queries still reach the generated records.
    other = WA.driver(6)["OLN"]
    assert _query(client, OLN=other).json()["records"][0]["OLN"] == other
    [entry] = client.get("/admin/journal", params={"limit": 1}).json()
    assert entry["source"] == "generated"
    assert client.get("/admin/journal").json()[0]["source"] == "programmed"


def test_records_can_be_added_listed_and_cleared(client: TestClient) -> None:
    car = {"LIC": "TEST123", "VMA": "FORD", "NAM": "DOE,JANE"}
    client.post("/admin/records", json={"drivers": [JANE]})
    added = client.post("/admin/records", json={"vehicles": [car]})
    assert added.json() == {"drivers": 1, "vehicles": 1}
    assert client.get("/admin/records").json() == {"drivers": [JANE], "vehicles": [car]}
    assert _query(client, "RNQ", NAM="DOE,JANE").json() == {"key": "RNR", "records": [car]}
    assert client.delete("/admin/records").json() == {"drivers": 0, "vehicles": 0}
    assert _query(client, OLN=OLN).json()["records"] == [dict(WA.driver(5))]


def test_without_generated_records_only_programmed_ones_exist() -> None:
    with TestClient(create_app(MockState("WA", generated=False))) as client:
        assert _query(client, OLN=OLN).json() == {"key": "DR", "records": []}
        client.post("/admin/records", json={"drivers": [JANE]})
        assert _query(client, OLN=OLN).json()["records"] == [JANE]
        assert [e["source"] for e in client.get("/admin/journal").json()] == [
            "none",
            "programmed",
        ]


def test_the_journal_keeps_what_came_in_and_what_went_out(client: TestClient) -> None:
    _query(client, OLN=OLN, IMQ="N")
    [entry] = client.get("/admin/journal").json()
    assert (entry["seq"], entry["key"], entry["ori"]) == (1, "DQ", "NY0303000")
    assert entry["fields"] == {"OLN": OLN, "IMQ": "N"}
    assert (entry["outcome"], entry["status"], entry["faults"]) == ("answered", 200, [])
    assert entry["answer"] == {"key": "DR", "records": [dict(WA.driver(5))]}
    assert datetime.fromisoformat(entry["at"]) <= datetime.now(UTC)


def test_journal_filters(client: TestClient) -> None:
    _query(client, "DQ", "NY0303000", OLN="A1")
    _query(client, "RQ", "NY0303000", LIC="B2")
    _query(client, "DQ", "VTICE0900", OLN="C3")
    journal = "/admin/journal"

    def oris(**params: Any) -> list[str]:
        return [f"{e['ori']}:{e['key']}" for e in client.get(journal, params=params).json()]

    assert oris() == ["NY0303000:DQ", "NY0303000:RQ", "VTICE0900:DQ"]
    assert oris(key="DQ") == ["NY0303000:DQ", "VTICE0900:DQ"]
    assert oris(key="dq", ori="VTICE*") == ["VTICE0900:DQ"]
    assert oris(after=2) == ["VTICE0900:DQ"]
    assert oris(limit=2) == ["NY0303000:RQ", "VTICE0900:DQ"]
    assert oris(outcome="answered", ori="NY0303000") == ["NY0303000:DQ", "NY0303000:RQ"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert oris(since=future) == []
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert len(oris(since=past)) == 3


def test_reset_clears_all_or_only_what_is_named(client: TestClient) -> None:
    client.put("/admin/records", json={"drivers": [JANE]})
    client.put("/admin/faults", json=[{"type": "latency", "params": {"ms": 1}}])
    _query(client, OLN=OLN)
    done = client.post("/admin/reset", params={"only": "journal"})
    assert done.json() == {"reset": ["journal"]}
    assert client.get("/admin/journal").json() == []
    assert len(client.get("/admin/faults").json()) == 1
    assert client.get("/admin/records").json()["drivers"] == [JANE]
    client.post("/admin/reset", params=[("only", "faults"), ("only", "records")])
    assert client.get("/admin/faults").json() == []
    assert client.get("/admin/records").json()["drivers"] == []
    _query(client, OLN=OLN)
    assert client.post("/admin/reset").json() == {"reset": ["journal", "faults", "records"]}
    # Sequence numbers go on after a reset, so `after=` cursors stay valid.
    _query(client, OLN=OLN)
    assert [e["seq"] for e in client.get("/admin/journal").json()] == [3]


def test_faults_are_set_listed_added_and_cleared(client: TestClient) -> None:
    put = client.put(
        "/admin/faults",
        json=[
            {"type": "latency", "params": {"ms": 1}},
            {"type": "error", "probability": 0, "name": "flaky"},
        ],
    )
    assert put.status_code == 200
    assert [(f["type"], f["name"]) for f in put.json()] == [
        ("latency", "latency"),
        ("error", "flaky"),
    ]
    assert put.json()[1] == {
        "type": "error",
        "name": "flaky",
        "probability": 0.0,
        "params": {"status": 500},
    }
    added = client.post("/admin/faults", json=[{"type": "reset", "keys": ["RQ"]}])
    assert [f["name"] for f in added.json()] == ["latency", "flaky", "reset"]
    assert [f["name"] for f in client.delete("/admin/faults/flaky").json()] == [
        "latency",
        "reset",
    ]
    missing = client.delete("/admin/faults/flaky")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"message": "no fault named 'flaky'"}}
    assert client.delete("/admin/faults").json() == []
    assert client.get("/admin/faults").json() == []


def test_params_beside_type_are_taken_over_http(client: TestClient) -> None:
    put = client.put(
        "/admin/faults",
        json=[{"type": "latency", "ms": 400}, {"type": "error", "probability": 0.2, "status": 502}],
    )
    assert put.status_code == 200, put.json()
    assert put.json() == [
        {"type": "latency", "name": "latency", "probability": 1.0, "params": {"ms": 400.0}},
        {"type": "error", "name": "error", "probability": 0.2, "params": {"status": 502}},
    ]


def test_a_wrong_name_over_http_names_the_right_one(client: TestClient) -> None:
    response = client.put("/admin/faults", json=[{"type": "error", "rate": 0.1}])
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "invalid fault spec: [0].error: unknown name 'rate' (did you mean probability?): "
        "error takes params status; every fault takes name, probability, keys, oris, seed"
    )


def test_latency_is_applied_and_journaled(client: TestClient) -> None:
    client.put("/admin/faults", json=[{"type": "latency", "params": {"ms": 2}}])
    assert _query(client, OLN=OLN).status_code == 200
    [entry] = client.get("/admin/journal").json()
    assert (entry["faults"], entry["delay_ms"], entry["outcome"]) == (["latency"], 2.0, "answered")


@pytest.mark.parametrize(
    ("fault", "status", "outcome"),
    [
        ({"type": "error"}, 500, "error"),
        ({"type": "error", "params": {"status": 502}}, 502, "error"),
        ({"type": "out_of_service"}, 503, "out_of_service"),
        ({"type": "malformed"}, 200, "malformed"),
    ],
)
def test_status_faults_answer_with_their_status(
    client: TestClient, fault: dict[str, Any], status: int, outcome: str
) -> None:
    client.put("/admin/faults", json=[fault])
    assert _query(client, OLN=OLN).status_code == status
    [entry] = client.get("/admin/journal").json()
    assert (entry["status"], entry["outcome"], entry["answer"]) == (status, outcome, None)


@pytest.mark.parametrize("kind", ["garbage", "truncated", "wrong_shape", "wrong_key"])
def test_each_malformed_kind_is_a_200_that_is_not_the_answer(client: TestClient, kind: str) -> None:
    client.put("/admin/faults", json=[{"type": "malformed", "params": {"kind": kind}}])
    response = _query(client, OLN=OLN)
    assert response.status_code == 200
    try:
        body = response.json()
    except ValueError:
        body = None
    assert not (isinstance(body, dict) and body.get("key") == "DR" and "records" in body)


def test_out_of_service_for_listed_keys_only(client: TestClient) -> None:
    client.put("/admin/faults", json=[{"type": "out_of_service", "keys": ["RQ", "RNQ"]}])
    assert _query(client, "RQ", LIC=PLATE).status_code == 503
    assert _query(client, "DQ", OLN=OLN).status_code == 200


def test_faults_scoped_to_a_requester(client: TestClient) -> None:
    client.put("/admin/faults", json=[{"type": "error", "oris": ["VTICE*"]}])
    assert _query(client, ori="VTICE0900", OLN=OLN).status_code == 500
    assert _query(client, ori="NY0303000", OLN=OLN).status_code == 200


def test_a_seeded_half_of_errors_repeats_over_http() -> None:
    def run() -> list[int]:
        with TestClient(create_app(MockState("WA", seed=5))) as client:
            client.put("/admin/faults", json=[{"type": "error", "probability": 0.5}])
            return [_query(client, OLN=OLN).status_code for _ in range(20)]

    first = run()
    assert first == run()
    assert set(first) == {200, 500}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            [{"type": "latency", "params": {"ms": -5}}],
            "invalid fault spec: [0].latency.params.ms: Input should be greater than or equal to 0",
        ),
        ([{"type": "latency"}], "invalid fault spec: [0].latency.params.ms: Field required"),
        ([{"type": "slow"}], "invalid fault spec: [0]: Input tag 'slow' found using 'type'"),
        ([{"params": {}}], "invalid fault spec: [0]: Unable to extract tag using discriminator"),
        (
            [{"type": "error", "probability": 1.5}],
            "invalid fault spec: [0].error.probability: Input should be less than or equal to 1",
        ),
        (
            [{"type": "jitter", "params": {"ms": 5, "distribution": "lognormal"}}],
            "invalid fault spec: [0].jitter.params.distribution: Input should be 'uniform'",
        ),
        (
            [{"type": "out_of_service", "keys": ["XX"]}],
            "invalid fault spec: [0].out_of_service.keys: not query keys: ['XX']",
        ),
        ({"type": "error"}, "invalid fault spec: value: Input should be a valid list"),
    ],
)
def test_a_bad_fault_spec_is_a_422_that_says_why(
    client: TestClient, body: Any, message: str
) -> None:
    client.put("/admin/faults", json=[{"type": "reset"}])
    response = client.put("/admin/faults", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(message)
    # A refused spec changes nothing.
    assert [f["type"] for f in client.get("/admin/faults").json()] == ["reset"]


def test_bad_records_journal_filters_and_queries_are_422s(client: TestClient) -> None:
    records = client.put("/admin/records", json={"drivers": [{"NAM": "DOE"}]})
    assert records.status_code == 422
    assert records.json()["error"]["message"] == (
        "invalid records: drivers[0]: NAM 'DOE': want LAST,FIRST [MIDDLE]"
    )
    journal = client.get("/admin/journal", params={"outcome": "exploded"})
    assert journal.status_code == 422
    assert journal.json()["error"]["message"].startswith("invalid journal filter: query.outcome")
    query = client.post("/v1/query", json={"key": "DR", "ori": "NY0303000", "fields": {}})
    assert query.status_code == 422
    assert "invalid query: key: not a query key" in query.json()["error"]["message"]
    reset = client.post("/admin/reset", params={"only": "everything"})
    assert reset.status_code == 422


def test_healthz_names_the_state() -> None:
    with TestClient(create_app(MockState("or", seed=3))) as client:
        assert client.get("/healthz").json() == {
            "status": "ok",
            "state": "OR",
            "seed": 3,
            "records": 0,
            "faults": 0,
            "journal": 0,
        }


def test_an_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown state 'ZZ'"):
        MockState("ZZ")
