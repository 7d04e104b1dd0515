"""The FastAPI application: routes, error mapping, the runtime's lifetime."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from simulators.scenarios import ScenarioRunner
from switch.access.ratelimit import RateLimited, RateLimiter
from switch.access.tickets import StreamTickets
from switch.api.limits import BodyTooLarge, RequestLimits
from switch.api.refusals import audit_limit, audit_refusal, audit_rejected
from switch.api.routes import (
    agencies,
    audit,
    events,
    health,
    impact,
    mailbox,
    messages,
    notices,
    policies,
    policy_compare,
    policy_promotion,
    policy_versions,
    reports,
    scenarios,
    stance,
    status,
    tickets,
    warrants,
    web,
)
from switch.api.streams import LiveStreams
from switch.app.runtime import Runtime
from switch.audit.refusal_windows import RefusalWindows
from switch.core.replies import error_json, response_json
from switch.errors import SwitchError
from switch.rate_limits import parse_rate_limits

log = logging.getLogger("switch.api")


class ErrorResponse(JSONResponse):
    """Error replies escape everything outside ASCII: an error text may quote
    input holding half a character, which UTF-8 cannot encode."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


# Builds the runner that plays scenarios inside this hub, once its runtime
# exists (simulators.harness.HubScenarioRunner in a served hub).
ScenarioRunnerFactory = Callable[[FastAPI, Runtime], ScenarioRunner]


def create_app(
    runtime_factory: Callable[[], Runtime] = Runtime,
    *,
    scenario_runner: ScenarioRunnerFactory | None = None,
) -> FastAPI:
    """Build the app; the runtime is made at start-up so importing is cheap.
    `scenario_runner`: what plays POST /v1/scenarios/{name}/run; without one
    the hub lists its scenarios but plays none."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = runtime_factory()
        try:
            # In this process's memory: each replica enforces its own limits.
            app.state.rate_limiter = RateLimiter(
                parse_rate_limits(runtime.settings.rate_limits), runtime.directory
            )
        except ValueError:
            runtime.engine.dispose()
            raise
        runtime.start()
        app.state.runtime = runtime
        app.state.scenario_runner = (
            None if scenario_runner is None else scenario_runner(app, runtime)
        )
        windows = app.state.refusal_windows = RefusalWindows(
            runtime.writer.write, seconds=runtime.settings.refusal_window_seconds
        )
        windows.start()
        # Per run: its streams belong to the event loop serving this run.
        app.state.streams = LiveStreams()
        app.state.tickets = StreamTickets(runtime.engine)
        watcher = asyncio.create_task(runtime.watch_policies())
        try:
            yield
        finally:
            watcher.cancel()
            await windows.close()  # while the writer still takes records
            await runtime.stop()

    app = FastAPI(
        title="Switch",
        summary="A simulated Nlets-style message switch with per-state access controls",
        version="0.1.0",
        lifespan=lifespan,
        # No OpenTelemetry here: off, so FastAPI does not look for it on
        # every request (Prometheus at /metrics is the hub's telemetry).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.add_middleware(RequestLimits, audit=audit_limit)
    for module in (
        messages,
        mailbox,
        events,
        tickets,
        agencies,
        policies,
        policy_versions,
        policy_promotion,
        policy_compare,
        warrants,
        notices,
        reports,
        impact,
        audit,
        scenarios,
        stance,
        status,
        health,
        web,
    ):
        app.include_router(module.router)

    @app.exception_handler(SwitchError)
    async def switch_error(request: Request, exc: SwitchError) -> ErrorResponse:
        body = error_json(exc)
        headers: dict[str, str] = {}
        audit_id = await audit_refusal(request, exc)
        if audit_id is not None:
            body["id"] = audit_id
        if exc.http_status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, RateLimited):
            body["error"]["retry_after"] = round(exc.retry_after, 3)
            body["response"] = response_json(exc.status)
            headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return ErrorResponse(body, status_code=exc.http_status, headers=headers or None)

    @app.exception_handler(DataError)
    async def unstorable_value(_request: Request, exc: DataError) -> ErrorResponse:
        # A value the database cannot hold (a NUL in a query, say): the
        # caller's input, so a 422, never a server error.
        message = "invalid request: a value the database cannot hold (a NUL character?)"
        return ErrorResponse({"error": {"code": ".22.", "message": message}}, status_code=422)

    @app.exception_handler(ClientDisconnect)
    async def hung_up(request: Request, _exc: ClientDisconnect) -> ErrorResponse:
        # The client left before its body was whole: no fault of the hub's
        # (not a 500 with a traceback), and no one is left to read a reply.
        client = f"{request.client.host}:{request.client.port}" if request.client else "a client"
        log.warning(
            "%s hung up before the whole body of %s %s arrived",
            client,
            request.method,
            request.url.path,
        )
        body = {"error": {"code": "CLIENT_DISCONNECT", "message": "the body never arrived whole"}}
        return ErrorResponse(body, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> ErrorResponse:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        message = f"invalid request: {detail}"
        body: dict[str, Any] = {"error": {"code": ".22.", "message": message}}
        audit_id = await audit_rejected(request, 422, ".22.", message[:2000])
        if audit_id is not None:
            body["id"] = audit_id
        return ErrorResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> ErrorResponse:
        code = getattr(exc, "code", None) or str(exc.status_code)
        body: dict[str, Any] = {"error": {"code": code, "message": str(exc.detail)}}
        if isinstance(exc, BodyTooLarge):  # a body that ran past the limit as it arrived
            audit_id = await audit_rejected(request, 413, code, str(exc.detail))
            if audit_id is not None:
                body["id"] = audit_id
        return ErrorResponse(body, status_code=exc.status_code)

    return app
