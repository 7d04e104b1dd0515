"""Size limits on what a request may carry before any route sees it: the
target (path and query), each header, all headers together, and the body.

The body limit here is the ceiling for every route; a message has a much
lower one of its own (`SWITCH_MAX_BODY_BYTES`), which the hub answers with
an audited ER and a 413.

Each refusal answered here goes to the `audit` hook first (the app passes
`switch.api.refusals.audit_limit`), and the reply carries the id it gives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_TARGET_BYTES = 8 * 1024
MAX_HEADER_BYTES = 8 * 1024
MAX_HEADERS_BYTES = 32 * 1024
MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body without a Content-Length runs past the
    limit. An HTTPException, so that FastAPI's body parsing lets it through
    to the error handlers instead of calling it a malformed body."""

    code = "BODY_TOO_LARGE"

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit} bytes")


# (scope, status, code, message) -> the audit id of the refusal, if audited.
AuditHook = Callable[[Scope, int, str, str], Awaitable[str | None]]
_Refusal = tuple[int, str, str]  # status, code, message


class RequestLimits:
    """Answers 414 for an over-long target, 431 for an over-long header or
    header block and 413 for an over-long body, with the usual error JSON."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_target: int = MAX_TARGET_BYTES,
        max_header: int = MAX_HEADER_BYTES,
        max_headers: int = MAX_HEADERS_BYTES,
        max_body: int = MAX_BODY_BYTES,
        audit: AuditHook | None = None,
    ) -> None:
        self.app = app
        self.audit = audit
        self.max_target = max_target
        self.max_header = max_header
        self.max_headers = max_headers
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._check(scope)
        if refusal is not None:
            status, code, message = refusal
            body: dict[str, object] = {"error": {"code": code, "message": message}}
            if self.audit is not None:
                audit_id = await self.audit(scope, status, code, message)
                if audit_id is not None:
                    body["id"] = audit_id
            await JSONResponse(body, status_code=status)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise BodyTooLarge(self.max_body)
            return message

        await self.app(scope, counted, send)

    def _check(self, scope: Scope) -> _Refusal | None:
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b"")
        )
        if target > self.max_target:
            return 414, "URI_TOO_LONG", f"path and query over {self.max_target} bytes"
        total = 0
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            size = len(name) + len(value)
            if size > self.max_header:
                shown = name[:40].decode("latin-1")
                message = f"header {shown} is {size} bytes; the limit is {self.max_header}"
                return 431, "HEADER_TOO_LARGE", message
            total += size
        if total > self.max_headers:
            message = f"headers are {total} bytes together; the limit is {self.max_headers}"
            return 431, "HEADERS_TOO_LARGE", message
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            return 413, BodyTooLarge.code, f"request body over {self.max_body} bytes"
        return None
