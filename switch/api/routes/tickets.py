"""POST /v1/stream-tickets: a ticket that opens one live stream once, for
clients that cannot send the key in a header (switch.access.tickets)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from switch.access.keys import digest
from switch.access.tickets import Stream
from switch.api.deps import IdentityDep, bearer
from switch.api.stream_auth import require_stream_access, stream_tickets

router = APIRouter(prefix="/v1/stream-tickets", tags=["streams"])

_PATHS: dict[Stream, str] = {"events": "/v1/events", "mailbox": "/v1/mailbox/stream"}


class TicketCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"stream": "events"}]}
    )

    stream: Stream = Field(description="events (admin keys) or mailbox (agency keys)")


class TicketPublic(BaseModel):
    ticket: str = Field(description="Opens the stream once, as ?ticket=")
    stream: Stream
    expires_in: float = Field(description="Seconds within which to open the stream")
    url: str = Field(description="The stream's path with the ticket")


@router.post(
    "",
    status_code=201,
    summary="A ticket opening one live stream once, within a minute",
    response_model=TicketPublic,
)
def issue_ticket(
    request: Request, response: Response, identity: IdentityDep, body: TicketCreate
) -> TicketPublic:
    require_stream_access(identity, body.stream)
    secret = bearer(request)
    assert secret is not None  # IdentityDep resolved it
    ticket = stream_tickets(request).issue(digest(secret), body.stream)
    response.headers["Cache-Control"] = "no-store"
    return TicketPublic(
        ticket=ticket.value,
        stream=ticket.stream,
        expires_in=ticket.expires_in,
        url=f"{_PATHS[ticket.stream]}?ticket={ticket.value}",
    )
