"""What a sender reads back: the reply JSON of SPEC.md's HTTP API.

The reply is `switch.audit.public.ReplyPublic`, its outcomes `OutcomePublic`,
built here as plain dicts: every message takes this path, and validating a
model per outcome would cost it several times what the dicts do.
tests/test_public_shapes.py proves that what is built is what is documented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from switch.core.regional import NORMAL
from switch.core.router import DestinationResult, RouteResult
from switch.errors import MessageError, SwitchError
from switch.messages.model import Message, OutputMessage
from switch.messages.output import output_json
from switch.policy import obligation_words


@dataclass(frozen=True, slots=True)
class Reply:
    status_code: int
    body: dict[str, Any]


def response_json(out: OutputMessage | None) -> dict[str, Any] | None:
    return None if out is None else output_json(out)


def result_response_json(result: DestinationResult) -> dict[str, Any] | None:
    """The result's response as JSON, rendered once: the reply and the audit
    both need it, and rendering the text is the dear part."""
    if result.rendered is None and result.response is not None:
        result.rendered = response_json(result.response)
    return result.rendered


def result_json(result: DestinationResult) -> dict[str, Any]:
    """One outcome, as the sender sees it: `OutcomePublic` less the audit's
    `state` and `warrant`, and less `redacted`, `obligations` (with their
    words), `warrant_wanted` and `refused_by` when empty."""
    decision = result.decision
    body: dict[str, Any] = {
        "destination": result.destination,
        "decision": decision.effect,
        "rule": decision.rule,
        "reason": decision.reason,
        "policy_version": decision.version,
        "status": result.status,
        "latency_ms": round(result.latency_ms, 3),
        "response": result_response_json(result),
    }
    if decision.redact:
        body["redacted"] = list(decision.redact)
    if decision.obligations:
        body["obligations"] = [str(o) for o in decision.obligations]
        body["obligations_words"] = [obligation_words(o) for o in decision.obligations]
    if decision.warrant_wanted:
        body["warrant_wanted"] = list(decision.warrant_wanted)
    refused_by = result.refused_by
    if refused_by is not None:
        body["refused_by"] = refused_by
    return body


def routed_reply(message_id: str, message: Message, routed: RouteResult) -> Reply:
    body: dict[str, Any] = {
        "id": message_id,
        "key": message.key,
        "ori": message.ori,
        "results": [result_json(r) for r in routed.visible()],
    }
    if routed.multi_state:
        body["summary"] = routed.summary()
    if routed.priority != NORMAL:
        body["priority"] = routed.priority
    return Reply(200, body)


def accepted_reply(message_id: str, message: Message) -> Reply:
    return Reply(202, {"id": message_id, "key": message.key, "ori": message.ori, "results": []})


def error_json(err: SwitchError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": err.code, "message": err.message}
    if isinstance(err, MessageError):
        body["er_text"] = err.er_text
    return {"error": body}


def error_reply(message_id: str, err: SwitchError) -> Reply:
    return Reply(err.http_status, {**error_json(err), "id": message_id})
