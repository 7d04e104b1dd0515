"""The live streams in OpenAPI (switch.api.stream_docs): each is a
text/event-stream whose events are named with the model their data carries,
and every reference in the document resolves."""

from __future__ import annotations

from typing import Any

import pytest

from switch.api.app import create_app

SCHEMA: dict[str, Any] = create_app().openapi()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


@pytest.mark.parametrize(
    ("path", "item", "item_model"),
    [("/v1/events", "message", "FlowEvent"), ("/v1/mailbox/stream", "mailbox", "MailboxItem")],
)
def test_a_stream_names_its_events_and_their_data(path: str, item: str, item_model: str) -> None:
    content = SCHEMA["paths"][path]["get"]["responses"]["200"]["content"]
    assert list(content) == ["text/event-stream"]
    variants = content["text/event-stream"]["itemSchema"]["oneOf"]
    by_event = {v["properties"]["event"]["const"]: v["properties"] for v in variants}
    assert set(by_event) == {item, "end"}
    assert by_event[item]["data"]["contentSchema"]["title"] == item_model
    assert "id" in by_event[item] and "id" not in by_event["end"]
    assert by_event["end"]["data"]["contentSchema"]["required"] == ["reason"]


def test_the_flow_event_names_the_reply_it_extends() -> None:
    content = SCHEMA["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]
    (message, _) = content["text/event-stream"]["itemSchema"]["oneOf"]
    flow = message["properties"]["data"]["contentSchema"]
    assert {"seq", "text", "sender", "results"} <= set(flow["properties"])


def test_every_reference_in_the_document_resolves() -> None:
    components = SCHEMA["components"]["schemas"]
    refs = set(_refs(SCHEMA))
    assert "#/components/schemas/OutcomePublic" in refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in components, ref
