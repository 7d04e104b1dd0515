"""GET /v1/notices: notices owed to subjects, within the admin's scope."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from switch.api.admin_acts import admin_act
from switch.api.deps import AdminDep, RuntimeDep
from switch.audit.acts import NOTICES_SENT
from switch.errors import ForbiddenError
from switch.notices import list_notices, mark_sent

router = APIRouter(prefix="/v1/notices", tags=["notices"])


@router.get("", summary="Notices owed, newest first")
def read_notices(
    admin: AdminDep,
    runtime: RuntimeDep,
    state: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    scope = admin.admin_scope
    wanted = state.strip().upper() if state is not None else None
    if scope != "*":
        if wanted is not None and wanted != scope:
            raise ForbiddenError(f"admin scope {scope} does not cover {wanted}")
        wanted = scope
    return list_notices(runtime.engine, state=wanted, limit=limit)


# Notice seqs are INTEGER columns (32-bit on PostgreSQL): a number past them
# is no notice, and must be refused before the database refuses it.
NoticeSeq = Annotated[int, Field(ge=1, le=2**31 - 1)]


class SentNotices(BaseModel):
    seq: list[NoticeSeq] = Field(min_length=1, max_length=1000)


@router.post("/sent", summary="Record that notices went out")
async def notices_sent(
    body: SentNotices, request: Request, admin: AdminDep, runtime: RuntimeDep
) -> dict[str, int]:
    # A state-scoped admin can mark only its own state's notices.
    scope = None if admin.admin_scope == "*" else admin.admin_scope
    async with admin_act(request, admin, NOTICES_SENT, state=scope) as act:
        marked = await asyncio.to_thread(mark_sent, runtime.engine, body.seq, state=scope, act=act)
    return {"marked": marked}
