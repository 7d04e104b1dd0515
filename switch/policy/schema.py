"""The JSON Schema of a policy file, generated from the model (editors read
`policies/schema.json` for completion and checking)."""

from __future__ import annotations

import json

from switch.policy.model import PolicyFile

SCHEMA_ID = "https://switch.invalid/schemas/policy.json"


def policy_schema() -> dict[str, object]:
    schema = PolicyFile.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def policy_schema_text() -> str:
    return json.dumps(policy_schema(), indent=2, sort_keys=True) + "\n"
