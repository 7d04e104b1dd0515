"""Stream tickets: how a client that cannot send headers opens a live stream
without putting its key in the URL, where access logs, proxies and browser
history would keep it.

The client asks first, with its key in the `Authorization` header, for a
ticket naming one stream (`events` or `mailbox`); the ticket then opens that
stream once, within `TICKET_SECONDS`. A ticket is bound to its key by the
key's digest: the stream it opens is the key's, with the key's scope or ORI,
and ends when the key is revoked or expires (switch.api.streams).

Tickets live in the database, as digests: any hub sharing it takes a ticket
another hub issued, and a ticket spent on one hub is spent on all of them.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import DBAPIError

from switch.access.keys import digest
from switch.db.schema import stream_tickets
from switch.errors import AuthError, SwitchError

log = logging.getLogger("switch.access.tickets")

Stream = Literal["events", "mailbox"]
PREFIX = "st_"
TICKET_SECONDS = 60.0
# Unspent tickets one key may hold: a page needs one per (re)connect, so
# more only ever means a flood, and the oldest go to bound the table.
MAX_UNSPENT = 16
# Longer text is no ticket this switch made (they are 46 characters).
_MAX_LENGTH = 128
UNKNOWN = (
    "unknown or spent stream ticket: a ticket opens one stream, once; "
    "POST /v1/stream-tickets with your key in the Authorization header for another"
)


class TicketsUnavailable(SwitchError):
    """The database did not answer: no ticket is issued or spent."""

    http_status = 503
    code = "TICKETS_UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class Ticket:
    value: str
    stream: Stream
    expires_in: float  # seconds


class StreamTickets:
    """Issues and redeems stream tickets in `engine`'s `stream_tickets`
    table; `wall` (seconds since the epoch) is the clock they expire by."""

    def __init__(
        self,
        engine: Engine,
        *,
        lifetime: float = TICKET_SECONDS,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self.lifetime = lifetime
        self._wall = wall

    def issue(self, key_hash: str, stream: Stream) -> Ticket:
        """A new ticket for the key with digest `key_hash` (the caller has
        checked the key and that it may open `stream`)."""
        value = f"{PREFIX}{secrets.token_urlsafe(32)}"
        now = self._now()
        with _answering(), self._engine.begin() as conn:
            unspent = (
                conn.execute(
                    select(stream_tickets.c.ticket_hash)
                    .where(stream_tickets.c.key_hash == key_hash)
                    .order_by(stream_tickets.c.expires_at, stream_tickets.c.ticket_hash)
                )
                .scalars()
                .all()
            )
            oldest = unspent[: max(0, len(unspent) - MAX_UNSPENT + 1)]
            if oldest:
                conn.execute(delete(stream_tickets).where(stream_tickets.c.ticket_hash.in_(oldest)))
            conn.execute(
                insert(stream_tickets).values(
                    ticket_hash=digest(value),
                    key_hash=key_hash,
                    stream=stream,
                    expires_at=now + timedelta(seconds=self.lifetime),
                )
            )
        self._clear_expired(now)
        return Ticket(value=value, stream=stream, expires_in=self.lifetime)

    def redeem(self, value: str, stream: Stream) -> str:
        """Spend the ticket `value` on `stream`: the digest of its key.
        Raises AuthError for a ticket unknown, spent, expired or for
        another stream; a ticket shown for the wrong stream is spent too."""
        if not value.startswith(PREFIX) or len(value) > _MAX_LENGTH or not value.isascii():
            raise AuthError(UNKNOWN)
        hashed = digest(value)
        with _answering(), self._engine.begin() as conn:
            row = conn.execute(
                select(stream_tickets).where(stream_tickets.c.ticket_hash == hashed)
            ).first()
            if row is None:
                raise AuthError(UNKNOWN)
            taken = conn.execute(
                delete(stream_tickets).where(stream_tickets.c.ticket_hash == hashed)
            ).rowcount
        # INVARIANT: only the redeemer whose delete removed the row opens a
        # stream, so a ticket shown to two hubs at once opens one.
        if taken != 1:
            raise AuthError(UNKNOWN)
        if _utc(row.expires_at) <= self._now():
            raise AuthError(
                "stream ticket expired: it opens a stream within "
                f"{self.lifetime:g} s of being issued; POST /v1/stream-tickets for another"
            )
        if row.stream != stream:
            raise AuthError(f"this stream ticket opens the {row.stream} stream, not {stream}")
        key_hash: str = row.key_hash
        return key_hash

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._wall(), UTC)

    def _clear_expired(self, now: datetime) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(stream_tickets).where(stream_tickets.c.expires_at <= now))
        except DBAPIError as exc:
            # Two hubs clearing the same rows may collide (a deadlock on
            # PostgreSQL); an expired ticket opens nothing, so it can wait
            # for the next issue.
            log.warning("expired stream tickets not cleared: %s", type(exc.orig).__name__)


@contextmanager
def _answering() -> Iterator[None]:
    """A database fault as TicketsUnavailable (a 503), never a server error."""
    try:
        yield
    except DBAPIError as exc:
        reason = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
        log.warning("stream tickets unavailable: %s", reason)
        raise TicketsUnavailable(
            "stream tickets are unavailable: the database did not answer; try again"
        ) from None


def _utc(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time here is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
