"""POST /v1/messages in Nlets XML: the reply in XML, hostile XML refused
with ER .03. and HTTP 422 and audited, and the form kept in the audit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from simulators.dmv import StateDMV
from switch.messages import Message, parse, to_json, to_xml
from switch.messages.xmldoc import SR, check_schema, parse_element
from switch.messages.xmlreply import reply_from_xml
from tests.utils.hubs import Keys, make_client

SENDER = "NY0303000"
XML = {"Content-Type": "application/xml"}
BODY_LIMIT = 65536
MALFORMED = ".03. TXT NOT FOUND OR IMPROPERLY FORMED XML"

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)).replace(
        "&lol0;", "&lol;"
    )
    + "]><lolz>&lol9;</lolz>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE n [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><n>&xxe;</n>'
)
HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "external entity": EXTERNAL_ENTITY,
    "a DTD": '<!DOCTYPE NLETS SYSTEM "http://127.0.0.1:9/nlets.dtd"><NLETS/>',
    "5,000 deep": "<a>" * 5000 + "</a>" * 5000,
    "not well formed": "<n2:NLETS><unclosed>",
    "not UTF-8": b"<a>\xff\xfe</a>",
}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Keys]]:
    database = f"sqlite:///{tmp_path_factory.mktemp('xml') / 'hub.db'}"
    # Bodies up to 64 KiB, so that a 5,000-deep document (35 KB) reaches the
    # parser's own bounds; under the default 8 KiB it is refused unread (413).
    with make_client(database, max_body_bytes=BODY_LIMIT) as (client, keys, _):
        yield client, keys


def _dq(ori: str = SENDER, state: str = "NY") -> str:
    return f"DQ.{ori}.{state}.*X1.TXTOLN/{StateDMV(state).driver(0)['OLN']}"


def _post(hub: tuple[TestClient, Keys], body: str | bytes, **headers: str) -> Any:
    client, keys = hub
    content = body.encode() if isinstance(body, str) else body
    return client.post("/v1/messages", content=content, headers={**keys.auth(SENDER), **headers})


def _reply(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/xml"), response.text
    root = parse_element(response.content)
    assert root.tag == f"{{{SR}}}SwitchReply"
    check_schema(root, "switch-reply.xsd", "")  # every rendered reply is valid
    return reply_from_xml(response.content)


def _audited(hub: tuple[TestClient, Keys], message_id: str) -> dict[str, Any]:
    client, keys = hub
    page = client.get("/v1/audit", params={"limit": 1000}, headers=keys.admin_auth).json()
    [record] = [r for r in page["records"] if r["id"] == message_id]
    return record


def test_an_xml_query_is_answered_in_xml(hub: tuple[TestClient, Keys]) -> None:
    response = _post(hub, to_xml(parse(_dq())), **XML)
    assert response.status_code == 200
    reply = _reply(response)
    [result] = reply["results"]
    assert (result["destination"], result["status"]) == ("NY", "answered")
    assert result["response"]["key"] == "DR"
    assert result["response"]["fields"]["OLN"] == StateDMV("NY").driver(0)["OLN"]
    assert _audited(hub, reply["id"])["form"] == "xml"


def test_the_xml_reply_says_what_the_json_reply_says(hub: tuple[TestClient, Keys]) -> None:
    as_json = _post(hub, _dq()).json()
    as_xml = _reply(_post(hub, _dq(), Accept="application/xml"))
    for reply in (as_json, as_xml):
        reply.pop("id")
        for result in reply["results"]:
            result.pop("latency_ms")
            # Each answer has its own output number and time.
            result["response"].pop("text")
    assert as_xml == as_json


@pytest.mark.parametrize("content_type", ["text/xml", "application/xml; charset=utf-8"])
def test_text_xml_reads_the_same(hub: tuple[TestClient, Keys], content_type: str) -> None:
    response = _post(hub, to_xml(parse(_dq())), **{"Content-Type": content_type})
    assert response.status_code == 200
    assert _reply(response)["results"][0]["status"] == "answered"


def test_xml_asked_with_json_accepted_is_answered_in_json(hub: tuple[TestClient, Keys]) -> None:
    response = _post(hub, to_xml(parse(_dq())), **XML, Accept="application/json")
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "answered"


def test_text_and_json_are_answered_in_json_as_before(hub: tuple[TestClient, Keys]) -> None:
    client, keys = hub
    text = _post(hub, _dq())
    body = to_json(parse(_dq()))
    json_reply = client.post("/v1/messages", json=body, headers=keys.auth(SENDER))
    for response, form in ((text, "text"), (json_reply, "json")):
        assert response.headers["content-type"] == "application/json"
        assert _audited(hub, response.json()["id"])["form"] == form


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_er_03_422_and_audited(hub: tuple[TestClient, Keys], name: str) -> None:
    response = _post(hub, HOSTILE[name], **XML)
    assert response.status_code == 422
    reply = _reply(response)
    assert reply["error"]["code"] == ".03."
    assert reply["error"]["er_text"].startswith(MALFORMED + "\n")
    record = _audited(hub, reply["id"])
    assert (record["outcome"], record["er_code"], record["http_status"]) == (
        "rejected",
        ".03.",
        422,
    )
    assert record["form"] == "xml"


def test_hostile_xml_asked_for_json_is_the_same_er_in_json(hub: tuple[TestClient, Keys]) -> None:
    response = _post(hub, BILLION_LAUGHS, **XML, Accept="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["er_text"].startswith(MALFORMED)


def test_a_document_against_the_schema_is_er_22(hub: tuple[TestClient, Keys]) -> None:
    document = to_xml(parse(_dq())).replace("sx:DriverLicenseID", "sx:Licence")
    reply = _reply(_post(hub, document, **XML))
    assert reply["error"]["code"] == ".22."
    assert "SCHEMA" in reply["error"]["er_text"]


def test_a_header_against_the_schema_is_er_01(hub: tuple[TestClient, Keys]) -> None:
    document = to_xml(parse(_dq())).replace("<hdr:OriginatingORIID>", "<hdr:Originator>", 1)
    document = document.replace("</hdr:OriginatingORIID>", "</hdr:Originator>", 1)
    reply = _reply(_post(hub, document, **XML))
    assert reply["error"]["code"] == ".01."


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/19801399.SEX/M", ".05."),
        ("DQ.NY0303000.WA.TXTNAM/DOE,JOHN", ".14."),
        ("DQ.NY0303000.WA.TXTVIN/1HGCM82633A004352", ".22."),
        ("DQ.NY0303000.WA,WA.TXTOLN/1", ".19."),
    ],
)
def test_a_field_mistake_gets_the_code_the_text_gets(
    hub: tuple[TestClient, Keys], text: str, code: str
) -> None:
    as_text = _post(hub, text).json()["error"]
    head, _, fields = text.partition(".TXT")
    key, ori, dests = head.split(".")
    pairs = dict(f.split("/", 1) for f in fields.split("."))
    message = Message(key, ori, tuple(dests.split(",")), pairs)
    as_xml = _reply(_post(hub, to_xml(message), **XML))["error"]
    assert as_text["code"] == as_xml["code"] == code
    assert as_text["er_text"] == as_xml["er_text"]


def test_an_xml_header_naming_another_ori_is_refused_403(hub: tuple[TestClient, Keys]) -> None:
    response = _post(hub, to_xml(parse(_dq(ori="WAOLN0000", state="WA"))), **XML)
    assert response.status_code == 403
    assert _reply(response)["error"]["code"] == ".01."


def test_an_xml_body_over_the_limit_is_refused_413(hub: tuple[TestClient, Keys]) -> None:
    document = to_xml(parse("AM.NY0303000.WA.TXTHELLO")).replace("HELLO", "A" * BODY_LIMIT)
    response = _post(hub, document, **XML)
    assert response.status_code == 413
    assert _reply(response)["error"]["code"] == ".22."


def test_an_am_in_xml_is_delivered(hub: tuple[TestClient, Keys]) -> None:
    reply = _reply(_post(hub, to_xml(parse("AM.NY0303000.WAOLN0000.TXTCALL ME")), **XML))
    assert reply["results"][0]["status"] == "delivered"
