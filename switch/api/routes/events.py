"""GET /v1/events: the live flow as server-sent events.

Browsers' EventSource cannot send headers, so the stream opens with the key
in the header or with a stream ticket (switch.api.stream_auth), and ends
when that key stops working (switch.api.streams).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from switch.access.visibility import project_event
from switch.api.deps import RuntimeDep
from switch.api.stream_auth import EventsKeyDep
from switch.api.streams import KeyWithdrawn, StreamsClosed, live_streams

router = APIRouter(prefix="/v1/events", tags=["events"])

HEARTBEAT_SECONDS = 15.0


@router.get("", summary="Live flow events (text/event-stream); admin key")
async def events(request: Request, runtime: RuntimeDep, key: EventsKeyDep) -> StreamingResponse:
    identity = key.identity
    streams = live_streams(request)
    queue = runtime.hub.events.subscribe()

    async def stream() -> AsyncIterator[str]:
        try:
            yield ": connected\n\n"
            while True:
                event = await streams.get(queue, HEARTBEAT_SECONDS, key)
                if event is None:
                    yield ": heartbeat\n\n"
                    continue
                view = project_event(identity, event)
                if view is not None:
                    yield f"id: {view.seq}\nevent: message\ndata: {view.model_dump_json()}\n\n"
        except KeyWithdrawn as ended:
            yield ended.event
        except StreamsClosed:
            return  # the hub is stopping: the stream ends as a finished response
        finally:
            runtime.hub.events.unsubscribe(queue)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
