"""Auditing refused requests: every 401 (no key, an unknown, revoked or
expired one), 403 (a key asking for what it may not have) and 429 (an ORI
over its rate) leaves an audit record saying who tried what, and when.

Refusals the hub answers itself (a text header whose ORI is not the key's,
an admin key sending a message) are audited there, with the message; they
never reach the exception handler that calls this, so nothing is recorded
twice.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

from fastapi import Request

from switch.api.deps import bearer
from switch.audit.records import AuditRecord, new_message_id
from switch.audit.writer import AuditUnavailable
from switch.errors import SwitchError
from switch.router import utc_now
from switch.runtime import Runtime

log = logging.getLogger("switch.api")

REFUSED = "refused"
# The HTTP statuses that mean "not you" or "not now", as opposed to bad input.
REFUSAL_STATUSES = frozenset({401, 403, 429})
# Query parameters that may carry a secret (EventSource streams take ?key=).
_SECRET_PARAMS = frozenset({"key", "ticket"})
_TARGET_LIMIT = 2000


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


def refusal_record(
    *, who: str, sender_ori: str | None, target: str, err: SwitchError
) -> AuditRecord:
    return AuditRecord(
        id=new_message_id(),
        received_at=utc_now(),
        identity=who,
        sender_ori=sender_ori,
        message_key=None,
        control=None,
        reason=None,
        destinations=None,
        fields=None,
        outcome=REFUSED,
        er_code=None,
        http_status=err.http_status,
        detail=err.message,
        raw=target,
        latency_ms=0.0,
    )


async def audit_refusal(request: Request, err: SwitchError) -> str | None:
    """Record a refusal; its audit id, or None when there is no audit to
    write to. A refusal changes nothing, so it is still answered when the
    audit cannot take it."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return None
    who, sender_ori = runtime.keys.describe(presented_secret(request))
    record = refusal_record(who=who, sender_ori=sender_ori, target=attempted(request), err=err)
    try:
        await runtime.writer.write(record)
    except AuditUnavailable:
        log.warning("refusal not audited (%s %s): audit unavailable", who, record.raw)
        return None
    return record.id
