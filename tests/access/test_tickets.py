"""Stream tickets (switch.access.tickets): each opens its stream once, within its
lifetime, on any hub sharing the database, and only the stream it names."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, text

from switch.access.tickets import (
    MAX_UNSPENT,
    PREFIX,
    TICKET_SECONDS,
    UNKNOWN,
    StreamTickets,
    TicketsUnavailable,
)
from switch.db.database import migrate, open_engine
from switch.db.schema import stream_tickets
from switch.errors import AuthError

KEY = "a" * 64  # a key's digest
OTHER_KEY = "b" * 64


class Wall:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    opened = open_engine(database_url)
    migrate(opened)
    try:
        yield opened
    finally:
        opened.dispose()


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        count: int = conn.execute(select(func.count()).select_from(stream_tickets)).scalar_one()
    return count


def _refusal(tickets: StreamTickets, value: str, stream: str = "events") -> str:
    with pytest.raises(AuthError) as refused:
        tickets.redeem(value, stream)  # type: ignore[arg-type]
    return refused.value.message


def test_a_ticket_opens_its_stream_once(engine: Engine) -> None:
    tickets = StreamTickets(engine)
    ticket = tickets.issue(KEY, "events")
    assert ticket.value.startswith(PREFIX) and len(ticket.value) == 46
    assert (ticket.stream, ticket.expires_in) == ("events", TICKET_SECONDS)
    assert tickets.redeem(ticket.value, "events") == KEY
    assert _refusal(tickets, ticket.value) == UNKNOWN
    # Only digests are kept: the ticket's text is nowhere in the table.
    tickets.issue(KEY, "events")
    with engine.connect() as conn:
        stored = [tuple(row) for row in conn.execute(select(stream_tickets))]
    assert stored and not any(ticket.value in str(row) for row in stored)


def test_a_ticket_expires_at_the_end_of_its_lifetime(engine: Engine) -> None:
    wall = Wall()
    tickets = StreamTickets(engine, wall=wall)
    in_time, late = tickets.issue(KEY, "mailbox"), tickets.issue(KEY, "mailbox")
    wall.now += TICKET_SECONDS - 1
    assert tickets.redeem(in_time.value, "mailbox") == KEY
    wall.now += 1
    assert _refusal(tickets, late.value, "mailbox") == (
        "stream ticket expired: it opens a stream within 60 s of being issued; "
        "POST /v1/stream-tickets for another"
    )
    assert _refusal(tickets, late.value, "mailbox") == UNKNOWN  # and it is spent


def test_a_ticket_opens_only_the_stream_it_names_and_is_spent_trying(engine: Engine) -> None:
    tickets = StreamTickets(engine)
    ticket = tickets.issue(KEY, "mailbox")
    assert _refusal(tickets, ticket.value, "events") == (
        "this stream ticket opens the mailbox stream, not events"
    )
    assert _refusal(tickets, ticket.value, "mailbox") == UNKNOWN


def test_a_ticket_one_hub_issued_opens_a_stream_on_another_once(
    engine: Engine, database_url: str
) -> None:
    other = open_engine(database_url)
    try:
        hub_a, hub_b = StreamTickets(engine), StreamTickets(other)
        ticket = hub_a.issue(KEY, "events")
        assert hub_b.redeem(ticket.value, "events") == KEY
        assert _refusal(hub_a, ticket.value) == UNKNOWN
    finally:
        other.dispose()


def test_a_ticket_shown_twice_at_once_opens_one_stream(engine: Engine) -> None:
    tickets = StreamTickets(engine)
    for _ in range(10):
        value = tickets.issue(KEY, "events").value
        start = threading.Barrier(2)
        outcomes: list[str] = []
        threads = [
            threading.Thread(target=_redeem_at, args=(tickets, value, start, outcomes))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert sorted(outcomes) == sorted([KEY, UNKNOWN])


def _redeem_at(
    tickets: StreamTickets, value: str, start: threading.Barrier, outcomes: list[str]
) -> None:
    start.wait()
    try:
        outcomes.append(tickets.redeem(value, "events"))
    except AuthError as exc:
        outcomes.append(exc.message)


def test_a_key_holds_a_bounded_number_of_unspent_tickets(engine: Engine) -> None:
    wall = Wall()
    tickets = StreamTickets(engine, wall=wall)
    issued = []
    for _ in range(MAX_UNSPENT + 4):
        issued.append(tickets.issue(KEY, "events").value)
        wall.now += 0.001  # each newer than the last
    other = tickets.issue(OTHER_KEY, "events").value
    assert _rows(engine) == MAX_UNSPENT + 1
    # The oldest went; the newest, and another key's, still open a stream.
    for value in issued[:4]:
        assert _refusal(tickets, value) == UNKNOWN
    assert {tickets.redeem(value, "events") for value in issued[4:]} == {KEY}
    assert tickets.redeem(other, "events") == OTHER_KEY


def test_expired_tickets_are_cleared_as_new_ones_are_issued(engine: Engine) -> None:
    wall = Wall()
    tickets = StreamTickets(engine, wall=wall)
    for key in (KEY, OTHER_KEY):
        tickets.issue(key, "events")
    wall.now += TICKET_SECONDS
    tickets.issue(KEY, "mailbox")
    assert _rows(engine) == 1


def test_a_database_that_does_not_answer_is_a_503_never_a_server_error(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    tickets = StreamTickets(engine)
    value = tickets.issue(KEY, "events").value
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE stream_tickets"))
    for attempt in (lambda: tickets.issue(KEY, "events"), lambda: tickets.redeem(value, "events")):
        with pytest.raises(TicketsUnavailable) as refused:
            attempt()
        assert (refused.value.http_status, refused.value.message) == (
            503,
            "stream tickets are unavailable: the database did not answer; try again",
        )
    # One line each, naming the fault, never a traceback.
    lines = [r for r in caplog.records if r.name == "switch.access.tickets"]
    assert len(lines) == 2 and all(r.exc_info is None for r in lines)
    assert all(r.getMessage().startswith("stream tickets unavailable: ") for r in lines)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.one_of(
        st.text(max_size=200),
        st.text(max_size=200).map(lambda rest: PREFIX + rest),
        st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
            min_size=43,
            max_size=43,
        ).map(lambda rest: PREFIX + rest),
    )
)
def test_no_made_up_text_opens_a_stream(engine: Engine, value: str) -> None:
    assert _refusal(StreamTickets(engine), value) == UNKNOWN
