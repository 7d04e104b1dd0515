"""Inputs that once gave HTTP 500, each now refused with a 4xx, and the bad
inputs of the two live streams (which the schema fuzzing leaves out because
a stream that opens never ends)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from switch.access.keys import issue_key
from switch.api.app import create_app
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.utils.databases import Databases
from tests.utils.hubs import Keys, Runtimes, make_client

SHIPPED_WA = Path(__file__).resolve().parents[2] / "policies" / "WA.yaml"
WARRANT = {"kind": "judicial", "to": "VTICE0900", "oln": "X1"}
# Past a 32-bit INTEGER (PostgreSQL) and past a 64-bit one (SQLite).
TOO_BIG = [2**31, 2**63, 2**70]


@pytest.fixture(scope="module")
def hub(
    audit_databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Keys]]:
    # One hub for the module: every request here is refused, so none leaves
    # anything behind for the next. PUT /v1/policies would write its file
    # into this copy of the shipped policies (a hub with none does not start).
    folder = tmp_path_factory.mktemp("policies")
    shutil.copy(SHIPPED_WA, folder / "WA.yaml")
    database = audit_databases.url(folder)
    with make_client(database, policies=folder, policy_poll_seconds=0) as (client, keys, _):
        yield client, keys


# The seq columns overflow at 2**31 on PostgreSQL only: these run on both.


def test_a_notice_seq_past_the_column_is_refused(database_url: str) -> None:
    with make_client(database_url) as (client, keys, _):
        for seq in TOO_BIG:
            body = {"seq": [seq]}
            response = client.post("/v1/notices/sent", json=body, headers=keys.admin_auth)
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == ".22."
        last = {"seq": [2**31 - 1]}
        ok = client.post("/v1/notices/sent", json=last, headers=keys.admin_auth)
        assert ok.json() == {"marked": 0}


def test_a_mailbox_seq_past_the_column_is_refused(database_url: str) -> None:
    with make_client(database_url) as (client, keys, _):
        auth = keys.auth("NY0303000")
        for seq in [*TOO_BIG, -1]:
            for body in ({"seq": [seq]}, {"up_to": seq}):
                response = client.post("/v1/mailbox/ack", json=body, headers=auth)
                assert response.status_code == 422, (body, response.text)
        for body in ({"seq": [2**31 - 1]}, {"up_to": 2**31 - 1}):
            ok = client.post("/v1/mailbox/ack", json=body, headers=auth)
            assert ok.json() == {"acknowledged": 0}


@pytest.mark.parametrize(
    ("since", "until", "status"),
    [
        # Before year 1 once moved to UTC.
        ("0001-01-01T00:00:00+14:00", None, 422),
        ("0001-01-01T05:00:00+14:00", None, 422),
        # The day after 9999-12-31 does not exist; the period runs to the end.
        (None, "9999-12-31", 200),
        (None, "9999-12-31T23:59:59.999999", 200),
        ("2025-01-01", "9999-12-31", 200),
    ],
)
def test_report_periods_at_the_ends_of_time(
    hub: tuple[TestClient, Keys], since: str | None, until: str | None, status: int
) -> None:
    client, keys = hub
    params = {k: v for k, v in (("since", since), ("until", until)) if v is not None}
    response = client.get("/v1/reports/WA", params=params, headers=keys.admin_auth)
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 5000, id="deep-nesting"),
        pytest.param("state: WA\ntitle: 2024-13-45\n", id="month-13"),
        pytest.param("state: WA\ntitle: !!timestamp soon\n", id="tagged-timestamp"),
        pytest.param('state: WA\ntitle: "\\ud800"\n', id="half-a-character"),
        pytest.param("rules: &r\n  - *r\n", id="self-reference"),
        pytest.param(
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "state: WA\ntitle: t\nrules: *i\n",
            id="alias-expansion",
        ),
    ],
)
def test_a_hostile_policy_upload_is_refused_at_once(
    hub: tuple[TestClient, Keys], text: str
) -> None:
    client, keys = hub
    started = time.perf_counter()
    response = client.put(
        "/v1/policies/WA",
        content=text.encode(),
        headers={**keys.admin_auth, "Content-Type": "application/yaml"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "POLICY_INVALID"
    assert time.perf_counter() - started < 5.0


# Half of a surrogate pair: json.dumps writes it as the escape `\ud800`,
# which JSON allows and which Python reads back into a str no UTF-8 can hold.
HALF = "\ud800"
DQ = {"key": "DQ", "dest": ["WA"], "fields": {"OLN": "X1"}}


@pytest.mark.parametrize(
    "body",
    [
        {**DQ, "fields": {"OLN": HALF}},
        {**DQ, "fields": {HALF: "X1"}},
        {**DQ, "control": HALF},
    ],
)
def test_a_json_message_with_half_a_character_is_an_audited_22(
    hub: tuple[TestClient, Keys], body: dict[str, object]
) -> None:
    client, keys = hub
    headers = {**keys.auth("NY0303000"), "Content-Type": "application/json"}
    response = client.post("/v1/messages", content=json.dumps(body).encode(), headers=headers)
    assert response.status_code == 422, response.text
    refused = response.json()
    assert refused["error"]["code"] == ".22."
    read = client.get(f"/v1/messages/{refused['id']}", headers=keys.auth("NY0303000"))
    assert read.status_code == 200, read.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        *(
            ("POST", "/v1/warrants", {**WARRANT, field: "X" + HALF})
            for field in ("kind", "to", "oln", "name", "dob", "form", "issued_by")
        ),
        ("PUT", "/v1/status/WA", {"keys": [HALF]}),
        ("DELETE", "/v1/status/WA", {"keys": ["DQ", HALF]}),
    ],
)
def test_half_a_character_in_a_request_body_is_refused(
    hub: tuple[TestClient, Keys], method: str, path: str, body: dict[str, object]
) -> None:
    client, keys = hub
    headers = {**keys.admin_auth, "Content-Type": "application/json"}
    response = client.request(method, path, content=json.dumps(body).encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert "half a character" in response.json()["error"]["message"]


@pytest.mark.parametrize("body", [{"ori": HALF}, {"ori": "VTICE0900", "warrant": HALF}])
def test_half_a_character_in_an_explain_request_is_refused(
    hub: tuple[TestClient, Keys], body: dict[str, str]
) -> None:
    client, keys = hub
    headers = {**keys.admin_auth, "Content-Type": "application/json"}
    content = json.dumps(body).encode()
    response = client.post("/v1/policies/WA/explain", content=content, headers=headers)
    assert response.status_code == 422, response.text


def test_json_nested_past_the_parser_is_invalid_format(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, _):
        response = client.post(
            "/v1/messages",
            content=b"[" * 5000,
            headers={**keys.auth("NY0303000"), "Content-Type": "application/json"},
        )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == ".22."


def test_metrics_are_documented_as_text() -> None:
    operation = create_app().openapi()["paths"]["/metrics"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["text/plain"]


# The streams: every refusal comes before the stream opens. A real server,
# so that a stream opened by mistake fails the test by its timeout, not hangs it.


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("streams")
    settings = Settings(database_url=f"sqlite:///{folder / 'hub.db'}", policy_poll_seconds=0)
    runtimes = Runtimes(settings)

    with running_hub(runtimes) as url:
        engine = runtimes.first.engine
        keys = {
            "agency": issue_key(engine, ori="NY0303000"),
            "admin": issue_key(engine, admin_scope="*"),
            "scoped": issue_key(engine, admin_scope="WA"),
        }
        yield url, keys


def _status(url: str, params: dict[str, str], headers: dict[str, str] | None = None) -> int:
    with httpx.stream("GET", url, params=params, headers=headers, timeout=5) as response:
        return response.status_code


STREAM_CASES = [
    # (path, key, extra query, status)
    ("/v1/events", None, {}, 401),
    ("/v1/events", "nope", {}, 401),
    ("/v1/events", "", {}, 401),
    ("/v1/events", "agency", {}, 403),
    ("/v1/events", "\x7f" * 300, {}, 401),
    ("/v1/mailbox/stream", None, {}, 401),
    ("/v1/mailbox/stream", "nope", {}, 401),
    ("/v1/mailbox/stream", "admin", {}, 403),
    ("/v1/mailbox/stream", "scoped", {}, 403),
    ("/v1/mailbox/stream", "agency", {"after": "-1"}, 422),
    ("/v1/mailbox/stream", "agency", {"after": "soon"}, 422),
    ("/v1/mailbox/stream", "agency", {"after": str(2**31)}, 422),
    ("/v1/mailbox/stream", "agency", {"after": str(2**70)}, 422),
    ("/v1/mailbox/stream", "agency", {"after": "1e3"}, 422),
]


@pytest.mark.parametrize(("path", "key", "extra", "status"), STREAM_CASES)
def test_stream_bad_input_is_refused_before_the_stream_opens(
    served: tuple[str, dict[str, str]],
    path: str,
    key: str | None,
    extra: dict[str, str],
    status: int,
) -> None:
    url, keys = served
    secret = None if key is None else keys.get(key, key)
    if secret is None or (secret.strip() and secret.isprintable()):  # what a header carries
        headers = None if secret is None else {"Authorization": f"Bearer {secret}"}
        assert _status(url + path, extra, headers) == status
    # A key in the URL is refused, whatever it is and whoever's: URLs are logged.
    if secret is not None:
        assert _status(url + path, {**extra, "key": secret}) == 401
