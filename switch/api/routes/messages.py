"""POST /v1/messages and GET /v1/messages/{id}."""

from __future__ import annotations

import math
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from switch.access.keys import Identity
from switch.access.ratelimit import Admission, RateLimiter
from switch.access.visibility import project
from switch.api.deps import IdentityDep, RuntimeDep, bearer
from switch.api.forms import XML_MEDIA_TYPE, body_form, wants_xml, xml_reply
from switch.app.runtime import Runtime
from switch.audit.public import MessagePublic, ReplyPublic
from switch.audit.queries import get_message
from switch.errors import AuthError, ForbiddenError, NotFoundError
from switch.messages import parse, to_xml
from switch.metrics import REQUEST_SECONDS

router = APIRouter(prefix="/v1/messages", tags=["messages"])

_BODY_DOC: dict[str, Any] = {
    "parameters": [
        {
            "name": "wait",
            "in": "query",
            "required": False,
            "description": "seconds to wait (0: answer 202, outcomes to the mailbox)",
            "schema": {"type": "number", "minimum": 0, "maximum": 60},
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "text/plain": {
                "schema": {"type": "string"},
                "example": "DQ.NY0303000.WA.*K7F2.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M",
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["key", "dest", "fields"],
                    "properties": {
                        "key": {"type": "string"},
                        "dest": {"type": "array", "items": {"type": "string"}},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                        "control": {"type": "string"},
                    },
                },
                "example": {"key": "DQ", "dest": ["WA"], "fields": {"OLN": "WDL123456789"}},
            },
            # Nlets XML 4.00 (switch/messages/xsd/nlets.xsd); text/xml reads the same.
            "application/xml": {
                "schema": {"type": "string"},
                "example": to_xml(parse("DQ.NY0303000.WA.*K7F2.TXTOLN/WDL123456789")),
            },
        },
    },
    # An XML message, or Accept: application/xml, is answered in XML
    # (sr:SwitchReply, switch/messages/xsd/switch-reply.xsd), ERs included.
    "responses": {
        status: {
            "description": description,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ReplyPublic"}},
                XML_MEDIA_TYPE: {"schema": {"type": "string"}},
            },
        }
        for status, description in (
            ("200", "Successful Response"),
            ("202", "Accepted: outcomes go to the mailbox"),
            ("422", "Refused with an ER"),
        )
    },
}


def admit(request: Request, runtime: Runtime, identity: Identity) -> Admission | None:
    """Take a token from the sender's bucket, or refuse with the SM (429);
    the hub takes the rest of the message's cost once it is parsed."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None or identity.ori is None:
        return None  # an admin key sends nothing; the hub refuses it
    wait = limiter.take(identity.ori)
    if wait > 0:
        raise limiter.refusal(identity.ori, wait, runtime.numbers.next)
    return Admission(limiter, identity.ori)


async def _read_body(request: Request, limit: int) -> bytes:
    """Read at most about limit+1 bytes: enough for the hub to know the body is
    too large (and audit it as such) without buffering whatever was sent."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


class FastJSONResponse(JSONResponse):
    """orjson for the reply every message gets (several times quicker than
    the standard library); the standard encoder for what orjson refuses."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except (TypeError, orjson.JSONEncodeError):
            return super().render(content)


def _wait(request: Request, default: float) -> float:
    """`?wait=` as a number of seconds in [0, 60]. Read by hand, not declared
    as a parameter: FastAPI's parameter solving was a fifth of this route's
    cost, and this is the route every message takes."""
    raw = request.query_params.get("wait")
    if raw is None:
        return default
    try:
        wait = float(raw)
    except ValueError:
        wait = math.nan
    if not 0 <= wait <= 60:  # also refuses nan
        raise RequestValidationError(
            [{"loc": ("query", "wait"), "msg": "must be a number of seconds from 0 to 60"}]
        )
    return wait


# The reply is built by hand (switch.core.replies) for speed; ReplyPublic is its
# documented shape, and tests/test_public_shapes.py holds the two together.
@router.post("", openapi_extra=_BODY_DOC, response_model=ReplyPublic, summary="Send a message")
async def post_message(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    with REQUEST_SECONDS.time():
        wait = _wait(request, runtime.settings.default_wait)
        identity = runtime.keys.resolve(bearer(request))
        # Before the body is read: a sender over its rate costs the hub nothing more.
        admission = admit(request, runtime, identity)
        body = await _read_body(request, runtime.hub.max_body_bytes)
        form = body_form(request)
        reply = await runtime.hub.submit(identity, body, form=form, wait=wait, admission=admission)
    if wants_xml(request, form):
        return xml_reply(reply, identity, runtime.numbers)
    return FastJSONResponse(reply.body, status_code=reply.status_code)


@router.get(
    "/{message_id}",
    response_model=MessagePublic,
    summary="One message as the audit holds it, as much as your key may read",
)
def read_message(message_id: str, identity: IdentityDep, runtime: RuntimeDep) -> MessagePublic:
    record = get_message(runtime.engine, message_id)
    view = None if record is None else project(identity, record)
    if view is not None:
        return view
    if record is None or identity.ori is not None:
        # Same answer as a missing id: a sender learns nothing of others' traffic.
        raise NotFoundError(f"no message {message_id}")
    raise ForbiddenError(f"admin scope {identity.admin_scope} does not cover this message")


__all__ = ["AuthError", "router"]
