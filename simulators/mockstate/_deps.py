"""What the routes share: the mock state the app serves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from simulators.mockstate._service import MockState


async def get_service(request: Request) -> MockState:
    service: MockState = request.app.state.service
    return service


ServiceDep = Annotated[MockState, Depends(get_service)]
