"""Building a policy request from what a person names: a state, an ORI, a
key, a reason, a warrant. Used by explain (CLI and API) and policy tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from switch.directory import Directory
from switch.errors import InvalidDestination, InvalidHeader
from switch.messages.model import Message
from switch.policy.decision import PolicyRequest
from switch.policy.refusals import NO_REFUSALS, Refusals

WARRANT_LEVELS = ("none", "cited", "administrative", "judicial")


def probe_request(
    directory: Directory,
    *,
    state: str,
    ori: str,
    key: str = "DQ",
    reason: str | None = None,
    image: bool = False,
    warrant: str = "none",
    warrant_id: str | None = None,
    fields: Mapping[str, str] | None = None,
    at: datetime | None = None,
    refusals: Refusals = NO_REFUSALS,
) -> PolicyRequest:
    """A request as the policy would see it; `warrant` is a level already
    assessed (the registry is asked by the caller when an id is given), and
    `refusals` what the index of recent refusals holds of the subject."""
    requester = directory.get(ori)
    if requester is None:
        raise InvalidHeader(f"ORI {ori} is not in the directory")
    if state not in directory.states():
        raise InvalidDestination(f"no such state {state}")
    fields = dict(fields or {})
    if reason and reason != "none":
        fields["RSN"] = reason
    if image:
        fields["IMQ"] = "Y"
    if warrant_id:
        fields["WRT"] = warrant_id
    message = Message(key=key, ori=requester.ori, destinations=(state,), fields=fields)
    if at is None:
        return PolicyRequest(requester, state, message, warrant, refusals=refusals)
    return PolicyRequest(requester, state, message, warrant, at, refusals)
