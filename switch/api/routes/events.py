"""GET /v1/events: the live flow as server-sent events.

Browsers' EventSource cannot send headers, so this one route also takes the
key as `?key=`; it only reads, and the key is checked like any other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from switch.api.deps import RuntimeDep, bearer
from switch.api.streams import StreamsClosed, live_streams
from switch.errors import ForbiddenError
from switch.visibility import project_event

router = APIRouter(prefix="/v1/events", tags=["events"])

HEARTBEAT_SECONDS = 15.0


@router.get("", summary="Live flow events (text/event-stream); admin key")
async def events(
    request: Request, runtime: RuntimeDep, key: str | None = None
) -> StreamingResponse:
    identity = runtime.keys.resolve(bearer(request) or key)
    if identity.admin_scope is None:
        raise ForbiddenError("the live flow is for admin keys")
    streams = live_streams(request)
    queue = runtime.hub.events.subscribe()

    async def stream() -> AsyncIterator[str]:
        try:
            yield ": connected\n\n"
            while True:
                event = await streams.get(queue, HEARTBEAT_SECONDS)
                if event is None:
                    yield ": heartbeat\n\n"
                    continue
                view = project_event(identity, event)
                if view is not None:
                    yield f"id: {view.seq}\nevent: message\ndata: {view.model_dump_json()}\n\n"
        except StreamsClosed:
            return  # the hub is stopping: the stream ends as a finished response
        finally:
            runtime.hub.events.unsubscribe(queue)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
