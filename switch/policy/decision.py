"""A policy decision is data: what was decided, by which rule, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from switch.directory.model import Agency
from switch.messages.model import Message

Effect = Literal["permit", "deny"]


@dataclass(frozen=True, slots=True)
class PolicyRequest:
    """Everything a state's policy may look at; nothing it must fetch."""

    requester: Agency
    state: str
    message: Message
    warrant: str = "none"


@dataclass(frozen=True, slots=True)
class Decision:
    effect: Effect
    rule: str | None = None
    reason: str | None = None
    version: str = ""
    redact: tuple[str, ...] = ()
    obligations: tuple[str, ...] = ()
    errors: tuple[str, ...] = field(default=())

    @property
    def permitted(self) -> bool:
        return self.effect == "permit"
