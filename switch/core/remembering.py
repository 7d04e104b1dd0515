"""The hub's side of `subject.refused_to`: the index asked before a message
is decided, and its refusals handed to the audit writer as it settles.

    arrive -> facts(): the subject's recent refusals (None if unreadable) -> decide
    settle -> rows(): the refusals this message met, committed with its record

Asking happens only when a policy in force or in shadow remembers (its
`memory_hours` > 0) and the message names someone; a message that names no
one has no refusals to find.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from switch.audit.records import RefusalItem
from switch.core.capture import Intake
from switch.core.router import Router, RouteResult
from switch.directory import Directory
from switch.messages.model import Message
from switch.messages.subjects import person_keys
from switch.policy import PolicyStore
from switch.policy.refusals import NO_REFUSALS, Refusals
from switch.recent_refusals import RefusalIndex, horizon_hours, refusal_items

log = logging.getLogger("switch.core.hub")


def _memory_of(router: Router) -> Callable[[], float]:
    decider = router.decider
    if isinstance(decider, PolicyStore):
        return lambda: decider.snapshot.memory_hours()
    return lambda: 0.0


class Remembering:
    def __init__(
        self,
        directory: Directory,
        router: Router,
        index: RefusalIndex | None,
        memory_hours: Callable[[], float] | None = None,
    ) -> None:
        """`memory_hours`: the longest window a policy asks of the index (by
        default the router's PolicyStore's, else 0)."""
        self.directory = directory
        self.index = index
        self.memory_hours = memory_hours or _memory_of(router)

    async def facts(self, message: Message, at: datetime) -> Refusals:
        """What the index holds of the message's subject, when a policy asks;
        None when it cannot be read (or the hub has none), which makes any
        rule that tests it fail closed."""
        hours = self.memory_hours()
        if hours <= 0:
            return NO_REFUSALS
        subjects = person_keys(message.fields, at.date())
        if not subjects:
            return NO_REFUSALS
        if self.index is None:
            return None
        try:
            return await asyncio.to_thread(self.index.recent, subjects, at, hours)
        except Exception:  # an index fault must not decide; the policy fails closed
            log.exception("recent refusals could not be read")
            return None

    def rows(self, intake: Intake, message: Message, routed: RouteResult) -> list[RefusalItem]:
        """The index rows of the refusals this message met (none without an index)."""
        if self.index is None:
            return []
        requester = self.directory.get(message.ori)
        if requester is None or requester.component is None:
            return []
        at = intake.received
        subjects = person_keys(message.fields, at.date())
        decided = [(r.state, r.decision) for r in routed.results if r.status == "rejected"]
        return refusal_items(intake.message_id, requester, subjects, at, decided)

    async def added(self, rows: int, now: datetime) -> None:
        """`rows` were committed at `now` (the hub's clock): prune the index
        when it is due."""
        assert self.index is not None
        horizon = horizon_hours(self.memory_hours())
        try:
            await asyncio.to_thread(self.index.added, rows, horizon, now)
        except Exception:  # pruning is housekeeping: the next one catches up
            log.exception("recent refusals could not be pruned")
