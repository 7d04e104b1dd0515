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
        "requester_state",
        "tags",
        "type",
        "warrant",
    )

    def __init__(
        self, requester: Agency, message: Message, warrant: str | None, at: datetime
    ) -> None:
        """`warrant` is what the court registry said of the cited WRT/ (None:
        it could not be asked); `at` is when the message arrived."""
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

    @classmethod
    def of(cls, request: PolicyRequest) -> Facts:
        """The facts of a request to one state (the state plays no part)."""
        return cls(request.requester, request.message, request.warrant, request.at)

    def known_warrant(self) -> str:
        if self.warrant is None:
            raise EvaluationError("the court registry could not be asked about the cited warrant")
        return self.warrant

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
        }
