"""Dependencies the routes share: the runtime and the caller's identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from switch.access.keys import Identity
from switch.app.runtime import Runtime
from switch.errors import AuthError, ForbiddenError


# Dependencies are `async def` so FastAPI calls them on the event loop: a
# plain `def` would cost every request a hop through the thread pool.
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def get_identity(request: Request) -> Identity:
    runtime: Runtime = request.app.state.runtime
    return runtime.keys.resolve(bearer(request))


async def get_agency(identity: Annotated[Identity, Depends(get_identity)]) -> Identity:
    if identity.ori is None:
        raise ForbiddenError("this route is for agency keys")
    return identity


async def get_admin(identity: Annotated[Identity, Depends(get_identity)]) -> Identity:
    if identity.admin_scope is None:
        raise ForbiddenError("this route is for admin keys")
    return identity


async def get_national_admin(admin: Annotated[Identity, Depends(get_admin)]) -> Identity:
    """Routes about the whole switch, not one state's share of it."""
    if admin.admin_scope != "*":
        raise ForbiddenError(f"this route is for admin keys with scope *, not {admin.admin_scope}")
    return admin


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
IdentityDep = Annotated[Identity, Depends(get_identity)]
AgencyDep = Annotated[Identity, Depends(get_agency)]
AdminDep = Annotated[Identity, Depends(get_admin)]
NationalAdminDep = Annotated[Identity, Depends(get_national_admin)]


def require_scope(identity: Identity, state: str) -> None:
    """An admin key scoped to a state reaches that state's resources only."""
    if identity.admin_scope not in ("*", state):
        raise ForbiddenError(f"admin scope {identity.admin_scope} does not cover {state}")


__all__ = [
    "AdminDep",
    "AgencyDep",
    "AuthError",
    "IdentityDep",
    "NationalAdminDep",
    "RuntimeDep",
    "require_scope",
]
