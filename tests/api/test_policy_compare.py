"""POST /v1/policies/{ST}/compare: the CLI's comparison over HTTP, on the
small generated history (exact counts); admins only, a state admin its own
state only; a bad option a 422 naming option-N:line; each refusal audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from switch.access.keys import issue_key
from switch.api.app import create_app
from switch.app.runtime import Runtime
from switch.db.database import open_engine
from switch.db.schema import audit_records
from switch.directory import Directory
from switch.settings import Settings
from tests.impact.proxies_history import write
from tests.utils.databases import Databases
from tests.utils.hubs import Runtimes

pytestmark = pytest.mark.database

OPTIONS = Path(__file__).resolve().parents[2] / "policies" / "options" / "WA"
NAMES = ("today", "ice-and-cbp", "judicial-warrant-dhs", "relay-rule")
TEXTS = [(OPTIONS / f"{name}.yaml").read_text() for name in NAMES]
ROUTE = "/v1/policies/{st}/compare"


@dataclass
class Hub:
    client: TestClient
    runtime: Runtime

    def key(self, *, ori: str | None = None, admin_scope: str | None = None) -> dict[str, str]:
        secret = issue_key(self.runtime.engine, ori=ori, admin_scope=admin_scope)
        return {"Authorization": f"Bearer {secret}"}

    def audited(self, record_id: str) -> tuple[str, int | None]:
        with self.runtime.engine.connect() as conn:
            row = conn.execute(
                select(audit_records.c.outcome, audit_records.c.http_status).where(
                    audit_records.c.id == record_id
                )
            ).one()
        return row.outcome, row.http_status


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases) -> Iterator[Hub]:
    url = audit_databases.url(tmp_path_factory.mktemp("compare-api"))
    engine = open_engine(url)
    write(engine, Directory.load())
    engine.dispose()
    runtimes = Runtimes(Settings(database_url=url, policy_poll_seconds=0))
    with TestClient(create_app(runtimes)) as client:
        yield Hub(client, runtimes.first)
    audit_databases.release(url)


def test_a_state_admin_compares_its_own_state(hub: Hub) -> None:
    reply = hub.client.post(ROUTE.format(st="wa"), json=TEXTS, headers=hub.key(admin_scope="WA"))
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["state"], body["records"]) == ("WA", 1_349)
    columns = {c["name"]: c for c in body["columns"]}
    assert list(columns) == ["in-force", "option-1", "option-2", "option-3", "option-4"]
    blocked = {name: c["letter_test"]["relays_blocked_pct"] for name, c in columns.items()}
    # The relay rule (option-4) refuses the 287(g) relay as well as HSI-for-ERO.
    assert blocked == {"in-force": 50.0, "option-1": 50.0, "option-2": 50.0,
                       "option-3": 50.0, "option-4": 100.0}  # fmt: skip
    immigration = {name: c["letter_test"]["immigration_blocked_pct"] for name, c in columns.items()}
    assert immigration == {"in-force": 75.0, "option-1": 75.0, "option-2": 100.0,
                           "option-3": 100.0, "option-4": 75.0}  # fmt: skip
    affected = columns["option-4"]["agencies_affected"]
    assert (affected["count"], affected["lost"], affected["gained"]) == (1, 1, 0)
    assert affected["agencies"][0]["ori"] == "OH0090000"


def test_a_window_and_html(hub: Hub) -> None:
    national = hub.key(admin_scope="*")
    part = hub.client.post(
        ROUTE.format(st="WA"),
        json=TEXTS[:1],
        params={"since": "2025-01-01", "until": "2025-03-31"},
        headers=national,
    )
    assert part.status_code == 200 and 0 < part.json()["records"] < 1_349
    page = hub.client.post(
        ROUTE.format(st="WA"), json=TEXTS, params={"format": "html"}, headers=national
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>") and "option-4" in page.text


def test_another_state_s_admin_and_a_non_admin_are_refused_and_audited(hub: Hub) -> None:
    for headers in (hub.key(admin_scope="TX"), hub.key(ori="WA0170200")):
        reply = hub.client.post(ROUTE.format(st="WA"), json=TEXTS, headers=headers)
        assert reply.status_code == 403, reply.text
        assert hub.audited(reply.json()["id"]) == ("refused", 403)


def test_a_bad_option_is_a_422_with_file_line_reason_audited(hub: Hub) -> None:
    bad = "state: WA\ntitle: bad\nrules:\n  - id: x\n    effect: deny\n"
    oregon = "state: OR\ntitle: Oregon\n"
    reply = hub.client.post(
        ROUTE.format(st="WA"), json=[TEXTS[0], bad, oregon], headers=hub.key(admin_scope="WA")
    )
    assert reply.status_code == 422
    message = reply.json()["error"]["message"]
    assert message == (
        "option-2:4: rules.0: a deny rule must give a reason: the requester is told it; "
        "option-3:1: state is OR but the file is WA's"
    )
    assert hub.audited(reply.json()["id"]) == ("rejected", 422)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ([], "body: List should have at least 1 item"),
        (["state: WA\ntitle: t\n"] * 9, "body: List should have at most 8 items"),
        (["# " + "x" * (256 * 1024) + "\nstate: WA\ntitle: big\n"], "option-1: over 256 KiB"),
        ("state: WA", "body: Input should be a valid list"),
    ],
)
def test_bad_bodies_are_422s_audited(hub: Hub, body: object, said: str) -> None:
    reply = hub.client.post(ROUTE.format(st="WA"), json=body, headers=hub.key(admin_scope="*"))
    assert reply.status_code == 422, reply.text
    assert said in reply.json()["error"]["message"]
    assert hub.audited(reply.json()["id"]) == ("rejected", 422)


def test_a_bad_window_and_an_unknown_state(hub: Hub) -> None:
    national = hub.key(admin_scope="*")
    window = {"since": "2025-05-01", "until": "2025-04-01"}
    late = hub.client.post(ROUTE.format(st="WA"), json=TEXTS[:1], params=window, headers=national)
    assert late.status_code == 422 and "is not before" in late.json()["error"]["message"]
    nowhere = hub.client.post(ROUTE.format(st="XX"), json=TEXTS[:1], headers=national)
    assert nowhere.status_code == 422 and "XX" in nowhere.json()["error"]["message"]


def test_documented_in_openapi(hub: Hub) -> None:
    operation = hub.client.get("/openapi.json").json()["paths"]["/v1/policies/{state}/compare"]
    post = operation["post"]
    assert post["summary"].startswith("Blocking options side by side")
    assert "subject.refused_to" in post["description"] and "403" in post["description"]
    assert {"403", "422"} <= set(post["responses"])


def test_a_lone_surrogate_in_an_option_is_a_422_audited(hub: Hub) -> None:
    # JSON may carry half a surrogate pair; the size check must not choke on it.
    body = b'["state: WA\\ntitle: \\ud800\\n"]'
    reply = hub.client.post(
        ROUTE.format(st="WA"),
        content=body,
        headers={**hub.key(admin_scope="WA"), "Content-Type": "application/json"},
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["message"].startswith("option-1")
    assert hub.audited(reply.json()["id"]) == ("rejected", 422)
