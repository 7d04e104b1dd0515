"""The hub's live relay flag: a routed query that looks made for a federal
immigration requester its subject's state refused within the window.

    settle -> flags(): per destination state, the refusal the query follows
              and the detector's score -> audit outcome `relay`, a metric,
              the live view's event

The scoring is the detector's own (`switch.impact.proxies_score.score`), so
the hub and `switch impact proxies` flag alike. The index of recent refusals
is read once per message, and only when the message names a person and its
requester has some tie to immigration enforcement (`may_relay`): most
traffic costs a few dictionary lookups. A flag is evidence for a reader,
never a decision: an index that cannot be read is logged and counted, and
the message goes on unflagged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from switch.core.capture import Intake
from switch.core.router import RouteResult
from switch.directory import Directory
from switch.impact.proxies_score import (
    DEFAULT_WINDOW,
    IMMIGRATION,
    Query,
    Suspicion,
    may_relay,
    score,
)
from switch.impact.proxies_score import Refusal as Refused
from switch.messages.model import Message
from switch.messages.subjects import person_keys
from switch.metrics import RELAY_CHECKS_FAILED, SUSPECTED_RELAYS, child
from switch.policy.refusals import Refusal
from switch.recent_refusals import RefusalIndex

log = logging.getLogger("switch.core.hub")

# How the live view names the refused requester: the agency, not the office.
_AGENCY = {"ICE-ERO": "ICE", "ICE-HSI": "ICE", "CBP": "CBP"}
_PATTERN_WORDS = {"287g-relay": "287(g)", "hsi-for-ero": "HSI for ERO"}


@dataclass(frozen=True, slots=True)
class RelayFlag:
    """A query at `state` flagged as a likely relay of `refusal`."""

    state: str
    refusal: Refusal
    suspicion: Suspicion

    @property
    def text(self) -> str:
        """The audit outcome's `relay`: the pattern and the refused original."""
        return f"{self.suspicion.pattern} {self.refusal.message_id}"

    def event(self) -> dict[str, Any]:
        """What the live view shows of it."""
        s = self.suspicion
        minutes = round(s.seconds_after / 60)
        agency = _AGENCY.get(self.refusal.component, self.refusal.component)
        how = _PATTERN_WORDS.get(s.pattern, "local police")
        return {
            "state": self.state,
            "pattern": s.pattern,
            "score": s.score,
            "refused_id": self.refusal.message_id,
            "refused_ori": self.refusal.requester_ori,
            "refused_component": self.refusal.component,
            "minutes_after": minutes,
            "evidence": [e.words for e in s.evidence],
            "summary": f"may be for {agency}: {how}, {_ago(minutes)} after a refusal",
        }


def texts(flags: Mapping[str, RelayFlag]) -> dict[str, str]:
    """The audit outcomes' `relay` by state."""
    return {state: flag.text for state, flag in flags.items()}


def count(flags: Mapping[str, RelayFlag]) -> None:
    """Count flags once they are audited (by state and pattern: no ORI, as
    every label set stays small)."""
    for state, flag in flags.items():
        child(SUSPECTED_RELAYS, state, flag.suspicion.pattern).inc()


def _ago(minutes: int) -> str:
    return f"{minutes} min" if minutes < 120 else f"{minutes / 60:.0f} h"


class RelayWatch:
    def __init__(
        self,
        directory: Directory,
        index: RefusalIndex | None,
        window: timedelta = DEFAULT_WINDOW,
    ) -> None:
        self.directory = directory
        self.index = index
        self.window = window

    async def flags(self, intake: Intake, routed: RouteResult) -> dict[str, RelayFlag]:
        """The flag per destination state that earns one (none without an
        index, or when it cannot be read)."""
        message, message_id, at = intake.message, intake.message_id, intake.received
        if self.index is None or message is None:
            return {}
        states = list(dict.fromkeys(r.state for r in routed.results if r.state is not None))
        if not states:
            return {}
        subjects = person_keys(message.fields, at.date())
        if not subjects or not may_relay(message.ori, message.fields, self.directory):
            return {}
        try:
            refusals = await asyncio.to_thread(
                self.index.recent, subjects, at, self.window.total_seconds() / 3600
            )
        except Exception:  # a flag is evidence, never worth a message: log, count, go on
            log.exception("recent refusals could not be read for the relay flag")
            RELAY_CHECKS_FAILED.inc()
            return {}
        found: dict[str, RelayFlag] = {}
        for state in states:
            flag = self._best(message_id, message, subjects[0], state, at, refusals)
            if flag is not None:
                found[state] = flag
        return found

    def _best(
        self,
        message_id: str,
        message: Message,
        subject: str,
        state: str,
        at: datetime,
        refusals: tuple[Refusal, ...],
    ) -> RelayFlag | None:
        """The highest-scoring refusal at `state` the query follows (the
        latest on a tie), if it reaches the threshold."""
        query = Query(message_id, at, message.ori, state, subject, message.fields)
        best: RelayFlag | None = None
        for refusal in refusals:
            if refusal.state != state or refusal.component not in IMMIGRATION:
                continue
            refused = Refused(refusal.message_id, refusal.at, refusal.requester_ori, state, subject)
            suspicion = score(refused, query, self.directory, self.window)
            if suspicion is None or not suspicion.flagged():
                continue
            if best is None or (suspicion.score, refusal.at) >= (
                best.suspicion.score,
                best.refusal.at,
            ):
                best = RelayFlag(state, refusal, suspicion)
        return best
