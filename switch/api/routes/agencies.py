"""GET /v1/agencies: the directory, filterable."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from switch.api.deps import NationalAdminDep, RuntimeDep

router = APIRouter(prefix="/v1/agencies", tags=["directory"])


@router.get("", summary="Agencies in the directory")
def list_agencies(
    _admin: NationalAdminDep,
    runtime: RuntimeDep,
    component: str | None = None,
    state: str | None = None,
    type: str | None = None,
) -> list[dict[str, Any]]:
    agencies = runtime.directory.filter(component=component, state=state, type=type)
    return [a.as_dict() for a in agencies]
