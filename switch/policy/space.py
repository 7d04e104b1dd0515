"""The space of request classes a policy can tell apart.

Every agency in the directory, projected onto the attributes the policies
under study actually test, times every key, reason, image flag and warrant
level those policies test. Enumerating it lets tools speak about all
possible requests (which rules can decide, what a change would alter)
without sampling.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from switch.directory import Directory
from switch.directory.model import Agency
from switch.messages.model import INPUT_KEYS, Message
from switch.policy.decision import PolicyRequest
from switch.policy.model import Condition, PolicyFile
from switch.policy.refusals import NO_REFUSALS, Refusal

REASONS = ("none", "N", "F", "V", "T", "S", "H")
WARRANTS = ("none", "cited", "administrative", "judicial")
# A weekday working hour and a weekend night: enough to tell time windows apart.
SAMPLE_TIMES = (datetime(2026, 11, 25, 16, 0, tzinfo=UTC), datetime(2026, 11, 29, 8, 0, tzinfo=UTC))


def _conditions(condition: Condition | None) -> Iterator[Condition]:
    if condition is None:
        return
    yield condition
    yield from _conditions(condition.not_)
    for child in (condition.any or []) + (condition.all or []):
        yield from _conditions(child)


def tested_attributes(policies: Iterable[PolicyFile]) -> set[str]:
    """Names of every attribute any rule of these policies tests."""
    tested: set[str] = set()
    for policy in policies:
        for rule in policy.rules:
            for cond in (*_conditions(rule.when), *_conditions(rule.unless)):
                for name, value in cond:
                    if value is not None and name not in ("not_", "any", "all"):
                        tested.add(name)
    return tested


@dataclass(frozen=True, slots=True)
class RequestClass:
    """One class of equivalent requests, with an agency that stands for it."""

    agency: Agency
    key: str
    reason: str
    image: bool
    warrant: str
    at: datetime
    # The component the subject was refused to a minute before, at the
    # deciding state (None: no refusal remembered).
    refused_to: str | None = None

    def request(self, state: str) -> PolicyRequest:
        fields: dict[str, str] = {}
        if self.reason != "none":
            fields["RSN"] = self.reason
        if self.image:
            fields["IMQ"] = "Y"
        message = Message(self.key, self.agency.ori, (state,), fields)
        refusals = NO_REFUSALS
        if self.refused_to is not None:
            earlier = self.at - timedelta(minutes=1)
            refusals = (Refusal("space", earlier, state, "space", self.refused_to),)
        return PolicyRequest(self.agency, state, message, self.warrant, self.at, refusals)

    def describe(self, state: str) -> dict[str, Any]:
        a = self.agency
        described: dict[str, Any] = {
            "requester": a.component or a.type,
            "ori": a.ori,
            "in_state": a.state == state,
            "key": self.key,
            "reason": self.reason,
            "image": self.image,
            "warrant": self.warrant,
        }
        if self.refused_to is not None:
            described["refused_to"] = self.refused_to
        return described


def _projection(agency: Agency, tested: set[str], state: str | None) -> tuple[Any, ...]:
    return (
        agency.ori if "requester_ori" in tested else None,
        agency.state if "requester_state" in tested else None,
        (agency.state == state) if "requester_in_state" in tested else None,
        agency.type if "requester_type" in tested else None,
        agency.department if "requester_department" in tested else None,
        agency.component,  # always kept: reports speak per component
        agency.tags if "requester_tags" in tested else None,
    )


def agency_classes(
    directory: Directory, tested: set[str], state: str | None = None
) -> list[Agency]:
    """One agency per class the tested attributes can tell apart, plus one of
    each ORION type so reports show every kind of requester."""
    seen: dict[tuple[Any, ...], Agency] = {}
    for agency in directory:
        key = (*_projection(agency, tested, state), agency.type)
        seen.setdefault(key, agency)
    return list(seen.values())


def request_classes(
    directory: Directory, policies: Iterable[PolicyFile], state: str | None = None
) -> Iterator[RequestClass]:
    policies = list(policies)
    tested = tested_attributes(policies)
    keys = sorted(INPUT_KEYS) if "message_key" in tested else ["DQ"]
    reasons = REASONS if "message_reason" in tested else ("none",)
    images = (False, True) if "message_image" in tested else (False,)
    warrants = WARRANTS if "warrant" in tested else ("none",)
    times = SAMPLE_TIMES if "time" in tested else SAMPLE_TIMES[:1]
    refused: list[str | None] = [None, *sorted(_refusal_components(policies))]
    for agency in agency_classes(directory, tested, state):
        for key in keys:
            for reason in reasons:
                for image in images:
                    for warrant in warrants:
                        for at in times:
                            for to in refused:
                                yield RequestClass(agency, key, reason, image, warrant, at, to)


def _refusal_components(policies: Iterable[PolicyFile]) -> set[str]:
    """Every component a `subject.refused_to` test names: a recent refusal
    to each is a class of its own."""
    return {
        component
        for policy in policies
        for rule in policy.rules
        for cond in (*_conditions(rule.when), *_conditions(rule.unless))
        if cond.subject_refused_to is not None
        for component in cond.subject_refused_to.components
    }
