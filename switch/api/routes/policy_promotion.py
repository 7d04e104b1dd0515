"""A candidate's way into force: its replay as evidence, a second admin's
approval where the state asks for one, its promotion, and the setting."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from switch.api.admin_acts import admin_act, state_of
from switch.api.deps import AdminDep, RuntimeDep, require_scope
from switch.audit import chain
from switch.audit.acts import POLICY_APPROVE, POLICY_PROMOTE, POLICY_REPLAY, POLICY_SETTINGS
from switch.clock import utc_now
from switch.directory import JURISDICTIONS
from switch.impact.candidate_replay import replay_candidate
from switch.impact.replay_input import parse_window
from switch.policy import promotion, versions
from switch.policy.store import UnknownState

router = APIRouter(prefix="/v1/policies", tags=["policies"])

_MOMENT = "ISO date or time (UTC if no zone)"


class Settings(BaseModel):
    require_approval: bool


class PromoteRequest(BaseModel):
    comment: str | None = Field(default=None, max_length=2000)
    since: str | None = Field(default=None, max_length=40)


def _known(state: str) -> str:
    if state not in JURISDICTIONS:
        raise UnknownState(state)
    return state


@router.post("/{state}/candidate/replay", summary="Replay recorded traffic against the candidate")
async def replay(
    state: str,
    request: Request,
    admin: AdminDep,
    runtime: RuntimeDep,
    since: str | None = Query(default=None, max_length=40, description=_MOMENT),
    until: str | None = Query(default=None, max_length=40, description=_MOMENT),
) -> dict[str, Any]:
    state = state.upper()
    async with admin_act(request, admin, POLICY_REPLAY, target=state, state=state_of(state)) as act:
        require_scope(admin, state)
        _known(state)
        start, end = parse_window(since, until)
        # A replay reads every recorded query of the window: never on the loop.
        return await asyncio.to_thread(
            replay_candidate,
            runtime.engine,
            state,
            runtime.directory,
            act=act,
            author=versions.key_author(admin.key_id, admin.admin_scope),
            now=utc_now(),
            since=start,
            until=end,
        )


@router.get("/{state}/versions/{version}/replays", summary="Replays recorded against a version")
def list_replays(state: str, version: str, admin: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    state = state.upper()
    require_scope(admin, state)
    _known(state)
    with runtime.engine.connect() as conn:
        found = promotion.replays(conn, state, version)
    return {"state": state, "version": versions.normal_hash(version), "replays": found}


@router.post("/{state}/versions/{version}/approve", summary="Approve the state's candidate")
async def approve(
    state: str, version: str, request: Request, admin: AdminDep, runtime: RuntimeDep
) -> dict[str, Any]:
    state = state.upper()
    async with admin_act(
        request, admin, POLICY_APPROVE, target=state, state=state_of(state)
    ) as act:
        require_scope(admin, state)
        _known(state)
        approver = versions.key_author(admin.key_id, admin.admin_scope)

        def approving() -> dict[str, Any]:
            with chain.transaction(runtime.engine) as conn:
                versions.lock(conn)
                return promotion.approve(
                    conn, state, version, approver=approver, act=act, now=utc_now()
                )

        return await asyncio.to_thread(approving)


@router.post("/{state}/promote", summary="Put the candidate in force, on its replay's evidence")
async def promote(
    state: str,
    request: Request,
    admin: AdminDep,
    runtime: RuntimeDep,
    body: PromoteRequest | None = Body(default=None),
    since: str | None = Query(default=None, max_length=40, description=_MOMENT),
    comment: str | None = Query(default=None, max_length=2000),
) -> dict[str, Any]:
    state = state.upper()
    why = comment or (body.comment if body else None) or request.headers.get("x-switch-comment")
    wanted = since or (body.since if body else None)
    async with admin_act(
        request, admin, POLICY_PROMOTE, target=state, state=state_of(state)
    ) as act:
        require_scope(admin, state)
        _known(state)
        start = parse_window(wanted, None)[0] if wanted else None
        made = await asyncio.to_thread(
            promotion.promote,
            runtime.shared_policies,
            state,
            act=act,
            author=versions.key_author(admin.key_id, admin.admin_scope),
            now=utc_now(),
            since=start,
            comment=why,
            changed_by=admin.key_id,
        )
    return made.as_dict()


@router.get("/{state}/settings", summary="A state's promotion settings")
def read_settings(state: str, admin: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    state = state.upper()
    require_scope(admin, state)
    _known(state)
    with runtime.engine.connect() as conn:
        return {"state": state, "require_approval": promotion.require_approval(conn, state)}


@router.put("/{state}/settings", summary="Change a state's promotion settings")
async def change_settings(
    state: str, body: Settings, request: Request, admin: AdminDep, runtime: RuntimeDep
) -> dict[str, Any]:
    state = state.upper()
    async with admin_act(
        request, admin, POLICY_SETTINGS, target=state, state=state_of(state)
    ) as act:
        require_scope(admin, state)
        _known(state)
        author = versions.key_author(admin.key_id, admin.admin_scope)

        def changing() -> None:
            with chain.transaction(runtime.engine) as conn:
                promotion.set_require_approval(
                    conn, state, body.require_approval, author=author, act=act, now=utc_now()
                )

        await asyncio.to_thread(changing)
    return {"state": state, "require_approval": body.require_approval}
