"""GET /v1/events: the live flow as server-sent events.

Browsers' EventSource cannot send headers, so the stream opens with the key
in the header or with a stream ticket (switch.api.stream_auth), and ends
when that key stops working (switch.api.streams). It carries the messages
of every hub on the database, each naming its hub (switch.app.shared_flow,
on PostgreSQL), and each is sent as its reader may see it
(switch.access.visibility), whichever hub it went through. FastAPI frames the events
and sends a keep-alive comment when the stream has been quiet for 15 s.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from switch.access.visibility import project_event
from switch.api.deps import RuntimeDep
from switch.api.stream_auth import EventsKeyDep
from switch.api.stream_docs import event_stream
from switch.api.streams import KeyWithdrawn, StreamEnd, StreamsClosed, live_streams
from switch.audit.public import FlowEvent

router = APIRouter(prefix="/v1/events", tags=["events"])


@router.get(
    "",
    summary="Live flow events (text/event-stream); admin key",
    response_class=EventSourceResponse,
    responses=event_stream(
        "`message`: one message through any hub of the switch (named in `hub`), "
        "as the key's scope may see it, after it is audited; "
        "`end`: the key stopped working, and the stream closes",
        items={"message": FlowEvent},
        last={"end": StreamEnd},
    ),
)
async def events(
    request: Request, runtime: RuntimeDep, key: EventsKeyDep
) -> AsyncIterator[ServerSentEvent]:
    streams = live_streams(request)
    queue = runtime.hub.events.subscribe()
    try:
        yield ServerSentEvent(comment="connected")
        while True:
            event = await streams.get(queue, math.inf, key)
            view = project_event(key.identity, event) if event is not None else None
            if view is not None:
                yield ServerSentEvent(id=str(view.seq), event="message", data=view)
    except KeyWithdrawn as ended:
        yield ended.event
    except StreamsClosed:
        return  # the hub is stopping: the stream ends as a finished response
    finally:
        runtime.hub.events.unsubscribe(queue)
