"""GET /v1/notices: notices owed to subjects, within the admin's scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from switch.api.deps import AdminDep, RuntimeDep
from switch.errors import ForbiddenError
from switch.notices import list_notices

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
