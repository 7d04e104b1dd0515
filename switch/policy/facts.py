"""The attributes a rule may test, taken once from a message.

Facts do not depend on which state decides, so a multi-state query builds
them once for all 52 policies; what does depend on the state (`in_state`,
local time) is worked out by the compiled test that needs it.
"""

from __future__ import annotations

from datetime import datetime

from switch.directory.model import Agency
from switch.messages.model import Message
from switch.policy.decision import PolicyRequest
from switch.policy.refusals import NO_REFUSALS, Refusal, Refusals


class EvaluationError(Exception):
    """A rule asked for something that could not be known: fail closed."""


class Facts:
    __slots__ = (
        "at",
        "component",
        "department",
        "image",
        "key",
        "ori",
        "reason",
        "refusals",
        "requester_state",
        "tags",
        "type",
        "warrant",
    )

    def __init__(
        self,
        requester: Agency,
        message: Message,
        warrant: str | None,
        at: datetime,
        refusals: Refusals = NO_REFUSALS,
    ) -> None:
        """`warrant` is what the court registry said of the cited WRT/ (None:
        it could not be asked); `at` is when the message arrived; `refusals`
        what the index of recent refusals holds of the subject (None: it
        could not be read)."""
        self.ori: str = requester.ori
        self.requester_state: str = requester.state
        self.type: str = requester.type
        self.department: str | None = requester.department
        self.component: str | None = requester.component
        self.tags: tuple[str, ...] = requester.tags
        self.key: str = message.key
        self.reason: str = message.fields.get("RSN", "none")
        self.image: bool = message.fields.get("IMQ") == "Y"
        self.warrant: str | None = warrant
        self.at: datetime = at
        self.refusals: Refusals = refusals

    @classmethod
    def of(cls, request: PolicyRequest) -> Facts:
        """The facts of a request to one state (the state plays no part)."""
        return cls(
            request.requester, request.message, request.warrant, request.at, request.refusals
        )

    def known_warrant(self) -> str:
        if self.warrant is None:
            raise EvaluationError("the court registry could not be asked about the cited warrant")
        return self.warrant

    def known_refusals(self) -> tuple[Refusal, ...]:
        if self.refusals is None:
            raise EvaluationError("the index of recent refusals could not be read")
        return self.refusals

    def as_dict(self) -> dict[str, object]:
        return {
            "requester.ori": self.ori,
            "requester.state": self.requester_state,
            "requester.type": self.type,
            "requester.department": self.department,
            "requester.component": self.component,
            "requester.tags": sorted(self.tags),
            "message.key": self.key,
            "message.reason": self.reason,
            "message.image": self.image,
            "warrant": self.warrant,
            "time": self.at.isoformat(),
            "subject.refusals": None
            if self.refusals is None
            else [r.as_dict() for r in self.refusals],
        }
