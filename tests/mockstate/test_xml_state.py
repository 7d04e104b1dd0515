"""A mock state that speaks Nlets XML (`switch sim state --xml`), and the
hub speaking XML to it when its URL says `?form=xml`."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from simulators.mockstate import MockState, create_app
from simulators.mockstate._server import registered_url
from switch.destinations.base import DestinationFault
from switch.destinations.http import HttpDestination, read_xml_answer, url_options
from switch.destinations.registry import build_destinations
from switch.messages import OutputMessage, from_xml, output_to_xml, parse, parse_output_xml, to_xml
from switch.messages.xmldoc import check_schema, parse_element
from switch.testing import MockStateFactory, SwitchHub

pytest_plugins = ["switch.testing"]

JANE = {"OLN": "WDLTEST00001", "NAM": "DOE,JANE", "DOB": "19850214", "SEX": "F"}
DQ = "DQ.NY0303000.WA.*C1.TXTOLN/WDLTEST00001"


def test_the_hub_and_an_xml_state_speak_xml_both_ways(
    switch_hub: SwitchHub, mock_state: MockStateFactory
) -> None:
    wa = mock_state("WA", records=[JANE], xml=True)
    reply = switch_hub.agency("NY0303000").send(DQ)
    [result] = reply.results
    assert result.status == "answered", result.response
    assert result.response is not None and result.response.fields["NAM"] == "DOE,JANE"
    wa.assert_received(key="DQ", ori="NY0303000", times=1)


def test_send_xml_returns_the_parsed_reply(
    switch_hub: SwitchHub, mock_state: MockStateFactory
) -> None:
    mock_state("WA", records=[JANE], xml=True)
    police = switch_hub.agency("NY0303000")
    for message in (DQ, parse(DQ), to_xml(parse(DQ))):
        reply = police.send_xml(message)
        assert reply.error is None
        assert reply.results[0].response is not None
        assert reply.results[0].response.fields["OLN"] == "WDLTEST00001"
    refused = police.send_xml(to_xml(parse(DQ)).replace("</n2:NLETS>", "<x/></n2:NLETS>"))
    assert refused.error is not None and refused.error.code == ".22."


def test_a_hub_speaking_json_to_an_xml_state_gets_a_fault(
    switch_hub: SwitchHub, mock_state: MockStateFactory
) -> None:
    mock_state("WA", records=[JANE], xml=True)
    url = switch_hub.runtime.destinations["WA"].base_url  # type: ignore[attr-defined]
    switch_hub.route("WA", url)  # no ?form=xml: JSON
    [result] = switch_hub.agency("NY0303000").send(DQ).results
    assert result.status == "fault"
    assert result.response is not None and "HTTP 415" in result.response.text


@pytest.mark.parametrize("kind", ["garbage", "truncated", "wrong_shape", "wrong_key"])
def test_malformed_xml_answers_are_faults(
    switch_hub: SwitchHub, mock_state: MockStateFactory, kind: str
) -> None:
    mock_state("WA", records=[JANE], xml=True, faults=[{"type": "malformed", "kind": kind}])
    [result] = switch_hub.agency("NY0303000").send(DQ).results
    assert result.status == "fault"


def test_the_xml_state_answers_an_nlets_response() -> None:
    service = MockState("WA", generated=False)
    with TestClient(create_app(service, xml=True)) as client:
        headers = {"Content-Type": "application/xml"}
        response = client.post("/v1/query", content=to_xml(parse(DQ)).encode(), headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/xml")
        check_schema(parse_element(response.content), "nlets.xsd", "")
        out = parse_output_xml(response.content)
        assert (out.key, out.to, out.sender, out.control) == ("DR", "NY0303000", "WAOLN0000", "C1")
        as_json = client.post("/v1/query", json={"key": "DQ", "ori": "NY0303000", "fields": {}})
        assert as_json.status_code == 415
        bad = client.post("/v1/query", content=b"<!DOCTYPE a><a/>", headers=headers)
        assert bad.status_code == 422 and ".03." in bad.json()["error"]["message"]
        answer = output_to_xml(out).encode()
        wrong = client.post("/v1/query", content=answer, headers=headers)
        assert wrong.status_code == 422  # a DR is no query


def test_the_url_says_which_form() -> None:
    assert registered_url("http://h:1", True) == "http://h:1?form=xml"
    assert url_options("http://h:1/?timeout=2&form=xml") == ("http://h:1", 2.0, "xml")
    assert url_options("http://h:1") == ("http://h:1", None, None)
    with pytest.raises(ValueError, match="form must be json or xml"):
        url_options("http://h:1?form=yaml")
    destinations = build_destinations(
        "WA=http://h:1?form=xml", builtin=lambda st: None, breaker=None
    )  # type: ignore[arg-type,return-value]
    assert isinstance(destinations["WA"], HttpDestination) and destinations["WA"].form == "xml"


def test_the_xml_destination_sends_an_nlets_inquiry_to_the_state() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        out = OutputMessage(
            "DR", "NY0303000", "WAOLN0000", "", datetime(2026, 1, 1), records=(JANE,)
        )
        return httpx.Response(200, content=output_to_xml(out).encode())

    async def run() -> None:
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        destination = HttpDestination("WA", "http://wa.test?form=xml", client=client)
        answer = await destination.query(parse("DQ.NY0303000.NL.TXTOLN/WDLTEST00001"))
        assert answer.key == "DR" and dict(answer.records[0]) == JANE
        await client.aclose()

    asyncio.run(run())
    sent = from_xml(seen[0])
    assert sent.destinations == ("WA",)  # addressed to the state, not NL
    assert dict(sent.fields) == {"OLN": "WDLTEST00001"}


def test_an_xml_answer_for_another_key_is_a_fault() -> None:
    out = OutputMessage("RR", "NY0303000", "WAOLN0000", "", datetime(2026, 1, 1))
    with pytest.raises(DestinationFault, match="answered 'RR' to DQ"):
        read_xml_answer(output_to_xml(out).encode(), "DQ")
    with pytest.raises(DestinationFault, match="not Nlets XML"):
        read_xml_answer(b'{"key": "DR", "records": []}', "DQ")
