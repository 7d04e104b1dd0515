"""Admin acts over the API: the act a route does, on the record whatever
becomes of it (switch.audit.acts says what an act holds).

    async with admin_act(request, admin, POLICY_PUT, target=state, state=state) as act:
        require_scope(admin, state)
        await asyncio.to_thread(runtime.shared_policies.put, state, text, act=act)

A SwitchError raised inside (a scope refused, a policy invalid) records the
act as refused, and marks the request so the error handler answers with
that record's id instead of auditing the refusal a second time. An act that
the code inside did not record in its own transaction is recorded done on
the way out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request

from switch.access.keys import Identity
from switch.api.refusals import attempted, client_address
from switch.app.runtime import Runtime
from switch.audit.acts import Act, Actor
from switch.directory import JURISDICTIONS
from switch.errors import SwitchError


def actor(identity: Identity, request: Request, status: int = 200) -> Actor:
    return Actor(str(identity), attempted(request), identity.ori, client_address(request), status)


def state_of(text: str | None) -> str | None:
    """The jurisdiction a request names, if it names one: whose admins read the act."""
    code = (text or "").strip().upper()
    return code if code in JURISDICTIONS else None


@asynccontextmanager
async def admin_act(
    request: Request,
    identity: Identity,
    name: str,
    *,
    target: str | None = None,
    state: str | None = None,
    status: int = 200,
) -> AsyncIterator[Act]:
    runtime: Runtime = request.app.state.runtime
    act = Act(actor(identity, request, status), name, target=target, state=state)
    try:
        yield act
    except SwitchError as err:
        await asyncio.to_thread(act.refuse, runtime.engine, err)
        if act.recorded:
            request.state.audit_id = act.id
        raise
    if not act.recorded:
        await asyncio.to_thread(act.commit, runtime.engine)
