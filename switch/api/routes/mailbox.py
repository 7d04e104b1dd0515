"""GET /v1/mailbox: what is waiting for the caller's ORI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from switch.api.deps import AgencyDep, RuntimeDep
from switch.audit.queries import list_mailbox

router = APIRouter(prefix="/v1/mailbox", tags=["mailbox"])


@router.get("", summary="Undelivered items for your ORI")
def read_mailbox(
    identity: AgencyDep, runtime: RuntimeDep, limit: int = Query(default=100, ge=1, le=1000)
) -> dict[str, Any]:
    assert identity.ori is not None
    return {"ori": identity.ori, "items": list_mailbox(runtime.engine, identity.ori, limit)}
