"""Auditing refused requests: every request the API answers with a client
error leaves an audit record saying who tried what, from where, and when.
That is each 401 (no key, an unknown, revoked or expired one), 403 (a key
asking for what it may not have), 429 (an ORI over its rate), 422 (bad
input, `?wait=nan` among it), and the size limits' 413, 414 and 431 answered
before any route runs (switch.api.limits).

A request that presented no good key costs no row of its own: it is counted
in its client's window (switch.audit.refusal_windows), so a flood of
made-up keys writes a record every few seconds, not one per attempt.

Refusals the hub answers itself (a text header whose ORI is not the key's,
an admin key sending a message) are audited there, with the message, and
an admin act refused is audited as that act (switch.api.admin_acts); they
never reach the handlers that call this, or are marked as recorded, so
nothing is recorded twice.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

from fastapi import Request
from starlette.types import Scope

from switch.access.keys import Identity
from switch.api.deps import bearer
from switch.app.runtime import Runtime
from switch.audit.records import AuditRecord, new_message_id
from switch.audit.refusal_windows import RefusalWindows
from switch.audit.writer import AuditUnavailable
from switch.clock import utc_now
from switch.errors import AuthError, SwitchError

log = logging.getLogger("switch.api")

REFUSED = "refused"  # not you, or not now
REJECTED = "rejected"  # bad input
# The HTTP statuses that mean "not you" or "not now", as opposed to bad input.
REFUSAL_STATUSES = frozenset({401, 403, 429})
# Query parameters that may carry a secret (EventSource streams take ?key=).
_SECRET_PARAMS = frozenset({"key", "ticket"})
_TARGET_LIMIT = 2000
_UNKNOWN = ("anonymous", "unknown:")


def presented_secret(request: Request) -> str | None:
    """The key the caller presented: the bearer header, or `?key=` on the
    streaming routes browsers open with EventSource."""
    return bearer(request) or request.query_params.get("key") or None


def attempted(request: Request) -> str:
    """What was tried, as the request line, with secrets left out."""
    params = [
        (name, "..." if name in _SECRET_PARAMS else value)
        for name, value in request.query_params.multi_items()
    ]
    query = f"?{urlencode(params, safe='/:,*.')}" if params else ""
    # Quoted as the query is: a path may carry a NUL, which PostgreSQL cannot store.
    path = quote(request.url.path, safe="/:,*.")
    return f"{request.method} {path}{query}"[:_TARGET_LIMIT]


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "-"


def refusal_record(
    *,
    who: str,
    sender_ori: str | None,
    target: str,
    status: int,
    detail: str,
    client: str | None = None,
    outcome: str = REFUSED,
) -> AuditRecord:
    return AuditRecord(
        id=new_message_id(),
        received_at=utc_now(),
        identity=who[:64],
        sender_ori=sender_ori,
        message_key=None,
        control=None,
        reason=None,
        destinations=None,
        fields=None,
        outcome=outcome,
        er_code=None,
        http_status=status,
        detail=detail.replace("\x00", "\u2400"),
        raw=target.replace("\x00", "\u2400"),
        latency_ms=0.0,
        client=client,
    )


def _key_of(runtime: Runtime, secret: str | None, status: int) -> Identity | None:
    """The good key behind the request, if any (a 401 had none)."""
    if status == 401 or not secret:
        return None
    try:
        return runtime.keys.resolve(secret)
    except AuthError:
        return None


async def audit_request(
    request: Request, status: int, detail: str, *, reason: str, outcome: str
) -> str | None:
    """Record one refused request: in its own record when it carried a good
    key, else counted in its client's window. Its audit id, or None when
    there is no audit to write to; a refusal changes nothing, so it is still
    answered when the audit cannot take it."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return None
    secret = presented_secret(request)
    target = attempted(request)
    client = client_address(request)
    identity = _key_of(runtime, secret, status)
    windows: RefusalWindows | None = getattr(request.app.state, "refusal_windows", None)
    if identity is None and windows is not None:
        who, sender_ori = runtime.keys.describe(secret)
        return windows.add(
            client=client,
            status=status,
            reason=reason,
            detail=detail,
            who=who,
            target=target,
            known=not who.startswith(_UNKNOWN),
            sender_ori=sender_ori,
            outcome=outcome,
        )
    if identity is not None:
        who, sender_ori = str(identity), identity.ori
    else:
        who, sender_ori = runtime.keys.describe(secret)
    record = refusal_record(
        who=who,
        sender_ori=sender_ori,
        target=target,
        status=status,
        detail=detail,
        client=client,
        outcome=outcome,
    )
    try:
        await runtime.writer.write(record)
    except AuditUnavailable:
        log.warning("refusal not audited (%s %s): audit unavailable", who, record.raw)
        return None
    return record.id


async def audit_refusal(request: Request, err: SwitchError) -> str | None:
    """Record a request refused with a SwitchError (a client error; a 5xx
    is the switch's own fault, and often the audit's)."""
    recorded: str | None = getattr(request.state, "audit_id", None)
    if recorded is not None:  # an admin act, refused and recorded as such
        return recorded
    if err.http_status >= 500:
        return None
    refused = err.http_status in REFUSAL_STATUSES
    # A 401's reason is one of a few sentences; other errors quote input.
    reason = err.message if err.http_status == 401 else err.code
    outcome = REFUSED if refused else REJECTED
    return await audit_request(
        request, err.http_status, err.message, reason=reason, outcome=outcome
    )


async def audit_rejected(request: Request, status: int, code: str, message: str) -> str | None:
    """Record a request refused for its shape or size, before or by validation."""
    return await audit_request(request, status, message, reason=code, outcome=REJECTED)


async def audit_limit(scope: Scope, status: int, code: str, message: str) -> str | None:
    """The size limits' hook (switch.api.limits): runs before any route."""
    return await audit_rejected(Request(scope), status, code, message)
