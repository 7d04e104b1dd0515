"""The caller's mailbox: list, acknowledge, and a live stream of new items.

The stream opens with the key in the header or with a stream ticket
(EventSource cannot send headers; switch.api.stream_auth), as /v1/events
does, and ends when that key stops working; it shows the key's own ORI only.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from switch.api.deps import AgencyDep, RuntimeDep
from switch.api.stream_auth import MailboxKeyDep
from switch.api.streams import KeyWithdrawn, StreamsClosed, live_streams
from switch.audit.queries import ack_mailbox, last_mailbox_seq, list_mailbox
from switch.clock import utc_now

router = APIRouter(prefix="/v1/mailbox", tags=["mailbox"])

# A stream also looks for items other hubs wrote this often.
OTHER_HUBS_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
# Mailbox seqs are INTEGER columns (32-bit on PostgreSQL): a number past them
# names no item, and must be refused before the database refuses it.
MAX_SEQ = 2**31 - 1
MailboxSeq = Annotated[int, Field(ge=0, le=MAX_SEQ)]


class Ack(BaseModel):
    seq: list[MailboxSeq] | None = Field(default=None, max_length=1000)
    up_to: MailboxSeq | None = None


@router.get("", summary="Undelivered items for your ORI")
def read_mailbox(
    identity: AgencyDep, runtime: RuntimeDep, limit: int = Query(default=100, ge=1, le=1000)
) -> dict[str, Any]:
    assert identity.ori is not None
    return {"ori": identity.ori, "items": list_mailbox(runtime.engine, identity.ori, limit)}


@router.post("/ack", summary="Acknowledge items (by seq, or every item up to a seq)")
def acknowledge(identity: AgencyDep, runtime: RuntimeDep, body: Ack) -> dict[str, Any]:
    assert identity.ori is not None
    if body.seq is None and body.up_to is None:
        return {"acknowledged": 0}
    count = ack_mailbox(runtime.engine, identity.ori, utc_now(), seqs=body.seq, up_to=body.up_to)
    return {"acknowledged": count}


@router.get("/stream", summary="New items for your ORI (text/event-stream)")
async def stream(
    request: Request,
    runtime: RuntimeDep,
    key: MailboxKeyDep,
    after: int | None = Query(default=None, ge=0, le=MAX_SEQ),
) -> StreamingResponse:
    ori = key.identity.ori
    assert ori is not None  # MailboxKeyDep refuses other keys
    streams = live_streams(request)
    events = runtime.hub.mailbox_events
    queue = events.subscribe()
    # Subscribe before reading the high-water mark, so nothing falls between.
    last = (
        after
        if after is not None
        else await asyncio.to_thread(last_mailbox_seq, runtime.engine, ori)
    )

    async def items() -> AsyncIterator[str]:
        nonlocal last
        try:
            yield ": connected\n\n"
            pending = after is not None
            quiet_since = time.monotonic()
            while True:
                if not pending:
                    event = await streams.get(queue, OTHER_HUBS_SECONDS, key)
                    if event is None:
                        # Items another hub on this database wrote raise no
                        # event here: look for them every OTHER_HUBS_SECONDS.
                        event = {"ori": ori}
                    if event.get("ori") != ori:
                        continue
                pending = False
                fresh = await asyncio.to_thread(list_mailbox, runtime.engine, ori, 1000, after=last)
                for item in fresh:
                    last = item["seq"]
                    quiet_since = time.monotonic()
                    yield f"id: {item['seq']}\nevent: mailbox\ndata: {json.dumps(item)}\n\n"
                if time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
                    quiet_since = time.monotonic()
                    yield ": heartbeat\n\n"
        except KeyWithdrawn as ended:
            yield ended.event
        except StreamsClosed:
            return  # the hub is stopping: the stream ends as a finished response
        finally:
            events.unsubscribe(queue)

    return StreamingResponse(
        items(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
