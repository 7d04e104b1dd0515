"""SwitchClient and AsyncSwitchClient against a hub in this process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from simulators.dmv import StateDMV
from switch.app.runtime import Runtime
from switch.client import (
    AsyncSwitchClient,
    Mailbox,
    Reply,
    Result,
    SwitchClient,
    SwitchClientError,
)
from tests.client.portal import PortalTransport, on_loop
from tests.utils.destinations import FakeState
from tests.utils.hubs import Keys, make_client

WA_OLN = StateDMV("WA").driver(5)["OLN"]
URL = "http://testserver"

Hub = tuple[TestClient, Keys, Runtime]


@pytest.fixture
def hub(sqlite_url: str) -> Iterator[Hub]:
    with make_client(sqlite_url) as made:
        yield made


def agency(hub: Hub, ori: str) -> SwitchClient:
    client, keys, _ = hub
    return SwitchClient(URL, keys.agency[ori], transport=PortalTransport(client))


def test_text_message_gives_a_typed_reply(hub: Hub) -> None:
    with agency(hub, "NY0303000") as ny:
        reply = ny.send(f"DQ.NY0303000.WA.*K7F2.TXTOLN/{WA_OLN}")
    assert isinstance(reply, Reply)
    assert (reply.status_code, reply.ok, reply.error) == (200, True, None)
    assert (reply.key, reply.ori, reply.summary) == ("DQ", "NY0303000", None)
    [result] = reply.results
    assert isinstance(result, Result)
    assert (result.destination, result.decision, result.status) == ("WA", "permit", "answered")
    assert result.permitted and result.latency_ms >= 0
    assert result.policy_version is not None and result.policy_version.startswith("sha256:")
    assert result.response is not None and result.response.key == "DR"
    assert result.response.fields["OLN"] == WA_OLN
    assert result.response.records == (result.response.fields,) and result.response.hit
    assert "*K7F2" in result.response.text
    assert reply.raw["id"] == reply.id
    with pytest.raises(FrozenInstanceError):
        reply.status_code = 500  # type: ignore[misc]


def test_json_message_is_the_same_query(hub: Hub) -> None:
    with agency(hub, "NY0303000") as ny:
        one = ny.send_json("DQ", "WA", {"OLN": WA_OLN}, control="J1")
        listed = ny.send_json("DQ", ["WA"], {"OLN": WA_OLN})
    for reply in (one, listed):
        assert reply.ok and reply.ori == "NY0303000"
        [result] = reply.results
        assert result.response is not None and result.response.fields["OLN"] == WA_OLN
    assert one.results[0].response is not None and "*J1" in one.results[0].response.text


def test_not_on_file_has_no_records(hub: Hub) -> None:
    with agency(hub, "NY0303000") as ny:
        [result] = ny.send("DQ.NY0303000.WA.TXTOLN/NOSUCH1").results
    assert result.status == "answered" and result.response is not None
    assert not result.response.hit and dict(result.response.fields) == {}


@pytest.mark.parametrize(
    ("text", "status", "code"),
    [
        ("DQ.NY0303000.QQ.TXTOLN/1", 422, ".19."),
        ("DQ.NY0303000.WA.TXTNAM/DOE,JOHN", 422, ".14."),
        # The header names another ORI than the key's: refused 403, still an ER.
        ("DQ.VTICE0900.WA.TXTOLN/1", 403, ".01."),
    ],
)
def test_a_refused_message_is_a_reply_with_its_er(
    hub: Hub, text: str, status: int, code: str
) -> None:
    with agency(hub, "NY0303000") as ny:
        reply = ny.send(text)
    assert (reply.status_code, reply.ok, reply.results) == (status, False, ())
    assert reply.error is not None and reply.error.is_er
    assert reply.error.code == code
    assert reply.error.er_text is not None and reply.error.er_text.startswith(code)
    assert reply.id is not None  # audited under its own id


def test_unknown_key_raises_with_status_and_body(hub: Hub) -> None:
    client, _, _ = hub
    bogus = SwitchClient(URL, "sw_bogus", transport=PortalTransport(client))
    with bogus, pytest.raises(SwitchClientError) as caught:
        bogus.send("DQ.NY0303000.WA.TXTOLN/1")
    assert caught.value.status_code == 401
    assert caught.value.error is not None and caught.value.error.code == "UNAUTHORIZED"
    assert not caught.value.error.is_er
    assert caught.value.body is not None and "error" in caught.value.body


def test_admin_key_sending_raises_403(hub: Hub) -> None:
    client, keys, _ = hub
    admin = SwitchClient(URL, keys.admin, transport=PortalTransport(client))
    with admin, pytest.raises(SwitchClientError) as caught:
        admin.send("DQ.NY0303000.WA.TXTOLN/1")
    assert caught.value.status_code == 403


def test_no_hub_at_all_raises_without_a_status() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    lost = SwitchClient(URL, "k", transport=httpx.MockTransport(refuse))
    with lost, pytest.raises(SwitchClientError) as caught:
        lost.send("DQ.NY0303000.WA.TXTOLN/1")
    assert caught.value.status_code is None
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_a_body_that_is_not_json_raises() -> None:
    def garble(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    client = SwitchClient(URL, "k", transport=httpx.MockTransport(garble))
    with client, pytest.raises(SwitchClientError) as caught:
        client.send("DQ.NY0303000.WA.TXTOLN/1")
    assert caught.value.status_code == 502 and caught.value.body is None


def test_mailbox_holds_an_am(hub: Hub) -> None:
    with agency(hub, "NY0303000") as ny, ny.with_key(hub[1].agency["VTICE0900"]) as lesc:
        sent = ny.send("AM.NY0303000.VTICE0900.TXTPLEASE CALL")
        assert [r.status for r in sent.results] == ["delivered"]
        mailbox = lesc.mailbox()
        assert ny.mailbox().items == ()
    assert isinstance(mailbox, Mailbox) and mailbox.ori == "VTICE0900"
    [item] = mailbox.items
    assert (item.key, item.message_id) == ("AM", sent.id)
    assert "PLEASE CALL" in item.text
    assert item.result is not None and item.result.status == "delivered"


def test_wait_zero_is_accepted_and_the_answer_lands_in_the_mailbox(hub: Hub) -> None:
    client, _, runtime = hub
    with agency(hub, "NY0303000") as ny:
        reply = ny.send(f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}", wait=0)
        assert reply.accepted and reply.status_code == 202 and reply.results == ()
        on_loop(client, runtime.hub.drain)
        items = ny.mailbox().items
    assert [(i.key, i.message_id) for i in items] == [("DR", reply.id)]


def test_get_message_reads_the_audit_for_its_sender_only(hub: Hub) -> None:
    _, keys, _ = hub
    with agency(hub, "NY0303000") as ny:
        sent = ny.send(f"DQ.NY0303000.WA.*C1.TXTOLN/{WA_OLN}")
        assert sent.id is not None
        stored = ny.get_message(sent.id)
        with ny.with_key(keys.agency["VTICE0900"]) as other, pytest.raises(SwitchClientError) as c:
            other.get_message(sent.id)
    assert (stored.id, stored.ori, stored.key, stored.control) == (sent.id, "NY0303000", "DQ", "C1")
    assert (stored.outcome, stored.destinations) == ("routed", ("WA",))
    assert stored.fields["OLN"] == WA_OLN
    assert [(r.destination, r.decision) for r in stored.results] == [("WA", "permit")]
    assert c.value.status_code == 404


def test_nl_reply_carries_its_summary(sqlite_url: str) -> None:
    fakes = {"WA": FakeState("WA", records=({"NAM": "DOE,JOHN"},)), "OR": FakeState("OR")}
    with make_client(sqlite_url, destinations=fakes) as (client, keys, _):
        ny = SwitchClient(URL, keys.agency["NY0303000"], transport=PortalTransport(client))
        with ny:
            reply = ny.send("DQ.NY0303000.NL.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M", wait=5)
    assert reply.summary is not None
    assert reply.summary["hit"] == ("WA",) and reply.summary["no_hit"] == ("OR",)
    assert [r.destination for r in reply.results] == ["WA"]


def test_async_client_makes_the_same_calls(hub: Hub) -> None:
    client, keys, _ = hub

    async def calls() -> tuple[Reply, Reply, Reply, Mailbox, Any]:
        transport = httpx.ASGITransport(app=client.app)
        async with AsyncSwitchClient(URL, keys.agency["NY0303000"], transport=transport) as ny:
            text = await ny.send(f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}", wait=5)
            json_form = await ny.send_json("DQ", "WA", {"OLN": WA_OLN})
            refused = await ny.send("DQ.NY0303000.QQ.TXTOLN/1")
            lesc = ny.with_key(keys.agency["VTICE0900"])
            await ny.send("AM.NY0303000.VTICE0900.TXTCALL ME")
            mailbox = await lesc.mailbox()
            assert text.id is not None
            stored = await ny.get_message(text.id)
            async with ny.with_key("sw_bogus") as bogus:
                with pytest.raises(SwitchClientError) as caught:
                    await bogus.send("DQ.NY0303000.WA.TXTOLN/1")
                assert caught.value.status_code == 401
            return text, json_form, refused, mailbox, stored

    text, json_form, refused, mailbox, stored = on_loop(client, calls)
    for reply in (text, json_form):
        [result] = reply.results
        assert (result.decision, result.status) == ("permit", "answered")
        assert result.response is not None and result.response.fields["OLN"] == WA_OLN
    assert refused.error is not None and refused.error.code == ".19."
    assert [i.key for i in mailbox.items] == ["AM"]
    assert stored.id == text.id


def test_closing_a_with_key_client_leaves_the_pool_open(hub: Hub) -> None:
    _, keys, _ = hub
    with agency(hub, "NY0303000") as ny:
        with ny.with_key(keys.agency["VTICE0900"]) as lesc:
            lesc.mailbox()
        assert ny.send(f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}").ok
