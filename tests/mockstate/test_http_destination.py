"""switch.destinations.http: what each thing the wire can do becomes for the
router (answer, OutOfService, TimeoutError, DestinationFault), with the
transport mocked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from switch.app.simulated import simulated_states
from switch.destinations.base import DestinationFault, OutOfService, StateAnswer
from switch.destinations.http import DEFAULT_TIMEOUT, HttpDestination, read_answer, split_timeout
from switch.destinations.registry import build_destinations
from switch.messages import parse

DQ = parse("DQ.NY0303000.WA.TXTOLN/WDL123.IMQ/N")
Handler = Callable[[httpx.Request], httpx.Response]


def _query(handler: Handler, **options: Any) -> StateAnswer:
    async def run() -> StateAnswer:
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        destination = HttpDestination("WA", "http://wa.test/", client=client, **options)
        try:
            return await destination.query(DQ)
        finally:
            await destination.aclose()
            await client.aclose()

    return asyncio.run(run())


def _raise(exc: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


def test_posts_key_ori_fields_and_reads_the_answer() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"key": "DR", "records": [{"OLN": "WDL123"}]})

    answer = _query(handler)
    assert answer == StateAnswer("DR", ({"OLN": "WDL123"},))
    [request] = seen
    assert (request.method, str(request.url)) == ("POST", "http://wa.test/v1/query")
    assert json.loads(request.content) == {
        "key": "DQ",
        "ori": "NY0303000",
        "fields": {"OLN": "WDL123", "IMQ": "N"},
    }


def test_503_is_out_of_service() -> None:
    with pytest.raises(OutOfService):
        _query(lambda r: httpx.Response(503))


def test_nothing_listening_is_out_of_service() -> None:
    with pytest.raises(OutOfService, match="cannot connect"):
        _query(_raise(httpx.ConnectError("refused")))


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("full")]
)
def test_a_transport_timeout_is_no_answer_in_time(exc: Exception) -> None:
    with pytest.raises(TimeoutError):
        _query(_raise(exc))


def test_the_destination_timeout_bounds_the_whole_reply() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(60)
        return httpx.Response(200)

    async def run() -> None:
        client = httpx.AsyncClient(transport=httpx.MockTransport(slow))
        destination = HttpDestination("WA", "http://wa.test", client=client, timeout=0.05)
        try:
            await destination.query(DQ)
        finally:
            await client.aclose()

    with pytest.raises(TimeoutError):
        asyncio.run(run())


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (httpx.RemoteProtocolError("peer closed"), "connection lost (RemoteProtocolError)"),
        (httpx.ReadError("reset by peer"), "connection lost (ReadError)"),
        (httpx.WriteError("broken pipe"), "connection lost (WriteError)"),
    ],
)
def test_a_dropped_connection_is_a_fault(exc: Exception, said: str) -> None:
    with pytest.raises(DestinationFault, match=said.replace("(", r"\(").replace(")", r"\)")):
        _query(_raise(exc))


@pytest.mark.parametrize("status", [400, 404, 500, 502, 504])
def test_other_statuses_are_faults(status: int) -> None:
    with pytest.raises(DestinationFault, match=f"HTTP {status}"):
        _query(lambda r: httpx.Response(status))


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"\xff\xfe garbage", "not JSON"),
        (b'{"key": "DR", "rec', "not JSON"),
        (b"[]", "not {key, records}"),
        (b'{"key": "DR"}', "not {key, records}"),
        (b'{"key": "DR", "records": "NOT ON FILE"}', "not {key, records}"),
        (b'{"key": "DR", "records": ["x"]}', "a record is not {field: text}"),
        (b'{"key": "DR", "records": [{"HGT": 510}]}', "a record is not {field: text}"),
        (b'{"key": "RR", "records": []}', "answered 'RR' to DQ"),
        (b'{"key": null, "records": []}', "answered None to DQ"),
    ],
)
def test_a_reply_that_is_not_the_expected_json_is_a_fault(body: bytes, said: str) -> None:
    with pytest.raises(DestinationFault, match=said.replace("{", r"\{").replace("}", r"\}")):
        read_answer(body, "DQ")
    with pytest.raises(DestinationFault):
        _query(lambda r: httpx.Response(200, content=body))


def test_no_records_is_not_on_file() -> None:
    assert read_answer(b'{"key": "DR", "records": []}', "DQ") == StateAnswer("DR", ())


def test_timeout_from_the_url_or_the_constructor() -> None:
    assert split_timeout("http://h:1/?timeout=2.5") == ("http://h:1", 2.5)
    assert split_timeout("http://h:1") == ("http://h:1", None)
    assert HttpDestination("WA", "http://h:1?timeout=2.5").timeout == 2.5
    assert HttpDestination("WA", "http://h:1?timeout=2.5", timeout=7).timeout == 7
    assert HttpDestination("WA", "http://h:1").timeout == DEFAULT_TIMEOUT
    with pytest.raises(ValueError, match="timeout must be seconds"):
        HttpDestination("WA", "http://h:1?timeout=soon")
    with pytest.raises(ValueError, match="only query parameters"):
        HttpDestination("WA", "http://h:1?retries=3")
    with pytest.raises(ValueError, match="must be positive"):
        HttpDestination("WA", "http://h:1?timeout=0")


def test_switch_states_carries_the_timeout_to_the_destination() -> None:
    destinations = build_destinations(
        "WA=http://127.0.0.1:9001?timeout=1.5", builtin=simulated_states(), breaker=None
    )
    wa = destinations["WA"]
    assert isinstance(wa, HttpDestination)
    assert (wa.base_url, wa.timeout) == ("http://127.0.0.1:9001", 1.5)


def test_the_pooled_client_is_made_on_first_use_and_closed() -> None:
    destination = HttpDestination("WA", "http://wa.test")

    async def run() -> None:
        client = destination._http()
        assert destination._http() is client
        await destination.aclose()
        assert client.is_closed
        await destination.aclose()

    asyncio.run(run())
