"""GET /v1/audit: the audit records an admin's scope covers, filtered, a page
at a time; `next` is an opaque cursor for the following page."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query

from switch.access.visibility import project
from switch.api.deps import AdminDep, RuntimeDep, require_scope
from switch.audit.public import AuditPagePublic
from switch.audit.search import MAX_PAGE, AuditQuery, AuditQueryError, Order, search_audit
from switch.directory import JURISDICTIONS
from switch.moments import ISO_HINT, end_after, read_moment

router = APIRouter(prefix="/v1/audit", tags=["audit"])

_CURSOR_VERSION = "c1"


def encode_cursor(order: Order, seq: int) -> str:
    raw = f"{_CURSOR_VERSION}:{order}:{seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: Order) -> int:
    """The seq a cursor continues from; it must come from a search in the same order."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, was, seq = base64.urlsafe_b64decode(padded).decode().split(":")
        if version != _CURSOR_VERSION or not seq.isdigit():
            raise ValueError(cursor)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise AuditQueryError("cursor is not one this API gave out (use `next`)") from None
    if was != order:
        raise AuditQueryError(f"cursor was made for order={was}, not order={order}")
    return int(seq)


def _moment(text: str | None, name: str) -> tuple[datetime, bool] | None:
    if text is None or not text.strip():
        return None
    try:
        return read_moment(text)
    except ValueError:
        raise AuditQueryError(f"{name} {text[:40]!r} is not {ISO_HINT}") from None


def _state(state: str | None) -> str | None:
    if state is None or not state.strip():
        return None
    code = state.strip().upper()
    if code not in JURISDICTIONS:
        raise AuditQueryError(f"unknown state {state[:10]!r}: expected a code such as WA")
    return code


@router.get(
    "",
    response_model=AuditPagePublic,
    summary="Audit records within your admin scope, newest first by default",
)
def read_audit(
    admin: AdminDep,
    runtime: RuntimeDep,
    kind: Literal["message", "admin", "all"] = Query(
        default="message",
        description="message: messages and refused requests; admin: admin acts; all: both",
    ),
    ori: str | None = Query(default=None, description="Sender ORI"),
    state: str | None = Query(default=None, description="Records touching this state"),
    key: str | None = Query(default=None, description="Message key: DQ, RQ, ..."),
    key_id: str | None = Query(default=None, description="The API key's id"),
    outcome: Literal["routed", "accepted", "rejected", "refused", "done", "pruned"] | None = None,
    decision: Literal["permit", "deny"] | None = None,
    since: str | None = Query(default=None, description="ISO date or time, inclusive"),
    until: str | None = Query(default=None, description="ISO date or time, inclusive"),
    limit: int = Query(default=100, ge=1, le=MAX_PAGE),
    order: Literal["desc", "asc"] = "desc",
    cursor: str | None = Query(default=None, description="`next` from the previous page"),
) -> AuditPagePublic:
    """A record touches a state when its sender is in the state, one of its
    outcomes is at the state, or it is an admin act about the state; an admin
    scoped to a state sees only those, and of each only what
    `switch.access.visibility` lets its scope read."""
    scope = admin.admin_scope or ""
    wanted = _state(state)
    if wanted is not None:
        require_scope(admin, wanted)
    start = _moment(since, "since")
    end = _moment(until, "until")
    query = AuditQuery(
        scope=scope,
        kind=kind,
        ori=ori.strip().upper() if ori else None,
        state=wanted,
        message_key=key.strip().upper() if key else None,
        key_id=key_id.strip().lower() if key_id else None,
        outcome=outcome,
        decision=decision,
        since=start[0] if start else None,
        before=end_after(*end) if end else None,
        limit=limit,
        order=order,
        after=decode_cursor(cursor, order) if cursor else None,
    )
    page = search_audit(runtime.engine, query)
    # INVARIANT: the search's SQL gives only records the scope touches, so
    # none is dropped here and a page keeps its length.
    records = [view for record in page.records if (view := project(admin, record)) is not None]
    return AuditPagePublic(
        records=records,
        next=encode_cursor(order, page.next_seq) if page.next_seq is not None else None,
    )
