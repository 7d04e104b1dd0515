"""Marking a state out of service for message keys, and returning it.

While marked, queries to it are answered at once with the `.02.` SM and
kept; returning it forwards them in order. On remove status (`"forward":
false`) they are answered `.04.` and not kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from switch.api.admin_acts import admin_act, state_of
from switch.api.deps import AdminDep, RuntimeDep, require_scope
from switch.api.text import Text
from switch.audit.acts import STATUS_IN, STATUS_OUT, STATUS_REMOVE
from switch.errors import InvalidDestination
from switch.messages.model import QUERY_KEYS

router = APIRouter(prefix="/v1/status", tags=["status"])


class Keys(BaseModel):
    keys: list[Text] | None = None


class Marking(Keys):
    # False: remove status (.04.): queries are refused, not kept.
    forward: bool = True


def _state(runtime: Any, state: str) -> str:
    state = state.upper()
    if state not in runtime.destinations:
        raise InvalidDestination(f"no such state {state}", state)
    return state


def _keys(body: Keys | None) -> list[str] | None:
    if body is None or body.keys is None:
        return None
    keys = [k.upper() for k in body.keys]
    unknown = sorted(set(keys) - set(QUERY_KEYS))
    if unknown:
        raise InvalidDestination(f"not query keys: {unknown}", ",".join(keys))
    return keys


def _view(runtime: Any, state: str) -> dict[str, Any]:
    return {"state": state, **runtime.marks.of(state)}


@router.get("", summary="Every state marked out of service")
async def list_status(identity: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    states = runtime.marks.states()
    visible = [s for s in states if identity.admin_scope in ("*", s)]
    return {"states": [_view(runtime, s) for s in visible]}


@router.get("/{state}", summary="One state's out-of-service keys")
async def read_status(state: str, identity: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    state = _state(runtime, state)
    require_scope(identity, state)
    return _view(runtime, state)


@router.put(
    "/{state}",
    summary="Mark a state out of service for keys (default: all); forward=false: remove status",
)
async def mark(
    state: str,
    request: Request,
    identity: AdminDep,
    runtime: RuntimeDep,
    body: Marking | None = None,
) -> dict[str, Any]:
    forward = body.forward if body else True
    name = STATUS_OUT if forward else STATUS_REMOVE
    async with admin_act(request, identity, name, target=state, state=state_of(state)) as act:
        state = _state(runtime, state)
        require_scope(identity, state)
        keys = _keys(body) or sorted(runtime.destinations[state].supports)
        runtime.mark_out_of_service(state, keys, forward=forward, act=act)
    return _view(runtime, state)


@router.delete("/{state}", summary="Return a state to service for keys (default: all)")
async def clear(
    state: str,
    request: Request,
    identity: AdminDep,
    runtime: RuntimeDep,
    body: Keys | None = None,
) -> dict[str, Any]:
    async with admin_act(request, identity, STATUS_IN, target=state, state=state_of(state)) as act:
        state = _state(runtime, state)
        require_scope(identity, state)
        runtime.return_to_service(state, _keys(body), act=act)
    return _view(runtime, state)
