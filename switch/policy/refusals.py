"""The recent refusals of a message's subject: a fact found before deciding.

A rule that tests `subject.refused_to` asks whether the person a query is
about was refused, at the deciding state, to a requester of some federal
components within some hours. The hub (or a replay) looks the subject up in
its index of recent refusals before `decide`, and hands the answer in as
`Facts.refusals`, so evaluation stays a pure function: `None` means the
index could not be read, and a rule that tests it then fails closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class Refusal:
    """One query a state's policy refused, as the index keeps it."""

    message_id: str
    at: datetime
    state: str
    requester_ori: str
    component: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "at": self.at.isoformat(),
            "state": self.state,
            "requester_ori": self.requester_ori,
            "component": self.component,
        }


# What the index said of a subject: its refusals in the horizon (any state),
# () for none or a message that names no one, None when it could not be read.
Refusals = tuple[Refusal, ...] | None
NO_REFUSALS: tuple[Refusal, ...] = ()


def latest_refusal(
    refusals: Iterable[Refusal],
    state: str,
    components: frozenset[str],
    at: datetime,
    within: timedelta,
) -> Refusal | None:
    """The latest refusal at `state` to one of `components` in (at - within, at]."""
    since = at - within
    found: Refusal | None = None
    for r in refusals:
        if (
            r.state == state
            and r.component in components
            and since < r.at <= at
            and (found is None or r.at > found.at)
        ):
            found = r
    return found
