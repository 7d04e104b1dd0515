"""GET /v1/impact/proxies: admins only, a state admin its own state only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from switch.access.keys import issue_key
from switch.api.app import create_app
from switch.app.runtime import Runtime
from switch.db.database import open_engine
from switch.directory import Directory
from switch.settings import Settings
from tests.impact.proxies_history import write
from tests.utils.databases import Databases
from tests.utils.hubs import Runtimes

pytestmark = pytest.mark.database


@dataclass
class Hub:
    client: TestClient
    runtime: Runtime

    def key(self, *, ori: str | None = None, admin_scope: str | None = None) -> dict[str, str]:
        secret = issue_key(self.runtime.engine, ori=ori, admin_scope=admin_scope)
        return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases) -> Iterator[Hub]:
    url = audit_databases.url(tmp_path_factory.mktemp("proxies-api"))
    engine = open_engine(url)
    write(engine, Directory.load())
    engine.dispose()
    runtimes = Runtimes(Settings(database_url=url, policy_poll_seconds=0))
    with TestClient(create_app(runtimes)) as client:
        yield Hub(client, runtimes.first)
    audit_databases.release(url)


def test_national_admin_sees_every_state(hub: Hub) -> None:
    reply = hub.client.get("/v1/impact/proxies", headers=hub.key(admin_scope="*"))
    assert reply.status_code == 200
    body = reply.json()
    assert body["flagged"] == 15
    assert body["by_pattern"] == {"287g-relay": 5, "hsi-for-ero": 4, "local-for-federal": 6}


def test_state_admin_gets_its_own_state_without_asking(hub: Hub) -> None:
    wa = hub.key(admin_scope="WA")
    reply = hub.client.get("/v1/impact/proxies", headers=wa)
    assert reply.status_code == 200
    assert reply.json()["state"] == "WA" and reply.json()["flagged"] == 2
    assert hub.client.get("/v1/impact/proxies?state=wa", headers=wa).json()["flagged"] == 2


def test_another_states_admin_is_refused(hub: Hub) -> None:
    reply = hub.client.get("/v1/impact/proxies?state=WA", headers=hub.key(admin_scope="OR"))
    assert reply.status_code == 403
    assert "does not cover WA" in reply.text


def test_an_agency_key_is_refused(hub: Hub) -> None:
    reply = hub.client.get("/v1/impact/proxies", headers=hub.key(ori="WA0270100"))
    assert reply.status_code in (401, 403)


@pytest.mark.parametrize(
    "query", ["window=soon", "state=XX", "since=2025-05-01&until=2025-04-01", "window=0h"]
)
def test_bad_input_is_422(hub: Hub, query: str) -> None:
    reply = hub.client.get(f"/v1/impact/proxies?{query}", headers=hub.key(admin_scope="*"))
    assert reply.status_code == 422


def test_csv_and_html(hub: Hub) -> None:
    admin = hub.key(admin_scope="*")
    csv = hub.client.get("/v1/impact/proxies?format=csv&state=WA", headers=admin)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.count("\nrelay,") == 2
    page = hub.client.get("/v1/impact/proxies?format=html", headers=admin)
    assert page.status_code == 200 and "Queries that may have been made for others" in page.text
