"""The caller's mailbox: list, acknowledge, and a live stream of new items.

The stream opens with the key in the header or with a stream ticket
(EventSource cannot send headers; switch.api.stream_auth), as /v1/events
does, and ends when that key stops working; it shows the key's own ORI only.
FastAPI frames its events and sends a keep-alive comment when it has been
quiet for 15 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, ConfigDict, Field

from switch.api.deps import AgencyDep, RuntimeDep
from switch.api.stream_auth import MailboxKeyDep
from switch.api.stream_docs import event_stream
from switch.api.streams import KeyWithdrawn, StreamEnd, StreamsClosed, live_streams
from switch.audit.queries import ack_mailbox, last_mailbox_seq, list_mailbox
from switch.clock import utc_now

router = APIRouter(prefix="/v1/mailbox", tags=["mailbox"])

# A stream also looks for items other hubs wrote this often.
OTHER_HUBS_SECONDS = 1.0
# Mailbox seqs are INTEGER columns (32-bit on PostgreSQL): a number past them
# names no item, and must be refused before the database refuses it.
MAX_SEQ = 2**31 - 1
MailboxSeq = Annotated[int, Field(ge=0, le=MAX_SEQ)]


class MailboxItem(BaseModel):
    """One item of a mailbox, as `GET /v1/mailbox` lists it and its stream
    sends it: the message it came with, and that message's own fields."""

    model_config = ConfigDict(extra="allow")

    seq: int
    message_id: str
    created_at: str
    key: str = Field(description="The item's message key: AM, or an outcome's (DR, ER, SM...)")
    text: str


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


@router.get(
    "/stream",
    summary="New items for your ORI (text/event-stream)",
    response_class=EventSourceResponse,
    responses=event_stream(
        "`mailbox`: one new item for the key's ORI; `end`: the key stopped working, "
        "and the stream closes",
        items={"mailbox": MailboxItem},
        last={"end": StreamEnd},
    ),
)
async def stream(
    request: Request,
    runtime: RuntimeDep,
    key: MailboxKeyDep,
    after: int | None = Query(default=None, ge=0, le=MAX_SEQ),
) -> AsyncIterator[ServerSentEvent]:
    ori = key.identity.ori
    assert ori is not None  # MailboxKeyDep refuses other keys
    streams = live_streams(request)
    events = runtime.hub.mailbox_events
    queue = events.subscribe()
    try:
        # Subscribe before reading the high-water mark, so nothing falls between.
        last = (
            after
            if after is not None
            else await asyncio.to_thread(last_mailbox_seq, runtime.engine, ori)
        )
        yield ServerSentEvent(comment="connected")
        pending = after is not None
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
                yield ServerSentEvent(id=str(item["seq"]), event="mailbox", data=item)
    except KeyWithdrawn as ended:
        yield ended.event
    except StreamsClosed:
        return  # the hub is stopping: the stream ends as a finished response
    finally:
        events.unsubscribe(queue)
