"""POST /v1/messages end to end through the FastAPI app, on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from simulators.dmv import StateDMV
from switch.db.schema import audit_records
from tests.utils.destinations import FakeState
from tests.utils.hubs import make_client
from tests.utils.polling import until

WA_OLN = StateDMV("WA").driver(5)["OLN"]


def _audit_row(runtime, message_id):  # type: ignore[no-untyped-def]
    with runtime.engine.connect() as conn:
        return conn.execute(select(audit_records).where(audit_records.c.id == message_id)).first()


def test_text_query_is_answered_and_audited(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        response = client.post(
            "/v1/messages",
            content=f"DQ.NY0303000.WA.*K7F2.TXTOLN/{WA_OLN}",
            headers={**keys.auth("NY0303000"), "Content-Type": "text/plain"},
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["key"], body["ori"]) == ("DQ", "NY0303000")
        [result] = body["results"]
        assert result["destination"] == "WA"
        assert (result["decision"], result["status"]) == ("permit", "answered")
        assert result["response"]["key"] == "DR"
        assert result["response"]["fields"]["OLN"] == WA_OLN
        assert result["response"]["text"].startswith("DR.NY0303000\n")
        assert "*K7F2" in result["response"]["text"]
        row = _audit_row(runtime, body["id"])
        assert row is not None and row.outcome == "routed" and row.control == "K7F2"
        stored = client.get(f"/v1/messages/{body['id']}", headers=keys.auth("NY0303000"))
        assert stored.status_code == 200
        # The version that decided is the content hash of WA's policy file.
        assert stored.json()["results"][0]["policy_version"] == runtime.policies.versions()["WA"]
        assert stored.json()["results"][0]["policy_version"].startswith("sha256:")


def test_json_form_is_the_same_message(database_url: str) -> None:
    with make_client(database_url) as (client, keys, _):
        response = client.post(
            "/v1/messages",
            json={"key": "DQ", "dest": ["WA"], "fields": {"OLN": WA_OLN}, "control": "J1"},
            headers=keys.auth("NY0303000"),
        )
        assert response.status_code == 200
        assert response.json()["results"][0]["response"]["fields"]["OLN"] == WA_OLN


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("XX.NY0303000.WA.TXTOLN/1", ".01."),
        ("DR.NY0303000.WA.TXTOLN/1", ".02."),
        ("DQ.NY0303000.WA.OLN/1", ".03."),
        # A line break ends the header: no TXT before it is .03., not .19.
        ("DQ.NY0303000.WA\nOLN/WDL0000001", ".03."),
        ("DQ.NY0303000.WA\r\nOLN/WDL0000001", ".03."),
        ("DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/20201399.SEX/M", ".05."),
        ("RQ.NY0303000.WA.TXTLIC/ABC1.LIY/25", ".10."),
        ("DQ.NY0303000.WA.TXTNAM/DOE,JOHN", ".14."),
        ("KQ.NY0303000.WA.TXTOLN/1.ATN/", ".16."),
        ("DQ.NY0303000.QQ.TXTOLN/1", ".19."),
        ("DQ.NY0303000.WA.TXTOLN/1.", ".22."),
    ],
)
def test_every_er_code_is_a_422_that_is_audited(database_url: str, text: str, code: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        response = client.post("/v1/messages", content=text, headers=keys.auth("NY0303000"))
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == code
        assert error["er_text"].startswith(code)
        assert text[:100] in error["er_text"]
        row = _audit_row(runtime, response.json()["id"])
        assert row is not None
        assert (row.outcome, row.er_code, row.http_status) == ("rejected", code, 422)
        assert row.raw == text


def test_no_key_and_bad_key_are_401(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, _, _):
        text = "DQ.NY0303000.WA.TXTOLN/1"
        assert client.post("/v1/messages", content=text).status_code == 401
        bad = client.post("/v1/messages", content=text, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        assert bad.json()["error"]["code"] == "UNAUTHORIZED"


def test_header_ori_not_the_keys_is_403_and_audited(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        response = client.post(
            "/v1/messages", content="DQ.VTICE0900.WA.TXTOLN/1", headers=keys.auth("NY0303000")
        )
        assert response.status_code == 403
        row = _audit_row(runtime, response.json()["id"])
        # Filed under the key's agency, the one that tried; the header's claim beside it.
        assert row is not None and row.http_status == 403
        assert (row.sender_ori, row.claimed_ori) == ("NY0303000", "VTICE0900")
        assert row.identity.endswith("/NY0303000")


def test_body_over_the_limit_is_413(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, runtime):
        text = "AM.NY0303000.VTICE0900.TXT" + "A" * 9000
        response = client.post("/v1/messages", content=text, headers=keys.auth("NY0303000"))
        assert response.status_code == 413
        assert _audit_row(runtime, response.json()["id"]).http_status == 413


def test_undecodable_bytes_and_bad_json_are_er_22(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, _):
        auth = keys.auth("NY0303000")
        assert client.post("/v1/messages", content=b"\xff\xfe", headers=auth).status_code == 422
        response = client.post(
            "/v1/messages",
            content=b"{not json",
            headers={**auth, "Content-Type": "application/json"},
        )
        assert response.status_code == 422 and response.json()["error"]["code"] == ".22."


def test_admin_key_cannot_send(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, _):
        response = client.post(
            "/v1/messages", content="DQ.NY0303000.WA.TXTOLN/1", headers=keys.admin_auth
        )
        assert response.status_code == 403


def test_message_is_visible_to_sender_and_admin_only(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, _):
        sent = client.post(
            "/v1/messages", content="DQ.NY0303000.WA.TXTOLN/1", headers=keys.auth("NY0303000")
        ).json()
        path = f"/v1/messages/{sent['id']}"
        assert client.get(path, headers=keys.auth("NY0303000")).status_code == 200
        assert client.get(path, headers=keys.admin_auth).status_code == 200
        assert client.get(path, headers=keys.auth("VTICE0900")).status_code == 404
        assert client.get("/v1/messages/nosuch", headers=keys.admin_auth).status_code == 404


def test_am_reaches_the_recipients_mailbox(database_url: str) -> None:
    with make_client(database_url) as (client, keys, _):
        response = client.post(
            "/v1/messages",
            content="AM.NY0303000.VTICE0900.TXTPLEASE CALL",
            headers=keys.auth("NY0303000"),
        )
        assert response.status_code == 200
        assert response.json()["results"][0]["status"] == "delivered"
        items = client.get("/v1/mailbox", headers=keys.auth("VTICE0900")).json()["items"]
        assert [(i["key"], i["message_id"]) for i in items] == [("AM", response.json()["id"])]
        assert "PLEASE CALL" in items[0]["text"]
        assert client.get("/v1/mailbox", headers=keys.auth("NY0303000")).json()["items"] == []


def test_wait_zero_answers_202_then_fills_the_mailbox(database_url: str) -> None:
    with make_client(database_url) as (client, keys, _):
        response = client.post(
            "/v1/messages",
            params={"wait": 0},
            content=f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}",
            headers=keys.auth("NY0303000"),
        )
        assert response.status_code == 202
        items: list[dict[str, object]] = until(
            lambda: client.get("/v1/mailbox", headers=keys.auth("NY0303000")).json()["items"],
            seconds=5,
        )
        assert [i["key"] for i in items] == ["DR"]
        assert items[0]["message_id"] == response.json()["id"]


def test_nl_reply_has_summary_and_only_hits(sqlite_url: str) -> None:
    fakes = {
        "WA": FakeState("WA", records=({"NAM": "DOE,JOHN"},)),
        "OR": FakeState("OR"),
        "CA": FakeState("CA", delay=3),
    }
    with make_client(sqlite_url, destinations=fakes) as (client, keys, _):
        response = client.post(
            "/v1/messages",
            params={"wait": 0.3},
            content="DQ.NY0303000.NL.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M",
            headers=keys.auth("NY0303000"),
        )
        body = response.json()
        assert response.status_code == 200
        assert {r["destination"]: r["status"] for r in body["results"]} == {
            "WA": "answered",
            "CA": "no_response",
        }
        assert body["summary"] == {
            "hit": ["WA"],
            "no_hit": ["OR"],
            "no_response": ["CA"],
            "denied": [],
        }


def test_reply_fails_when_the_audit_cannot_commit(sqlite_url: str) -> None:
    """A reply is never sent for a message whose audit record is not committed."""
    from sqlalchemy import text

    with make_client(sqlite_url) as (client, keys, runtime):
        with runtime.engine.begin() as conn:
            conn.execute(text("DROP TABLE audit_outcomes"))
        response = client.post(
            "/v1/messages",
            content=f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}",
            headers=keys.auth("NY0303000"),
        )
        assert response.status_code == 503
        assert "results" not in response.json()
