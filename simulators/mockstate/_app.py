"""The mock state as a FastAPI app: the query endpoint the switch calls,
/healthz, the admin API, and errors in one shape: `{"error": {"message"}}`.

A dropped connection is real: the app starts a reply (status line and a
Content-Length) and then raises, which an ASGI server must answer by closing
the connection; the client sees the reply cut off. The server's log line
for that planned exception is filtered out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from simulators.mockstate import _admin
from simulators.mockstate._deps import ServiceDep
from simulators.mockstate._errors import problems
from simulators.mockstate._service import MockState, Reply
from simulators.mockstate._xml import QUERY_DOC, query_xml
from switch.messages.model import QUERY_KEYS


class Query(BaseModel):
    """What the switch's HTTP destination sends."""

    key: str
    ori: str = Field(min_length=1, max_length=32)
    fields: dict[str, str] = {}

    @field_validator("key")
    @classmethod
    def _query_key(cls, key: str) -> str:
        if key not in QUERY_KEYS:
            raise ValueError(f"not a query key; want one of {sorted(QUERY_KEYS)}")
        return key


class ConnectionDropped(Exception):
    """Raised on purpose after a reply has started, to drop the connection."""


class DroppedConnection(Response):
    def __init__(self) -> None:
        # Announce a body that never comes: the client cannot mistake the cut for an answer.
        super().__init__(status_code=200, headers={"content-length": "64"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        raise ConnectionDropped("mock state fault: connection dropped")


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_QUIET_DROPS = _QuietDrops()


def create_app(service: MockState, *, xml: bool = False) -> FastAPI:
    """`xml`: the query endpoint speaks Nlets XML (simulators.mockstate._xml)
    instead of JSON; the admin API is JSON either way."""
    logger = logging.getLogger("uvicorn.error")
    if _QUIET_DROPS not in logger.filters:
        logger.addFilter(_QUIET_DROPS)
    app = FastAPI(
        title=f"Mock state {service.state}",
        summary="A simulated state DMV with programmable records, faults and a request journal",
        version="1",
    )
    app.state.service = service
    app.include_router(_admin.router)

    def gone_of(request: Request) -> Callable[[], Awaitable[None]]:
        async def gone() -> None:
            # After the body, an ASGI server's receive() blocks until the client leaves.
            while (await request.receive())["type"] != "http.disconnect":
                pass

        return gone

    if xml:

        @app.post(
            "/v1/query",
            tags=["state"],
            summary="Answer a query in Nlets XML, as a state DMV",
            openapi_extra=QUERY_DOC,
        )
        async def query_in_xml(request: Request, service: ServiceDep) -> Response:
            return await query_xml(request, service, gone_of(request), _response)

    else:

        @app.post("/v1/query", tags=["state"], summary="Answer a query, as a state DMV")
        async def query(body: Query, request: Request, service: ServiceDep) -> Response:
            reply = await service.handle(body.key, body.ori, body.fields, gone_of(request))
            return _response(reply)

    @app.get("/healthz", tags=["state"])
    async def healthz(service: ServiceDep) -> dict[str, Any]:
        return {
            "status": "ok",
            "state": service.state,
            "seed": service.seed,
            "records": len(service.records),
            "faults": len(service.faults.faults),
            "journal": len(service.journal),
        }

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        found = problems(exc.errors(), skip="body")
        what = _WHAT.get(request.url.path.rstrip("/"), "request")
        body = {"error": {"message": f"invalid {what}: " + "; ".join(found), "problems": found}}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": {"message": str(exc.detail)}}, status_code=exc.status_code)

    return app


_WHAT = {
    "/admin/faults": "fault spec",
    "/admin/records": "records",
    "/admin/journal": "journal filter",
    "/admin/reset": "reset",
    "/v1/query": "query",
}


def _response(reply: Reply) -> Response:
    if reply.status is None:
        return DroppedConnection()
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type)
