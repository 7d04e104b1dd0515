"""The log filter (switch.serving.access_log): the values of `key` and `ticket` in a
URL, and anything shaped like a key or a ticket, are written as `...`;
nothing else changes."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from switch.serving.access_log import RedactSecrets, redact

KEY = "sw_0123456789ab_" + "K" * 43
TICKET = "st_" + "T" * 43


def test_secret_parameters_and_shapes_are_redacted_and_nothing_else() -> None:
    cases = {
        f"/v1/events?key={KEY}": "/v1/events?key=...",
        f"/v1/events?ticket={TICKET}&after=3": "/v1/events?ticket=...&after=3",
        "/v1/mailbox/stream?after=3&key=sw_guess": "/v1/mailbox/stream?after=3&key=...",
        "/v1/events?%6Bey=hidden;KEY=hidden": "/v1/events?%6Bey=...;KEY=...",
        f"/v1/agencies/{KEY}?state=WA": "/v1/agencies/...?state=WA",
        f"/v1/x?note={TICKET}": "/v1/x?note=...",
        "/v1/audit?ori=NY0303000&limit=5": "/v1/audit?ori=NY0303000&limit=5",
        "/v1/events?key=": "/v1/events?key=",
        "/v1/events?keys=a&monkey=b": "/v1/events?keys=a&monkey=b",
    }
    assert {line: redact(line) for line in cases} == cases


def test_the_filter_redacts_an_access_log_record_as_uvicorn_makes_it() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/v1/events?key={KEY}", "1.1", 401),
        None,
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /v1/events?key=... HTTP/1.1" 401'


URL_TEXT = st.text(alphabet=st.characters(codec="ascii", exclude_characters="\r\n"), max_size=30)
# Other parameters, with values no redaction should touch.
OTHERS = st.lists(
    st.tuples(
        st.sampled_from(["ori", "after", "state", "limit"]),
        st.text(max_size=20).filter(lambda v: "sw_" not in v and "st_" not in v),
    ),
    max_size=3,
)


@given(
    secret=st.text(min_size=1, max_size=60),
    name=st.sampled_from(["key", "ticket", "KEY", "%6Bey", "Ticket"]),
    before=OTHERS,
    after=OTHERS,
)
def test_a_secret_parameter_is_redacted_whatever_its_value_and_neighbours(
    secret: str, name: str, before: list[tuple[str, str]], after: list[tuple[str, str]]
) -> None:
    """As a client sends it: each value percent-encoded."""

    def line(value: str) -> str:
        params = [f"{n}={quote(v, safe='')}" for n, v in before]
        params += [f"{name}={value}"] + [f"{n}={quote(v, safe='')}" for n, v in after]
        return f"GET /v1/events?{'&'.join(params)} HTTP/1.1"

    assert redact(line(quote(secret, safe=""))) == line("...")


@given(context=URL_TEXT, shape=st.sampled_from(["key", "ticket"]))
def test_no_key_or_ticket_survives_wherever_it_stands(context: str, shape: str) -> None:
    secret = (
        f"sw_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
        if shape == "key"
        else f"st_{secrets.token_urlsafe(32)}"
    )
    assert secret not in redact(f"{context}{secret}{context}")
