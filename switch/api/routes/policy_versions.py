"""A state's policy versions: the history, one version's text, a rollback."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from switch.api.admin_acts import admin_act, state_of
from switch.api.deps import AdminDep, RuntimeDep, require_scope
from switch.audit.acts import POLICY_ROLLBACK
from switch.directory import JURISDICTIONS
from switch.errors import InvalidFormat
from switch.policy import versions
from switch.policy.store import UnknownState

router = APIRouter(prefix="/v1/policies", tags=["policies"])


class RollbackRequest(BaseModel):
    version: str | None = Field(default=None, max_length=80, examples=["sha256:0f3a…"])
    comment: str | None = Field(default=None, max_length=2000)


def _known(state: str) -> str:
    state = state.upper()
    if state not in JURISDICTIONS:
        raise UnknownState(state)
    return state


@router.get("/{state}/versions", summary="A state's policy versions, newest first")
def list_versions(
    state: str,
    admin: AdminDep,
    runtime: RuntimeDep,
    limit: int = Query(default=50, ge=1, le=versions.MAX_PAGE),
    before: int | None = Query(default=None, ge=1, description="A seq: the page before it"),
) -> dict[str, Any]:
    state = state.upper()
    require_scope(admin, state)
    state = _known(state)
    with runtime.engine.connect() as conn:
        found = versions.history(conn, state, limit=limit, before=before)
    return {
        "state": state,
        "versions": [v.as_dict(text=False) for v in found],
        "next_before": found[-1].seq if len(found) == limit else None,
    }


@router.get("/{state}/versions/{version}", summary="One version: its text and record")
def read_version(state: str, version: str, admin: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    state = state.upper()
    require_scope(admin, state)
    state = _known(state)
    with runtime.engine.connect() as conn:
        return versions.find(conn, state, version).as_dict()


@router.post("/{state}/rollback", summary="Put an older version's text in force as a new version")
async def rollback_policy(
    state: str,
    request: Request,
    admin: AdminDep,
    runtime: RuntimeDep,
    body: RollbackRequest | None = Body(default=None),
    version: str | None = Query(default=None, max_length=80),
    comment: str | None = Query(default=None, max_length=2000),
) -> dict[str, Any]:
    state = state.upper()
    wanted = version or (body.version if body else None)
    why = comment or (body.comment if body else None) or request.headers.get("x-switch-comment")
    async with admin_act(
        request, admin, POLICY_ROLLBACK, target=state, state=state_of(state)
    ) as act:
        require_scope(admin, state)
        state = _known(state)
        if not wanted:
            raise InvalidFormat("say which version to roll back to (`version`)")
        act.note(rollback_to=wanted[:80], comment=why)
        made = await asyncio.to_thread(
            runtime.shared_policies.rollback,
            state,
            wanted,
            act=act,
            author=versions.key_author(admin.key_id, admin.admin_scope),
            comment=why,
            changed_by=admin.key_id,
        )
    return made.as_dict()
