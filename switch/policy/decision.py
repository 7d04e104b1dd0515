"""A policy decision is data: what was decided, by which rules, and why;
and a ruling, the enforced decision with the shadow one beside it.
An obligation is said two ways: its identifier (`notify_subject(3 business
days)`, as the audit keeps it) and in words (`obligation_words`), for a room."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, cast

from switch.directory.model import Agency
from switch.messages.model import Message
from switch.policy.refusals import NO_REFUSALS, Refusals

Effect = Literal["permit", "deny"]
# Where a state's policy is enforced, so where its refusal comes from: at
# Nlets (an ER from NL0000000), at the state's own switch (an ER from its
# control terminal; the query never leaves the state switch for the DMV), or
# at the DMV (the DMV's own answer, in its words).
EnforcedAt = Literal["nlets", "state-switch", "dmv"]
ENFORCEMENT_POINTS: tuple[EnforcedAt, ...] = ("nlets", "state-switch", "dmv")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PolicyRequest:
    """Everything a state's policy may look at; nothing it must fetch.

    `warrant` is what the court registry said of the cited `WRT/`; `None`
    means the registry could not be asked, and any rule that tests the
    warrant then fails closed. `refusals` is what the index of recent
    refusals holds of the subject, with the same `None`.
    """

    requester: Agency
    state: str
    message: Message
    warrant: str | None = "none"
    at: datetime = field(default_factory=_now)
    refusals: Refusals = NO_REFUSALS


ObligationKind = Literal["notify_subject", "report", "flag_for_review"]


@dataclass(frozen=True, slots=True)
class Obligation:
    """What a permit obliges: notify the subject, report, or flag for review."""

    kind: ObligationKind
    within_business_days: int | None = None

    def __str__(self) -> str:
        if self.kind == "notify_subject":
            return f"notify_subject({self.within_business_days} business days)"
        return self.kind

    @classmethod
    def parse(cls, text: str) -> Obligation | None:
        """The obligation an identifier names (`str` of one), or None."""
        found = _IDENTIFIER.fullmatch(text.strip())
        if found is None:
            return None
        days = found["days"]
        kind = cast(ObligationKind, found["kind"])
        if (kind == "notify_subject") != (days is not None):
            return None
        return cls(kind, int(days) if days is not None else None)


_IDENTIFIER = re.compile(
    r"(?P<kind>notify_subject|report|flag_for_review)(?:\((?P<days>\d+)(?: business days?)?\))?"
)


def obligation_words(obligation: Obligation | str) -> str:
    """What an obligation asks of the state, in words a room reads: `the
    driver must be told within 3 business days`. Takes the identifier too
    (as a reply or the audit carries it); one not known is given as it is."""
    if isinstance(obligation, str):
        parsed = Obligation.parse(obligation)
        if parsed is None:
            return obligation
        obligation = parsed
    if obligation.kind == "notify_subject":
        days = obligation.within_business_days or 0
        if days == 0:
            return "the driver must be told the same day"
        return f"the driver must be told within {days} business day{'s' if days != 1 else ''}"
    if obligation.kind == "report":
        return "the release is reported"
    return "the release is flagged for review"


@dataclass(frozen=True, slots=True)
class Decision:
    effect: Effect
    # Every rule that decided, in policy order (deny-overrides may have
    # several); empty when the default decided.
    rules: tuple[str, ...] = ()
    reason: str | None = None
    version: str = ""
    redact: tuple[str, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    errors: tuple[str, ...] = ()
    # Where the deciding policy is enforced: a denial is refused there.
    enforced_at: EnforcedAt = "nlets"
    # The warrant levels the deciding rules name (judicial, administrative):
    # what a deny wanted, or what a permit was given for.
    warrant_wanted: tuple[str, ...] = ()

    @property
    def rule(self) -> str | None:
        """The first deciding rule, as an ER and the audit name it."""
        return self.rules[0] if self.rules else None

    @property
    def permitted(self) -> bool:
        return self.effect == "permit"

    def as_dict(self) -> dict[str, object]:
        return {
            "effect": self.effect,
            "rule": self.rule,
            "rules": list(self.rules),
            "reason": self.reason,
            "version": self.version,
            "redact": list(self.redact),
            "obligations": [str(o) for o in self.obligations],
            "obligations_words": [obligation_words(o) for o in self.obligations],
            "errors": list(self.errors),
            "enforced_at": self.enforced_at,
            "warrant_wanted": list(self.warrant_wanted),
        }


@dataclass(frozen=True, slots=True)
class Ruling:
    """What a state's policies say of one request: the enforced decision,
    and beside it what the state's candidate policy would decide (shadow
    mode), which is recorded and counted but never enforced."""

    decision: Decision
    shadow: Decision | None = None
