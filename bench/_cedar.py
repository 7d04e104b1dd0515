"""The shipped policies as a Cedar policy set, decided by cedarpy.

Principal `Agency::"<ORI>"` (the directory's attributes), resource
`Dmv::"<ST>OLN0000"` (its state), action `Action::"<key>"`, and the request's
reason, image flag and warrant level in the context. Policies and entities
are parsed once into cedarpy's reusable handles, the library's fastest path,
so the ratio against it is a conservative one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import cedarpy

from bench._equivalent import StateRules, Unsupported
from switch.directory import Directory
from switch.directory.jurisdictions import dmv_ori
from switch.policy import PolicyRequest
from switch.policy.model import Condition, Rule


def _literal(value: object) -> str:
    return json.dumps(value)


def _one_of(attribute: str, value: object, *, optional: bool = False) -> str:
    values = value if isinstance(value, list) else [value]
    test = f"{_literal(values)}.contains({attribute})"
    if optional:  # an attribute a local agency lacks: absent never matches
        owner, name = attribute.rsplit(".", 1)
        return f"({owner} has {name} && {test})"
    return test


def _ori(value: str | list[str], where: str) -> str:
    tests: list[str] = []
    for pattern in value if isinstance(value, list) else [value]:
        if "?" in pattern:
            raise Unsupported(f"{where}: Cedar's `like` has no `?` wildcard ({pattern})")
        op = "like" if "*" in pattern else "=="
        tests.append(f"principal.ori {op} {_literal(pattern)}")
    return "(" + " || ".join(tests) + ")"


def condition(c: Condition, state: str, where: str) -> str:
    """One `when`/`unless` as a Cedar expression: AND of its keys."""
    tests: list[str] = []
    if c.requester_ori is not None:
        tests.append(_ori(c.requester_ori, where))
    if c.requester_state is not None:
        tests.append(_one_of("principal.state", c.requester_state))
    if c.requester_in_state is not None:
        tests.append(f"principal.state {'==' if c.requester_in_state else '!='} {_literal(state)}")
    if c.requester_type is not None:
        tests.append(_one_of("principal.type", c.requester_type))
    if c.requester_department is not None:
        tests.append(_one_of("principal.department", c.requester_department, optional=True))
    if c.requester_component is not None:
        tests.append(_one_of("principal.component", c.requester_component, optional=True))
    if c.requester_tags is not None:
        tags = c.requester_tags if isinstance(c.requester_tags, list) else [c.requester_tags]
        tests.append(f"principal.tags.containsAny({_literal(tags)})")
    if c.message_key is not None:
        keys = c.message_key if isinstance(c.message_key, list) else [c.message_key]
        tests.append("action in [" + ", ".join(f"Action::{_literal(k)}" for k in keys) + "]")
    if c.message_reason is not None:
        tests.append(_one_of("context.reason", c.message_reason))
    if c.message_image is not None:
        tests.append(f"context.image == {str(c.message_image).lower()}")
    if c.warrant is not None:
        tests.append(_one_of("context.warrant", c.warrant))
    if c.time is not None:
        raise Unsupported(f"{where}: `time:` windows are not translated to Cedar")
    if c.not_ is not None:
        tests.append(f"!({condition(c.not_, state, where)})")
    if c.any is not None:
        tests.append("(" + " || ".join(condition(x, state, where) for x in c.any) + ")")
    if c.all is not None:
        tests.append("(" + " && ".join(condition(x, state, where) for x in c.all) + ")")
    return " && ".join(tests)


def _policy(rule: Rule, state: str) -> str:
    where = f"{state} rule {rule.id}"
    effect = "forbid" if rule.effect == "deny" else "permit"
    text = f"@id({_literal(rule.id)})\n{effect} (principal, action, resource == Dmv::"
    text += _literal(dmv_ori(state)) + ")"
    if rule.when is not None:
        text += f"\nwhen {{ {condition(rule.when, state, where)} }}"
    if rule.unless is not None:
        text += f"\nunless {{ {condition(rule.unless, state, where)} }}"
    return text + ";"


def policy_text(states: Sequence[StateRules]) -> str:
    permitting = [s.state for s in states if s.default_permit]
    policies = []
    if len(permitting) == len(states):
        policies.append('@id("default-permit")\npermit (principal, action, resource);')
    elif permitting:
        policies.append(
            '@id("default-permit")\npermit (principal, action, resource)\n'
            f"when {{ {_literal(permitting)}.contains(resource.state) }};"
        )
    policies.extend(_policy(rule, s.state) for s in states for rule in s.rules)
    return "\n\n".join(policies) + "\n"


def entities(directory: Directory) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for agency in directory:
        attrs: dict[str, Any] = {
            "ori": agency.ori,
            "state": agency.state,
            "type": agency.type,
            "tags": list(agency.tags),
        }
        if agency.department is not None:
            attrs["department"] = agency.department
        if agency.component is not None:
            attrs["component"] = agency.component
        found.append({"uid": {"type": "Agency", "id": agency.ori}, "attrs": attrs, "parents": []})
    for state in directory.states():
        uid = {"type": "Dmv", "id": dmv_ori(state)}
        found.append({"uid": uid, "attrs": {"state": state}, "parents": []})
    return found


def request(r: PolicyRequest) -> dict[str, Any]:
    fields = r.message.fields
    context = {
        "reason": fields.get("RSN", "none"),
        "image": fields.get("IMQ") == "Y",
        "warrant": r.warrant,
    }
    return {
        "principal": f"Agency::{_literal(r.requester.ori)}",
        "action": f"Action::{_literal(r.message.key)}",
        "resource": f"Dmv::{_literal(dmv_ori(r.state))}",
        # Serialised here, once: cedarpy would otherwise dump a dict per call.
        "context": json.dumps(context),
    }


class CedarBaseline:
    def __init__(self, states: Sequence[StateRules], directory: Directory) -> None:
        self.text = policy_text(states)
        self.policies = cedarpy.PolicySet.from_str(self.text)
        self.entities = cedarpy.Entities.from_json_str(json.dumps(entities(directory)))

    def single(self, requests: Sequence[dict[str, Any]]) -> list[cedarpy.AuthzResult]:
        policies, found = self.policies, self.entities
        return [cedarpy.is_authorized(q, policies, found) for q in requests]

    def batch(self, requests: Sequence[dict[str, Any]]) -> list[cedarpy.AuthzResult]:
        # Typed by hand: mypy sees cedarpy as Any where the bench extra is absent.
        results: list[cedarpy.AuthzResult] = cedarpy.is_authorized_batch(
            list(requests), self.policies, self.entities
        )
        return results
