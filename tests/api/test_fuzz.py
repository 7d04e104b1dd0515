"""Bad input never yields a server error: every operation in the hub's
OpenAPI schema, fed schema-conforming and schema-violating requests by
schemathesis, with an agency key and with an admin key, answers below 500.

The requests go through the TestClient of a hub made by `make_client`
(in-process, no server), so the hub under test is the one every other test
uses, its runtime started once for the module.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance

from switch.api.app import create_app
from tests.utils.databases import Databases
from tests.utils.hubs import Keys, make_client

SHIPPED_POLICIES = Path(__file__).resolve().parents[2] / "policies"
# The schema is the app's own; building it starts no runtime.
RAW_SCHEMA: dict[str, Any] = create_app().openapi()
SCHEMA = schemathesis.openapi.from_dict(RAW_SCHEMA)

# Server-sent event streams never end by themselves: a generated request that
# passes authentication would hold the test open until its deadline. Their
# bad-input paths are covered by hand in tests/api/test_bad_input.py.
STREAMS = {("GET", "/v1/events"), ("GET", "/v1/mailbox/stream")}


def _cases() -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) for every operation; schema-violating requests only
    where the schema can be violated at all (a query parameter or a body: a
    path segment is text whatever the schema says)."""
    cases = []
    for path, methods in RAW_SCHEMA["paths"].items():
        for method, operation in methods.items():
            if (method.upper(), path) in STREAMS:
                continue
            cases.append((method.upper(), path, GenerationMode.POSITIVE))
            queries = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            if queries or "requestBody" in operation:
                cases.append((method.upper(), path, GenerationMode.NEGATIVE))
    return sorted(cases)


# No status code at or above 500; the content type the schema documents.
# (Status-code conformance is left out: the schema documents 200 and 422
# only, not the 401, 403 and 404 every route may answer.)
CHECKS = [not_a_server_error, content_type_conformance]
# Per operation and mode; with two keys per example this keeps the module
# near 30 s on SQLite.
EXAMPLES = 20
bounded = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def hub(
    tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases
) -> Iterator[tuple[TestClient, Keys]]:
    # PUT /v1/policies writes files: a copy, never the shipped ones.
    folder = tmp_path_factory.mktemp("fuzz") / "policies"
    shutil.copytree(SHIPPED_POLICIES, folder)
    # SQLite; on the suite's PostgreSQL pass, a PostgreSQL database.
    database = audit_databases.url(folder.parent)
    with make_client(database, policies=folder, policy_poll_seconds=0) as (client, keys, _):
        yield client, keys


def send(client: TestClient, case: Case, key: str, content: bytes | None = None) -> httpx2.Response:
    """The case as the TestClient sends it (schemathesis builds requests'
    arguments); `content` in place of the case's own body."""
    kwargs = case.as_transport_kwargs(
        base_url="http://testserver", headers={"Authorization": f"Bearer {key}"}
    )
    body: dict[str, Any] = {}
    if content is not None:
        body["content"] = content
    elif "json" in kwargs:
        body["json"] = kwargs["json"]
    elif "data" in kwargs:
        data = kwargs["data"]
        body["content" if isinstance(data, str | bytes) else "data"] = data
    if "files" in kwargs:
        body["files"] = kwargs["files"]
    return client.request(
        kwargs["method"],
        kwargs["url"],
        headers=kwargs["headers"],
        params=kwargs.get("params"),
        **body,
    )


@pytest.mark.parametrize(("method", "path", "mode"), _cases())
def test_no_server_error(
    hub: tuple[TestClient, Keys], method: str, path: str, mode: GenerationMode
) -> None:
    client, keys = hub
    strategy = SCHEMA[path][method].as_strategy(generation_mode=mode)

    @bounded
    @given(case=strategy)
    def check(case: Case) -> None:
        # Each request with both kinds of key: agency routes refuse the admin
        # one and admin routes the agency one, so both branches run.
        for key in (keys.agency["NY0303000"], keys.admin):
            response = send(client, case, key)
            case.validate_response(response, checks=CHECKS)

    check()


# Half a character: JSON can write one (`"\\ud800"`), Python reads it into a
# str that no database or UTF-8 reply can hold. Schemathesis draws only whole
# characters, so each JSON body gets one put in by hand.
HALVES = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"])
JSON_BODIES = sorted(
    (method.upper(), path)
    for path, methods in RAW_SCHEMA["paths"].items()
    for method, operation in methods.items()
    if "application/json" in operation.get("requestBody", {}).get("content", {})
)


def with_half_character(value: Any, data: st.DataObject) -> Any:
    """`value` with half a character in one of its strings (or a new member)."""
    half = data.draw(HALVES)
    if isinstance(value, str):
        return value + half
    if isinstance(value, list) and value:
        at = data.draw(st.integers(0, len(value) - 1))
        return [*value[:at], with_half_character(value[at], data), *value[at + 1 :]]
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        name = data.draw(st.sampled_from(sorted(value)))
        if data.draw(st.booleans()):
            return {**value, name: with_half_character(value[name], data)}
        return {**{k: v for k, v in value.items() if k != name}, name + half: value[name]}
    if isinstance(value, dict):
        return {**value, half: "x"}
    return half


@pytest.mark.parametrize(("method", "path"), JSON_BODIES)
def test_half_characters_in_json_bodies_are_refused(
    hub: tuple[TestClient, Keys], method: str, path: str
) -> None:
    client, keys = hub
    strategy = SCHEMA[path][method].as_strategy(generation_mode=GenerationMode.POSITIVE)

    @settings(bounded, max_examples=10)
    @given(case=strategy, data=st.data())
    def check(case: Case, data: st.DataObject) -> None:
        assume(case.media_type == "application/json")
        body = json.dumps(with_half_character(case.body, data)).encode()
        for key in (keys.agency["NY0303000"], keys.admin):
            response = send(client, case, key, content=body)
            assert response.status_code < 500, response.text

    check()
