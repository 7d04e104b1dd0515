"""POST /v1/warrants, GET /v1/warrants and GET /v1/warrants/{id}: the
simulated court registry, for admins.

The registry names people (an OLN, or a name and date of birth) in every
state: an admin with scope `*` reads it whole, a state admin only the
warrants cited in queries that reached its state.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from switch.access.keys import Identity
from switch.api.admin_acts import admin_act, state_of
from switch.api.deps import AdminDep, RuntimeDep
from switch.api.text import QueryText, Text
from switch.audit.acts import WARRANT_ISSUE, warrant_issued
from switch.errors import ForbiddenError, NotFoundError
from switch.warrants import WarrantRegistry

router = APIRouter(prefix="/v1/warrants", tags=["warrants"])


class WarrantCreate(BaseModel):
    """A warrant to issue: the subject is `oln`, or `name` with `dob`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "judicial", "to": "VTICE0900", "oln": "WDL123456789"}]
        },
    )

    # A string, not an enum: a bad kind is refused by the registry like any
    # other bad warrant, with the same error code.
    kind: Text = Field(description="judicial or administrative")
    to: Text = Field(description="The ORI the warrant is issued to")
    oln: Text | None = None
    name: Text | None = Field(default=None, description="LAST,FIRST")
    dob: Text | None = Field(default=None, description="CCYYMMDD")
    form: Text | None = Field(
        default=None, description="warrant, court-order, subpoena (judicial); I-200, I-205"
    )
    days: int = 30
    issued_by: Text | None = None


@router.post("", status_code=201, summary="Issue a warrant")
async def issue_warrant(
    body: WarrantCreate, request: Request, admin: AdminDep, runtime: RuntimeDep
) -> dict[str, Any]:
    to = body.to.strip().upper()
    async with admin_act(
        request, admin, WARRANT_ISSUE, target=to, state=state_of(to[:2]), status=201
    ) as act:
        act.note(kind=body.kind, form=body.form, to=to, days=body.days)
        # The court registry serves every state: a state-scoped admin may not
        # mint warrants that would open other states' records.
        if admin.admin_scope != "*":
            raise ForbiddenError("only an admin with scope * may issue warrants")
        registry = WarrantRegistry(runtime.engine, runtime.directory)
        warrant = await asyncio.to_thread(registry.issue, **body.model_dump())
        issued = warrant.as_dict()
        warrant_issued(act, issued)
    return issued


def _cited_in(admin: Identity) -> str | None:
    """The state whose cited warrants `admin` may read; None: all of them."""
    return None if admin.admin_scope == "*" else admin.admin_scope


@router.get("", summary="Warrants within your scope, all or one ORI's")
def list_warrants(
    admin: AdminDep, runtime: RuntimeDep, to: QueryText | None = None
) -> list[dict[str, Any]]:
    registry = WarrantRegistry(runtime.engine)
    return [w.as_dict() for w in registry.list(issued_to=to, cited_in=_cited_in(admin))]


@router.get("/{warrant_id}", summary="One warrant, if your scope covers it")
def read_warrant(warrant_id: str, admin: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    warrant = WarrantRegistry(runtime.engine).get(warrant_id, cited_in=_cited_in(admin))
    if warrant is None:
        # Same answer as a missing id: a state admin learns nothing of the rest.
        raise NotFoundError(f"no warrant {warrant_id}")
    return warrant.as_dict()
