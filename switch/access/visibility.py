"""What each reader sees of a message: the one projection every route and
stream applies (`GET /v1/messages/{id}`, `GET /v1/audit`, `/v1/events`).

- The sender's own key, and an admin with scope `*`, see the message whole.
- A state admin sees a message its state touches (the sender is one of its
  agencies, or the message was routed to it): the message itself, each
  outcome at its state whole, and of every other destination only that the
  message was routed there (`OutcomeWithheld`): never that state's decision,
  rule, reason, response text or fields. An NL summary keeps its own state.
- Anyone else sees nothing: `None`, which a route answers 404 or 403.

The message's own `fields` are the sender's query; a state that received
the query, or whose agency sent it, may read them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from pydantic import ValidationError

from switch.access.keys import Identity
from switch.audit.public import (
    STATE_CHARS,
    AdminActPublic,
    FlowEvent,
    MessagePublic,
    OutcomeView,
    OutcomeWithheld,
    ReplyPublic,
    SummaryPublic,
)

log = logging.getLogger("switch.access.visibility")

Shape = TypeVar("Shape", bound=MessagePublic | ReplyPublic)


def sees_whole(identity: Identity, sender_ori: str | None) -> bool:
    """The sender's own key, or an admin of the whole switch."""
    if identity.admin_scope == "*":
        return True
    return identity.ori is not None and identity.ori == sender_ori


def _sender_state(sender_ori: str | None) -> str | None:
    return sender_ori[:STATE_CHARS] if sender_ori else None


def touches(scope: str, sender_ori: str | None, states: set[str]) -> bool:
    """A state admin's share: its agencies' messages and messages to it."""
    return _sender_state(sender_ori) == scope or scope in states


def outcome_for(scope: str, outcome: OutcomeView) -> OutcomeView:
    """An outcome as a state admin sees it: whole at its state, else routed."""
    if outcome.at_state == scope or isinstance(outcome, OutcomeWithheld):
        return outcome
    return OutcomeWithheld(destination=outcome.destination, state=outcome.at_state)


def _summary_for(scope: str, summary: SummaryPublic) -> SummaryPublic:
    def mine(states: list[str]) -> list[str]:
        return [s for s in states if s == scope]

    return SummaryPublic(
        hit=mine(summary.hit),
        no_hit=mine(summary.no_hit),
        no_response=mine(summary.no_response),
        denied=mine(summary.denied),
    )


def _states(shape: MessagePublic | ReplyPublic) -> set[str]:
    states = {outcome.at_state for outcome in shape.results}
    act = getattr(shape, "act", None)  # an admin act is its state's to read
    if isinstance(act, AdminActPublic) and act.state is not None:
        states.add(act.state)
    summary = getattr(shape, "summary", None)
    if isinstance(summary, SummaryPublic):
        states |= summary.states()
    return states


def project(identity: Identity, shape: Shape, *, sender_ori: str | None = None) -> Shape | None:
    """`shape` as `identity` may read it, or None when it may read nothing.
    `sender_ori` is for a shape that does not name its sender (a refusal)."""
    sender = shape.ori or sender_ori
    if sees_whole(identity, sender):
        return shape
    scope = identity.admin_scope
    if identity.ori is not None or scope is None:
        return None  # another agency's message
    if not touches(scope, sender, _states(shape)):
        return None
    update: dict[str, Any] = {"results": [outcome_for(scope, o) for o in shape.results]}
    if isinstance(shape, ReplyPublic) and shape.summary is not None:
        update["summary"] = _summary_for(scope, shape.summary)
    # model_copy keeps the type; mypy reads it as the bound's union.
    return cast(Shape, shape.model_copy(update=update))


def project_event(identity: Identity, event: Mapping[str, Any]) -> FlowEvent | None:
    """A live-flow event as `identity` may read it. An event that does not
    read as a `FlowEvent` is not sent to anyone: the flow fails closed."""
    try:
        parsed = FlowEvent.model_validate(event)
    except ValidationError as err:
        log.warning("live-flow event %s not sent: %s", event.get("id"), err.errors()[0]["msg"])
        return None
    sender = parsed.sender.get("ori")
    view = project(identity, parsed, sender_ori=sender if isinstance(sender, str) else None)
    if view is None or not view.relays or identity.admin_scope == "*":
        return view
    # A relay flag is the refusing state's: its admins read it, the sender never.
    scope = identity.admin_scope if identity.ori is None else None
    return view.model_copy(update={"relays": [r for r in view.relays if r.state == scope]})


__all__ = ["outcome_for", "project", "project_event", "sees_whole", "touches"]
