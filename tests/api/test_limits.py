"""Length limits: request target, headers, bodies and message fields. Each is
refused with its own status and the usual error JSON, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from switch.api.limits import MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADERS_BYTES
from switch.app.runtime import Runtime
from switch.db.schema import audit_records
from tests.utils.hubs import Keys, make_client

Hub = tuple[TestClient, Keys, Runtime]


@pytest.fixture
def hub(sqlite_url: str) -> Iterator[Hub]:
    with make_client(sqlite_url) as made:
        yield made


def test_one_header_over_the_limit_is_431(hub: Hub) -> None:
    client, keys, _ = hub
    headers = {**keys.admin_auth, "X-Padding": "a" * MAX_HEADER_BYTES}
    response = client.get("/v1/agencies", headers=headers)
    assert response.status_code == 431
    error = response.json()["error"]
    assert error["code"] == "HEADER_TOO_LARGE" and "x-padding" in error["message"]
    # Just under the limit passes.
    headers["X-Padding"] = "a" * (MAX_HEADER_BYTES - len("x-padding"))
    assert client.get("/v1/agencies", headers=headers).status_code == 200


def test_headers_over_the_limit_together_are_431(hub: Hub) -> None:
    client, keys, _ = hub
    size = MAX_HEADER_BYTES - 100
    padding = {f"X-Pad-{n}": "a" * size for n in range(MAX_HEADERS_BYTES // size + 1)}
    response = client.get("/v1/agencies", headers={**keys.admin_auth, **padding})
    assert response.status_code == 431
    assert response.json()["error"]["code"] == "HEADERS_TOO_LARGE"


def test_an_over_long_target_is_414(hub: Hub) -> None:
    client, keys, _ = hub
    response = client.get("/v1/audit", params={"ori": "A" * 9000}, headers=keys.admin_auth)
    assert response.status_code == 414
    assert response.json()["error"]["code"] == "URI_TOO_LONG"


def test_a_body_over_a_mebibyte_is_413_on_any_route(hub: Hub) -> None:
    client, keys, _ = hub
    huge = b'{"seq": [' + b"1," * (MAX_BODY_BYTES // 2) + b"1]}"
    declared = client.post(
        "/v1/mailbox/ack",
        content=huge,
        headers={**keys.auth("NY0303000"), "Content-Type": "application/json"},
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "BODY_TOO_LARGE"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(huge), 65536):
            yield huge[start : start + 65536]

    streamed = client.post(
        "/v1/mailbox/ack",
        content=chunks(),
        headers={**keys.auth("NY0303000"), "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "BODY_TOO_LARGE"


def test_a_message_over_its_limit_is_still_the_hubs_audited_413(hub: Hub) -> None:
    client, keys, runtime = hub
    text = "AM.NY0303000.VTICE0900.TXT" + "A" * 20_000
    response = client.post("/v1/messages", content=text, headers=keys.auth("NY0303000"))
    assert response.status_code == 413
    assert response.json()["error"]["er_text"].startswith(".22.")
    with runtime.engine.connect() as conn:
        row = conn.execute(
            select(audit_records).where(audit_records.c.id == response.json()["id"])
        ).one()
    assert row.http_status == 413


# Every field has a length limit in the codec: one character over it is the
# field's ER, a 422, audited.
TOO_LONG: list[tuple[str, dict[str, Any], str]] = [
    ("DQ.NY0303000.WA.TXTOLN/" + "A" * 21, {"key": "DQ", "fields": {"OLN": "A" * 21}}, ".22."),
    (
        "DQ.NY0303000.WA.TXTNAM/" + "A" * 30 + "," + "B" * 10 + ".DOB/19800101.SEX/M",
        {"key": "DQ", "fields": {"NAM": "A" * 30 + "," + "B" * 10, "DOB": "19800101", "SEX": "M"}},
        ".22.",
    ),
    ("RQ.NY0303000.WA.TXTLIC/" + "A" * 11, {"key": "RQ", "fields": {"LIC": "A" * 11}}, ".22."),
    ("RQ.NY0303000.WA.TXTVIN/" + "A" * 18, {"key": "RQ", "fields": {"VIN": "A" * 18}}, ".22."),
    (
        "DQ.NY0303000.WA.TXTOLN/1.WRT/" + "A" * 33,
        {"key": "DQ", "fields": {"OLN": "1", "WRT": "A" * 33}},
        ".22.",
    ),
    (
        "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/198001011.SEX/M",
        {"key": "DQ", "fields": {"NAM": "DOE,JOHN", "DOB": "198001011", "SEX": "M"}},
        ".05.",
    ),
    (
        "DQ.NY0303000.WA.*ABCDEFGHIJK.TXTOLN/1",
        {"key": "DQ", "fields": {"OLN": "1"}, "control": "ABCDEFGHIJK"},
        ".01.",
    ),
    (
        "AM.NY0303000.VTICE0900.TXT" + "A" * 4001,
        {"key": "AM", "dest": ["VTICE0900"], "fields": {"TXT": "A" * 4001}},
        ".22.",
    ),
    (
        "DQ.NY0303000.WA,OR,CA,ID,NV,MT.TXTOLN/1",
        {"key": "DQ", "dest": ["WA", "OR", "CA", "ID", "NV", "MT"], "fields": {"OLN": "1"}},
        ".19.",
    ),
]


def test_a_field_one_over_its_limit_is_its_er_and_a_422(hub: Hub) -> None:
    client, keys, runtime = hub
    for text, body, code in TOO_LONG:
        as_json = {"dest": ["WA"], **body}
        for response in (
            client.post("/v1/messages", content=text, headers=keys.auth("NY0303000")),
            client.post("/v1/messages", json=as_json, headers=keys.auth("NY0303000")),
        ):
            assert response.status_code == 422, (text, response.text)
            error = response.json()["error"]
            assert error["code"] == code and error["er_text"].startswith(code), text
            with runtime.engine.connect() as conn:
                row = conn.execute(
                    select(audit_records).where(audit_records.c.id == response.json()["id"])
                ).one()
            assert (row.outcome, row.er_code, row.http_status) == ("rejected", code, 422)
