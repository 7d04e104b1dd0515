"""POST /v1/warrants, GET /v1/warrants[/{id}]: admins only.

One hub for the module (a hub takes most of a second to start); the registry
itself is tested on both back ends in test_registry.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from switch.app.runtime import Runtime
from tests.utils.databases import Databases
from tests.utils.hubs import Keys, make_client

Hub = tuple[TestClient, Keys, Runtime]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases) -> Iterator[Hub]:
    url = audit_databases.url(tmp_path_factory.mktemp("warrants-api"))
    with make_client(url) as made:
        yield made


def test_admin_issues_and_reads_a_warrant(hub: Hub) -> None:
    client, keys, _ = hub
    body = {"kind": "judicial", "to": "VTICE0900", "oln": "WDL123456789", "form": "court-order"}
    made = client.post("/v1/warrants", json=body, headers=keys.admin_auth)
    assert made.status_code == 201, made.text
    warrant = made.json()
    assert warrant["id"].startswith("JW-") and warrant["form"] == "court-order"
    assert (warrant["issued_to"], warrant["subject_oln"]) == ("VTICE0900", "WDL123456789")
    got = client.get(f"/v1/warrants/{warrant['id']}", headers=keys.admin_auth)
    assert got.status_code == 200 and got.json() == warrant
    listed = client.get("/v1/warrants", params={"to": "VTICE0900"}, headers=keys.admin_auth)
    assert warrant in listed.json()
    assert all(w["issued_to"] == "VTICE0900" for w in listed.json())


def test_name_and_dob_subject_and_days(hub: Hub) -> None:
    client, keys, _ = hub
    body = {"kind": "administrative", "to": "VTICE0900", "name": "DOE,JOHN", "dob": "19800102"}
    made = client.post("/v1/warrants", json=body | {"days": 3}, headers=keys.admin_auth)
    assert made.status_code == 201, made.text
    warrant = made.json()
    assert (warrant["form"], warrant["subject_name"], warrant["subject_dob"]) == (
        "I-200",
        "DOE,JOHN",
        "19800102",
    )
    assert warrant["issued_by"].endswith("ICE ERO")


@pytest.mark.parametrize(
    ("body", "code", "reason"),
    [
        ({"kind": "judicial", "to": "ZZ9999999", "oln": "A1"}, "INVALID_WARRANT", "directory"),
        (
            {"kind": "judicial", "to": "VTICE0900", "oln": "A1", "name": "DOE,JOHN"},
            "INVALID_WARRANT",
            "not both",
        ),
        ({"kind": "judicial", "to": "VTICE0900", "name": "DOE,JOHN"}, "INVALID_WARRANT", "DOB"),
        ({"kind": "civil", "to": "VTICE0900", "oln": "A1"}, "INVALID_WARRANT", "kind"),
        (
            {"kind": "judicial", "to": "VTICE0900", "oln": "A1", "days": 0},
            "INVALID_WARRANT",
            "days",
        ),
        ({"kind": "judicial", "to": "VTICE0900", "oln": "A1", "days": "x"}, ".22.", "days"),
        ({"kind": "judicial", "to": "VTICE0900", "subject_oln": "A1"}, ".22.", "subject_oln"),
        ({"to": "VTICE0900", "oln": "A1"}, ".22.", "kind"),
    ],
)
def test_bad_input_is_422_with_an_error_body(
    hub: Hub, body: dict[str, object], code: str, reason: str
) -> None:
    client, keys, _ = hub
    before = client.get("/v1/warrants", headers=keys.admin_auth).json()
    answer = client.post("/v1/warrants", json=body, headers=keys.admin_auth)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == code and reason in error["message"]
    assert client.get("/v1/warrants", headers=keys.admin_auth).json() == before


def test_unknown_id_is_404(hub: Hub) -> None:
    client, keys, _ = hub
    answer = client.get("/v1/warrants/JW-2026-NOPE", headers=keys.admin_auth)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "NOT_FOUND"


def test_agency_keys_get_403_and_no_key_401(hub: Hub) -> None:
    client, keys, _ = hub
    body = {"kind": "judicial", "to": "VTICE0900", "oln": "A1"}
    ice = keys.auth("VTICE0900")
    before = client.get("/v1/warrants", headers=keys.admin_auth).json()
    assert client.post("/v1/warrants", json=body, headers=ice).status_code == 403
    assert client.post("/v1/warrants", json={}, headers=ice).status_code == 403
    assert client.get("/v1/warrants", headers=ice).status_code == 403
    assert client.get("/v1/warrants/JW-2026-NOPE", headers=ice).status_code == 403
    assert client.post("/v1/warrants", json=body).status_code == 401
    assert client.get("/v1/warrants", headers=keys.admin_auth).json() == before
