"""Per-ORI rate limits: the setting's syntax, the token bucket, and the hub's
429 with an SM, a Retry-After and an audit record."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from simulators.traffic.generator import constant_offsets
from simulators.traffic.profiles import PROFILES
from switch.access.ratelimit import RateLimiter, TokenBucket
from switch.db.schema import audit_records
from switch.directory import JURISDICTIONS, Directory
from switch.messages import parse, parse_output
from switch.rate_limits import DEFAULT_CLASS, DEFAULT_LIMIT, Limit, parse_rate_limits
from switch.settings import Settings
from tests.utils.hubs import Keys, make_client

DIRECTORY = Directory.load()


class Clock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# The setting


def test_classes_rates_and_bursts_are_read() -> None:
    limits = parse_rate_limits("default=20/40, FE=50/100 ,ice-erO=2.5/5,NJ=0,PD=3")
    assert dict(limits) == {
        DEFAULT_CLASS: Limit(20.0, 40),
        "FE": Limit(50.0, 100),
        "ICE-ERO": Limit(2.5, 5),
        "NJ": None,
        "PD": Limit(3.0, 3),  # a rate alone bursts one second's worth
    }


def test_unnamed_default_is_the_generous_one_and_0_turns_limits_off() -> None:
    assert parse_rate_limits("FE=1/1")[DEFAULT_CLASS] == DEFAULT_LIMIT
    assert parse_rate_limits("")[DEFAULT_CLASS] == DEFAULT_LIMIT
    for off in ("0", "off", " OFF "):
        limiter = RateLimiter(parse_rate_limits(off), DIRECTORY)
        assert not limiter.enabled
        assert all(limiter.take("NY0303000") == 0.0 for _ in range(10_000))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("FE", "write CLASS=RATE/BURST"),
        ("FE=abc", "rate must be a number"),
        ("FE=-1/2", "rate must be a number"),
        ("FE=10/0", "burst must be a whole number"),
        ("FE=10/x", "burst must be a whole number"),
        ("FE=10/2.5", "burst must be a whole number"),
        ("FE=0/5", "takes no burst"),
        ("FE=1/2,fe=3/4", "FE given twice"),
        ("F E=1/2", "not an agency type"),
        ("=1/2", "not an agency type"),
    ],
)
def test_bad_syntax_is_refused_with_the_entry_and_the_rule(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_rate_limits(text)


def test_settings_refuse_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCH_RATE_LIMITS", "FE=fast")
    with pytest.raises(ValidationError, match="rate must be a number"):
        Settings()


def test_a_class_no_agency_has_is_refused() -> None:
    with pytest.raises(ValueError, match="ICE-ER0"):
        RateLimiter(parse_rate_limits("ICE-ER0=1/1"), DIRECTORY)


def test_component_beats_type_beats_default() -> None:
    limiter = RateLimiter(parse_rate_limits("default=9/9,FE=5/5,ICE-ERO=1/1"), DIRECTORY)
    assert limiter.limit_for("VTICE0900") == Limit(1.0, 1)  # ICE-ERO, type FE
    fbi = next(a.ori for a in DIRECTORY if a.component == "FBI")
    assert limiter.limit_for(fbi) == Limit(5.0, 5)
    assert limiter.limit_for("NY0303000") == Limit(9.0, 9)
    assert limiter.limit_for("ZZ0000000") == Limit(9.0, 9)  # not in the directory


# The bucket


def test_burst_then_refill_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(parse_rate_limits("default=2/4"), DIRECTORY, clock=clock)
    assert [limiter.take("NY0303000") for _ in range(4)] == [0.0] * 4
    assert limiter.take("NY0303000") == pytest.approx(0.5)
    assert limiter.take("WAOLN0000") == 0.0  # every ORI has its own bucket
    clock.now += 0.5
    assert limiter.take("NY0303000") == 0.0
    assert limiter.take("NY0303000") > 0
    clock.now += 60  # a long pause refills to the burst, no further
    assert [limiter.take("NY0303000") for _ in range(5)].count(0.0) == 4


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(0.5, 50),
    burst=st.integers(1, 20),
    gaps=st.lists(st.floats(0, 0.5), min_size=1, max_size=150),
)
def test_a_bucket_never_admits_more_than_burst_plus_rate_times_the_window(
    rate: float, burst: int, gaps: list[float]
) -> None:
    bucket = TokenBucket(Limit(rate, burst), 0.0)
    times = list(itertools.accumulate(gaps))
    admitted = [t for t in times if bucket.take(t) == 0.0]
    for i, start in enumerate(admitted):
        for j in range(i, len(admitted)):
            window = admitted[j] - start
            assert j - i + 1 <= burst + rate * window + 1e-6


@settings(max_examples=100, deadline=None)
@given(rate=st.floats(0.5, 50), burst=st.integers(1, 20), count=st.integers(1, 100))
def test_a_sender_at_the_rate_is_never_refused(rate: float, burst: int, count: int) -> None:
    bucket = TokenBucket(Limit(rate, burst), 0.0)
    assert all(bucket.take(n / rate) == 0.0 for n in range(count))


@pytest.mark.parametrize("profile", ["national", "letter-2025"])
def test_the_default_never_limits_simulated_traffic_at_200_a_second(profile: str) -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(parse_rate_limits(Settings().rate_limits), DIRECTORY, clock=clock)
    arrivals = PROFILES[profile].messages(DIRECTORY, seed=7)
    for offset in constant_offsets(200, 10):
        clock.now = offset
        sender, text = next(arrivals)
        destinations = parse(text).destinations
        # As the hub charges: a token for each state reached, all for NL.
        reach = len(JURISDICTIONS) if destinations == ("NL",) else len(destinations)
        assert limiter.take(sender) == 0.0, (sender, offset)
        assert limiter.take(sender, reach, paid=1) == 0.0, (sender, offset, text)


# Through the hub


def _send(client: TestClient, keys: Keys, ori: str = "NY0303000") -> Any:
    return client.post("/v1/messages", content=f"DQ.{ori}.WA.TXTOLN/123456", headers=keys.auth(ori))


def test_over_the_rate_is_429_with_an_sm_and_retry_after_then_refills(database_url: str) -> None:
    with make_client(database_url, rate_limits="default=2/3") as (client, keys, runtime):
        clock = Clock()
        client.app.state.rate_limiter = RateLimiter(  # type: ignore[attr-defined]
            parse_rate_limits("default=2/3"), runtime.directory, clock=clock
        )
        assert [_send(client, keys).status_code for _ in range(3)] == [200, 200, 200]
        refused = _send(client, keys)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        body = refused.json()
        assert body["error"]["code"] == "RATE_LIMITED"
        assert body["error"]["retry_after"] == pytest.approx(0.5)
        assert body["response"]["key"] == "SM"
        sm = parse_output(body["response"]["text"])
        assert (sm.key, sm.to, sm.sender) == ("SM", "NY0303000", "NL0000000")
        assert sm.body.startswith("RATE LIMIT EXCEEDED\n")
        assert "2 MESSAGES A SECOND, 3 AT ONCE" in sm.body
        assert sm.body.endswith("RETRY AFTER 1 SECOND")
        # Another ORI is not held back by this one.
        assert _send(client, keys, "VTICE0900").status_code == 200
        with runtime.engine.connect() as conn:
            row = conn.execute(select(audit_records).where(audit_records.c.id == body["id"])).one()
        assert (row.outcome, row.http_status, row.sender_ori) == ("refused", 429, "NY0303000")
        assert row.identity.endswith("/NY0303000") and row.raw == "POST /v1/messages"
        clock.now += 0.5
        assert _send(client, keys).status_code == 200
        assert _send(client, keys).status_code == 429


def test_a_class_with_no_limit_is_never_refused(sqlite_url: str) -> None:
    with make_client(sqlite_url, rate_limits="default=1/1,ICE-ERO=0") as (client, keys, _):
        assert [_send(client, keys).status_code for _ in range(2)] == [200, 429]
        assert {_send(client, keys, "VTICE0900").status_code for _ in range(5)} == {200}


def test_a_hub_will_not_start_on_a_class_no_agency_has(sqlite_url: str) -> None:
    with (
        pytest.raises(ValueError, match="no agency in the directory"),
        make_client(sqlite_url, rate_limits="XX=1/1"),
    ):
        pass


# What a message costs: one token per destination it reaches


NL_QUERY = "DQ.NY0303000.NL.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M"


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(0.5, 50),
    burst=st.integers(1, 20),
    sends=st.lists(st.tuples(st.floats(0, 0.5), st.integers(1, 60)), min_size=1, max_size=100),
)
def test_messages_admitted_never_cost_more_than_burst_plus_rate_times_the_window(
    rate: float, burst: int, sends: list[tuple[float, int]]
) -> None:
    bucket = TokenBucket(Limit(rate, burst), 0.0)
    now, admitted = 0.0, []
    for gap, cost in sends:
        now += gap
        # As the hub takes it: one token before the body, the rest after.
        if bucket.take(now) == 0.0 and (cost == 1 or bucket.take(now, cost, paid=1) == 0.0):
            admitted.append((now, cost))
    excess = max(0, max(cost for _, cost in sends) - burst)
    for i, (start, _) in enumerate(admitted):
        for j in range(i, len(admitted)):
            spent = sum(cost for _, cost in admitted[i : j + 1])
            assert spent <= burst + rate * (admitted[j][0] - start) + excess + 1e-6


def test_a_message_wider_than_the_burst_goes_from_a_full_bucket_and_leaves_a_debt() -> None:
    bucket = TokenBucket(Limit(10.0, 20), 0.0)
    assert bucket.take(0.0) == 0.0
    assert bucket.take(0.0, 52, paid=1) == 0.0  # 20 - 52: 32 owed
    assert bucket.take(0.0) == pytest.approx(3.3)  # 33 tokens at 10 a second
    assert bucket.take(3.3) == 0.0
    half = TokenBucket(Limit(10.0, 20), 0.0)
    half.tokens = 19.0
    assert half.take(0.0) == 0.0
    assert half.take(0.0, 52, paid=1) == pytest.approx(0.2)  # back to 20, then it may


def test_an_nl_query_costs_a_token_for_each_state_it_reaches(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        clock = Clock()
        limiter = RateLimiter(parse_rate_limits("default=1/100"), runtime.directory, clock=clock)
        client.app.state.rate_limiter = limiter  # type: ignore[attr-defined]
        states = len(runtime.router.resolve_states(parse(NL_QUERY))[0])
        assert states == 52

        first = client.post("/v1/messages", content=NL_QUERY, headers=keys.auth("NY0303000"))
        assert first.status_code == 200 and len(first.json()["summary"]["no_hit"]) > 40
        # 100 - 52 = 48 left: not enough for another, which would take 52.
        refused = client.post("/v1/messages", content=NL_QUERY, headers=keys.auth("NY0303000"))
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "5"  # 52 - 47 tokens at 1 a second
        body = refused.json()
        assert body["error"] == {
            "code": "RATE_LIMITED",
            "message": "NY0303000 is over its rate limit (1/100): the message reaches 52 "
            "destinations, a token each",
            "retry_after": 5.0,
        }
        sm = parse_output(body["response"]["text"])
        assert sm.body.splitlines() == [
            "RATE LIMIT EXCEEDED",
            "NY0303000 MAY SEND 1 MESSAGES A SECOND, 100 AT ONCE",
            "THIS MESSAGE REACHES 52 DESTINATIONS AND COUNTS AS 52",
            "RETRY AFTER 5 SECONDS",
        ]
        with runtime.engine.connect() as conn:
            row = conn.execute(select(audit_records).where(audit_records.c.id == body["id"])).one()
        assert (row.outcome, row.http_status, row.sender_ori) == ("refused", 429, "NY0303000")
        # A query to two states costs two; one to one state, one.
        two = client.post(
            "/v1/messages", content="DQ.NY0303000.WA,OR.TXTOLN/X1", headers=keys.auth("NY0303000")
        )
        assert two.status_code == 200 and len(two.json()["results"]) == 2
        assert limiter.take("NY0303000", 45) == 0.0  # 47 - 2 = 45 left, all taken here
        assert _send(client, keys).status_code == 429
        clock.now += 52
        # Accepted without waiting (wait=0) costs the same.
        later = client.post(
            "/v1/messages", params={"wait": 0}, content=NL_QUERY, headers=keys.auth("NY0303000")
        )
        assert later.status_code == 202
        assert _send(client, keys).status_code == 429
