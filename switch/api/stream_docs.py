"""How a live stream's events show in OpenAPI: each event's name, and the
model its `data` carries as JSON.

FastAPI frames the events (`EventSourceResponse`) and documents a stream's
item as `{data, event, id, retry}`; it types `data` only for a generator
that yields the model itself, which carries neither `id` nor `event`. The
streams yield `ServerSentEvent`s, so their events are named here, as one
of the item's variants each (OpenAPI 3.2's `itemSchema`).

A model's own parts are referred to in `#/components/schemas`, where the
routes that answer with them put them (FlowEvent's outcomes are
ReplyPublic's); tests/api/test_stream_docs.py checks every reference there
resolves.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

COMPONENTS = "#/components/schemas/{model}"


def _variant(name: str, model: type[BaseModel], with_id: bool) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=COMPONENTS, mode="serialization")
    schema.pop("$defs", None)
    properties: dict[str, Any] = {
        "event": {"const": name},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": schema,
        },
    }
    if with_id:
        properties["id"] = {"type": "string", "description": "The item's seq"}
    return {
        "title": name,
        "type": "object",
        "required": ["event", "data"],
        "properties": properties,
    }


def event_stream(
    description: str, items: dict[str, type[BaseModel]], last: dict[str, type[BaseModel]]
) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a stream route: `items` are its events with an id,
    `last` those that end it (without one)."""
    variants = [_variant(name, model, with_id=True) for name, model in items.items()]
    variants += [_variant(name, model, with_id=False) for name, model in last.items()]
    return {
        200: {
            "description": description,
            "content": {"text/event-stream": {"itemSchema": {"oneOf": variants}}},
        }
    }
