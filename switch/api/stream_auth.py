"""How a live stream is opened: with the key in the `Authorization` header,
or, where the client cannot send headers (a browser's EventSource), with a
stream ticket as `?ticket=` (switch.access.tickets). Never with `?key=`: a URL is
written down in access logs, proxies and browser history, so a key there is
refused with a pointer to tickets.

An opened stream is marked `Cache-Control: no-store` (beside FastAPI's own
`no-cache`): what it carries is for its key's holder only."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from switch.access.keys import Identity, digest
from switch.access.tickets import Stream, StreamTickets
from switch.api.deps import RuntimeDep, bearer
from switch.api.streams import StreamKey
from switch.errors import AuthError, ForbiddenError

KEY_IN_URL = (
    "a key in the URL is refused, as URLs are logged: send it in the Authorization "
    "header, or POST /v1/stream-tickets with it there and open the stream with ?ticket="
)
NO_CREDENTIAL = (
    "missing bearer key or stream ticket: send the key in the Authorization header, "
    "or open the stream with ?ticket= from POST /v1/stream-tickets"
)


def stream_tickets(request: Request) -> StreamTickets:
    tickets: StreamTickets = request.app.state.tickets
    return tickets


def require_stream_access(identity: Identity, stream: Stream) -> None:
    """The live flow is for admin keys; a mailbox belongs to an agency key."""
    if stream == "events" and identity.admin_scope is None:
        raise ForbiddenError("the live flow is for admin keys")
    if stream == "mailbox" and identity.ori is None:
        raise ForbiddenError("a mailbox belongs to an agency key")


def _opener(stream: Stream) -> Callable[..., Awaitable[StreamKey]]:
    async def open_stream(
        request: Request,
        response: Response,
        runtime: RuntimeDep,
        ticket: Annotated[
            str | None,
            Query(
                description="A stream ticket (POST /v1/stream-tickets), for clients "
                "that cannot send the Authorization header"
            ),
        ] = None,
    ) -> StreamKey:
        if "key" in request.query_params:
            raise AuthError(KEY_IN_URL)
        secret = bearer(request)
        if secret is not None:
            key_hash = digest(secret)
        elif ticket:
            key_hash = await asyncio.to_thread(stream_tickets(request).redeem, ticket, stream)
        else:
            raise AuthError(NO_CREDENTIAL)
        identity = runtime.keys.resolve_digest(key_hash)
        require_stream_access(identity, stream)
        response.headers["Cache-Control"] = "no-store"
        return StreamKey(identity, key_hash, runtime.keys)

    return open_stream


EventsKeyDep = Annotated[StreamKey, Depends(_opener("events"))]
MailboxKeyDep = Annotated[StreamKey, Depends(_opener("mailbox"))]
