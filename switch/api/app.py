"""The FastAPI application: routes, error mapping, the runtime's lifetime."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from switch.api.routes import (
    agencies,
    events,
    health,
    mailbox,
    messages,
    notices,
    policies,
    reports,
    scenarios,
    stance,
    status,
    warrants,
    web,
)
from switch.errors import SwitchError
from switch.replies import error_json
from switch.runtime import Runtime


def create_app(runtime_factory: Callable[[], Runtime] = Runtime) -> FastAPI:
    """Build the app; the runtime is made at start-up so importing is cheap."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = runtime_factory()
        runtime.start()
        app.state.runtime = runtime
        watcher = asyncio.create_task(runtime.watch_policies())
        try:
            yield
        finally:
            watcher.cancel()
            await runtime.stop()

    app = FastAPI(
        title="Switch",
        summary="A simulated Nlets-style message switch with per-state access controls",
        version="0.1.0",
        lifespan=lifespan,
    )
    for module in (
        messages,
        mailbox,
        events,
        agencies,
        policies,
        warrants,
        notices,
        reports,
        scenarios,
        stance,
        status,
        health,
        web,
    ):
        app.include_router(module.router)

    @app.exception_handler(SwitchError)
    async def switch_error(_request: Request, exc: SwitchError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return JSONResponse(error_json(exc), status_code=exc.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        body = {"error": {"code": ".22.", "message": f"invalid request: {detail}"}}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = {"error": {"code": str(exc.status_code), "message": str(exc.detail)}}
        return JSONResponse(body, status_code=exc.status_code)

    return app
