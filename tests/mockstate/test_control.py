"""MockStateControl against a mock state on a real port: every admin call,
and verification helpers that fail when they should."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from simulators.dmv import StateDMV
from simulators.mockstate import (
    AdminError,
    LatencyFault,
    MockStateControl,
    RecordSet,
    fault_from,
    running_state,
)

SEED = 2
OLN = StateDMV("NV", seed=SEED).driver(4)["OLN"]
JOHN = {"OLN": "NVTEST0001", "NAM": "DOE,JOHN", "DOB": "19800101", "SEX": "M"}


@pytest.fixture(scope="module")
def mock() -> Iterator[tuple[str, MockStateControl]]:
    with running_state("NV", seed=SEED) as (url, control):
        yield url, control


@pytest.fixture
def control(mock: tuple[str, MockStateControl]) -> MockStateControl:
    mock[1].reset()
    return mock[1]


def _query(url: str, ori: str = "NY0303000", key: str = "DQ", **fields: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/query", json={"key": key, "ori": ori, "fields": fields})


def test_health_and_url(mock: tuple[str, MockStateControl]) -> None:
    url, control = mock
    assert control.url == url and url.startswith("http://127.0.0.1:")
    assert control.health()["state"] == "NV" and control.health()["seed"] == SEED


def test_records_round_trip(control: MockStateControl) -> None:
    assert control.add_records(drivers=[JOHN]) == {"drivers": 1, "vehicles": 0}
    assert control.records() == RecordSet(drivers=[JOHN])
    car = {"LIC": "NVT001", "NAM": "DOE,JOHN"}
    assert control.set_records(RecordSet(vehicles=[car])) == {"drivers": 0, "vehicles": 1}
    control.clear_records()
    assert control.records() == RecordSet()


def test_faults_typed_or_as_mappings(control: MockStateControl) -> None:
    typed = fault_from({"type": "latency", "params": {"ms": 1}})
    set_ = control.set_faults(typed, {"type": "error", "probability": 0, "name": "never"})
    assert isinstance(set_[0], LatencyFault) and [f.name for f in set_] == ["latency", "never"]
    assert [f.name for f in control.add_faults({"type": "reset", "keys": ["KQ"]})] == [
        "latency",
        "never",
        "reset",
    ]
    assert [f.name for f in control.clear_faults("never")] == ["latency", "reset"]
    assert [f.name for f in control.clear_faults("latency")] == ["reset"]
    assert control.clear_faults() == [] and control.faults() == []


def test_admin_errors_carry_status_and_reason(control: MockStateControl) -> None:
    with pytest.raises(AdminError) as caught:
        control.set_faults({"type": "latency", "params": {"ms": "soon"}})
    assert caught.value.status == 422
    assert "invalid fault spec: [0].latency.params.ms" in caught.value.message
    with pytest.raises(AdminError, match="HTTP 404: no fault named 'ghost'"):
        control.clear_faults("ghost")
    with pytest.raises(AdminError, match="invalid records: drivers\\[0\\]: a driver needs"):
        control.add_records(drivers=[{"SEX": "M"}])


def test_journal_filters_and_reset(mock: tuple[str, MockStateControl]) -> None:
    url, control = mock
    control.reset()
    before = datetime.now(UTC) - timedelta(seconds=1)
    _query(url, OLN=OLN)
    _query(url, "VTICE0900", OLN=OLN)
    _query(url, "NY0303000", "RQ", LIC="X1")
    assert [e.ori for e in control.journal(key="DQ")] == ["NY0303000", "VTICE0900"]
    assert [e.key for e in control.journal(ori="NY*")] == ["DQ", "RQ"]
    first = control.journal()[0].seq
    assert [e.key for e in control.journal(after=first, limit=1)] == ["RQ"]
    assert len(control.journal(since=before, outcome="answered")) == 3
    assert control.reset("journal") == ["journal"]
    assert control.journal() == []


def test_assert_received_and_not_received(mock: tuple[str, MockStateControl]) -> None:
    url, control = mock
    control.reset()
    _query(url, OLN=OLN)
    [entry] = control.assert_received(key="DQ", ori="NY0303000", fields={"OLN": OLN})
    assert entry.answer is not None and entry.answer.records[0]["OLN"] == OLN
    control.assert_received(times=1)
    control.assert_not_received(ori="VTICE0900")
    control.assert_not_received(fields={"OLN": "OTHER"})
    with pytest.raises(AssertionError, match="received DQ from VTICE0900 0 time"):
        control.assert_received(key="DQ", ori="VTICE0900")
    with pytest.raises(AssertionError, match="expected 2 time"):
        control.assert_received(times=2)
    with pytest.raises(
        AssertionError, match=f"expected never:\n  #\\d+ .* DQ from NY0303000 OLN/{OLN}"
    ):
        control.assert_not_received(key="DQ")
