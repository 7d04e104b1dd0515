"""GET /v1/stance: each state's stance toward one class of requester, for
the trainer's tile map: open, warrant-only, blocked or partial, and what a
candidate policy in shadow would change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from switch.api.deps import AdminDep, RuntimeDep
from switch.app.runtime import Runtime
from switch.errors import InvalidFormat, NotFoundError
from switch.impact.matrix_national import component_access

router = APIRouter(prefix="/v1/stance", tags=["policies"])


def _requester_class(runtime: Runtime, component: str | None, type: str | None) -> str:
    """The class as the directory spells it: a federal component, or the
    ORION type of state and local agencies."""
    if (component is None) == (type is None):
        raise InvalidFormat("give exactly one of component= or type=")
    if component is not None:
        known = {c.casefold(): c for c in runtime.directory.components()}
        found = known.get(component.casefold())
        if found is None:
            raise NotFoundError(f"no agency in the directory has component {component}")
        return found
    assert type is not None
    if not any(a.component is None for a in runtime.directory.filter(type=type)):
        raise NotFoundError(f"no state or local agency in the directory has type {type}")
    return type.upper()


@router.get("", summary="Each state's stance toward a requester class (component or type)")
def stance(
    admin: AdminDep,
    runtime: RuntimeDep,
    component: str | None = None,
    type: str | None = None,
) -> dict[str, Any]:
    requester = _requester_class(runtime, component, type)
    # A state-scoped admin sees its own state's stance only, as with policies.
    states = [s for s in runtime.directory.states() if admin.admin_scope in ("*", s)]
    rows = []
    for state in states:
        access = component_access(runtime.policies.get(state), runtime.directory, state, requester)
        row: dict[str, Any] = {
            "state": state,
            "status": access.status,
            "detail": access.detail,
            "rules": access.rules,
            "version": access.policy.version,
            "candidate": None,
        }
        candidate = runtime.policies.candidate(state)
        if candidate is not None:
            shadow = component_access(candidate, runtime.directory, state, requester)
            row["candidate"] = {
                "status": shadow.status,
                "detail": shadow.detail,
                "rules": shadow.rules,
                "version": candidate.version,
                "differs": (shadow.status, shadow.detail) != (access.status, access.detail),
            }
        rows.append(row)
    return {
        "requester": requester,
        "by": "component" if component is not None else "type",
        "states": rows,
    }
