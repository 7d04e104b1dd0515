"""GET /v1/reports/{ST}: admin keys within their scope, every format, bad input 422."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from switch.access.keys import issue_key
from switch.api.app import create_app
from switch.app.runtime import Runtime
from switch.settings import Settings
from tests.reports.audit import seed
from tests.utils.databases import Databases
from tests.utils.hubs import Runtimes


@dataclass
class Hub:
    client: TestClient
    runtime: Runtime

    def key(self, *, ori: str | None = None, admin_scope: str | None = None) -> dict[str, str]:
        secret = issue_key(self.runtime.engine, ori=ori, admin_scope=admin_scope)
        return {"Authorization": f"Bearer {secret}"}


@contextmanager
def hub_with_reports(database_url: str) -> Iterator[Hub]:
    runtimes = Runtimes(Settings(database_url=database_url, policy_poll_seconds=0))

    with TestClient(create_app(runtimes)) as client:
        seed(runtimes.first.engine)
        yield Hub(client, runtimes.first)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases) -> Iterator[Hub]:
    url = audit_databases.url(tmp_path_factory.mktemp("api"))
    with hub_with_reports(url) as hub:
        yield hub


def test_national_admin_reads_any_state(hub: Hub) -> None:
    admin = hub.key(admin_scope="*")
    reply = hub.client.get("/v1/reports/WA", headers=admin)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert body["state"] == "WA"
    assert body["totals"]["queries"] == 24
    assert {g["name"]: g["denied"] for g in body["by_component"]}["ICE-HSI"] == 2
    ny = hub.client.get("/v1/reports/ny", headers=admin)
    assert ny.status_code == 200 and ny.json()["totals"]["queries"] == 2


def test_state_admin_reads_its_own_state_only(hub: Hub) -> None:
    wa_admin = hub.key(admin_scope="WA")
    assert hub.client.get("/v1/reports/WA", headers=wa_admin).status_code == 200
    assert hub.client.get("/v1/reports/wa", headers=wa_admin).status_code == 200
    refused = hub.client.get("/v1/reports/NY", headers=wa_admin)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"


def test_agency_keys_and_strangers_are_refused(hub: Hub) -> None:
    agency = hub.key(ori="WA0170100")
    assert hub.client.get("/v1/reports/WA", headers=agency).status_code == 403
    assert hub.client.get("/v1/reports/WA").status_code == 401


def test_period_filters(hub: Hub) -> None:
    admin = hub.key(admin_scope="*")
    reply = hub.client.get(
        "/v1/reports/WA", params={"since": "2025-03-05", "until": "2025-03-10"}, headers=admin
    )
    assert reply.status_code == 200
    body = reply.json()
    assert (body["since"], body["until"]) == ("2025-03-05", "2025-03-10")
    assert body["totals"]["queries"] == 13


BAD = "INVALID_REPORT_REQUEST"


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/v1/reports/WA", {"since": "last week"}, BAD),
        ("/v1/reports/WA", {"since": "2025-03-10", "until": "2025-03-01"}, BAD),
        ("/v1/reports/ZZ", {}, BAD),
        ("/v1/reports/WA", {"format": "xml"}, ".22."),
    ],
)
def test_bad_input_is_422_with_a_reason(
    hub: Hub, path: str, params: dict[str, str], code: str
) -> None:
    reply = hub.client.get(path, params=params, headers=hub.key(admin_scope="*"))
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_csv_and_html(hub: Hub) -> None:
    admin = hub.key(admin_scope="*")
    as_csv = hub.client.get("/v1/reports/WA", params={"format": "csv"}, headers=admin)
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "report-WA.csv" in as_csv.headers["content-disposition"]
    assert "totals,all,,queries,24" in as_csv.text
    as_html = hub.client.get("/v1/reports/WA", params={"format": "html"}, headers=admin)
    assert as_html.status_code == 200
    assert as_html.headers["content-type"].startswith("text/html")
    assert "<svg" in as_html.text and "http://" not in as_html.text
    assert "In this period, 24 queries asked for Washington&#x27;s data" in as_html.text


def test_listed_in_openapi(hub: Hub) -> None:
    paths = json.loads(hub.client.get("/openapi.json").text)["paths"]
    assert "/v1/reports/{state}" in paths
