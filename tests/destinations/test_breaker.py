"""The circuit breaker: unit tests on a clock the test moves, the router's
reading of an open circuit, and a hub with a remote state timing out while
another answers (both states real processes)."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from simulators.dmv import StateDMV
from simulators.mockstate import MockStateControl
from switch.app.simulated import simulated_states
from switch.destinations.base import Destination, DestinationFault, OutOfService, StateAnswer
from switch.destinations.breaker import BreakerPolicy, CircuitBreaker, CircuitOpen
from switch.destinations.builtin import BuiltinDestination
from switch.destinations.http import HttpDestination
from switch.destinations.registry import breaker_policy, build_destinations
from switch.messages import parse
from switch.messages.model import QUERY_KEYS, Message
from switch.settings import Settings
from tests.utils.hubs import Keys, make_client
from tests.utils.mockstates import START_SECONDS, mock_states

POLICY = BreakerPolicy(failures=3, window_seconds=30.0, reset_seconds=10.0)
MESSAGE = parse("DQ.NY0303000.TX.TXTOLN/X1")
ANSWER = StateAnswer("DR")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Scripted:
    """A destination that does what `outcome` says: answer, raise, or hang."""

    def __init__(self) -> None:
        self.state = "TX"
        self.supports = QUERY_KEYS
        self.outcome: BaseException | StateAnswer | None = ANSWER  # None: hang
        self.calls = 0
        self.closed = False

    async def query(self, message: Message) -> StateAnswer:
        self.calls += 1
        outcome = self.outcome
        if outcome is None:
            await asyncio.Event().wait()
        if isinstance(outcome, BaseException):
            raise outcome
        assert isinstance(outcome, StateAnswer)
        return outcome

    async def aclose(self) -> None:
        self.closed = True


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def inner() -> Scripted:
    return Scripted()


@pytest.fixture
def breaker(inner: Scripted, clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(inner, POLICY, clock=clock)


def ask(breaker: CircuitBreaker) -> StateAnswer | BaseException:
    """One query: the answer, or what it raised."""

    async def run() -> StateAnswer | BaseException:
        try:
            return await breaker.query(MESSAGE)
        except Exception as exc:
            return exc

    return asyncio.run(run())


def trip(breaker: CircuitBreaker, inner: Scripted) -> None:
    inner.outcome = DestinationFault("garbled")
    for _ in range(POLICY.failures):
        assert isinstance(ask(breaker), DestinationFault)
    assert breaker.status == "open"


@pytest.mark.parametrize(
    "fault",
    [DestinationFault("garbled"), TimeoutError("no reply"), ConnectionResetError("reset")],
    ids=["fault", "timeout", "connection"],
)
def test_it_opens_after_n_faults_in_a_row(
    breaker: CircuitBreaker, inner: Scripted, fault: Exception
) -> None:
    inner.outcome = fault
    for _ in range(POLICY.failures - 1):
        assert ask(breaker) is fault
        assert breaker.status == "closed"
    assert ask(breaker) is fault
    assert breaker.status == "open"
    assert inner.calls == POLICY.failures


def test_while_open_queries_fail_fast_without_reaching_the_state(
    breaker: CircuitBreaker, inner: Scripted, clock: Clock
) -> None:
    trip(breaker, inner)
    inner.outcome = ANSWER
    for _ in range(5):
        clock.now += POLICY.reset_seconds / 10
        refused = ask(breaker)
        assert isinstance(refused, CircuitOpen)
        # The router reads it as a state that did not answer in time.
        assert isinstance(refused, TimeoutError)
    assert inner.calls == POLICY.failures


def test_an_answer_or_out_of_service_breaks_the_run(
    breaker: CircuitBreaker, inner: Scripted
) -> None:
    for between in (ANSWER, OutOfService("TX"), ANSWER):
        inner.outcome = DestinationFault("garbled")
        for _ in range(POLICY.failures - 1):
            ask(breaker)
        inner.outcome = between
        ask(breaker)
        assert breaker.status == "closed"


def test_out_of_service_is_not_a_fault(breaker: CircuitBreaker, inner: Scripted) -> None:
    inner.outcome = OutOfService("TX")
    for _ in range(POLICY.failures * 3):
        assert isinstance(ask(breaker), OutOfService)
    assert breaker.status == "closed"
    assert inner.calls == POLICY.failures * 3


def test_faults_further_apart_than_the_window_start_a_new_run(
    breaker: CircuitBreaker, inner: Scripted, clock: Clock
) -> None:
    inner.outcome = DestinationFault("garbled")
    for _ in range(POLICY.failures - 1):
        ask(breaker)
    clock.now += POLICY.window_seconds + 1
    ask(breaker)  # the first of a new run
    for _ in range(POLICY.failures - 2):
        ask(breaker)
    assert breaker.status == "closed"
    ask(breaker)
    assert breaker.status == "open"


def test_after_the_reset_time_only_one_trial_goes_through(
    breaker: CircuitBreaker, inner: Scripted, clock: Clock
) -> None:
    trip(breaker, inner)
    clock.now += POLICY.reset_seconds
    assert breaker.status == "half_open"
    inner.outcome = None

    async def run() -> list[BaseException | StateAnswer]:
        trial = asyncio.ensure_future(breaker.query(MESSAGE))
        await asyncio.sleep(0)
        others = await asyncio.gather(
            *(breaker.query(MESSAGE) for _ in range(4)), return_exceptions=True
        )
        trial.cancel()
        await asyncio.gather(trial, return_exceptions=True)
        return others

    others = asyncio.run(run())
    assert all(isinstance(o, CircuitOpen) for o in others)
    assert inner.calls == POLICY.failures + 1


def test_a_trial_answered_closes_the_circuit(
    breaker: CircuitBreaker, inner: Scripted, clock: Clock
) -> None:
    trip(breaker, inner)
    clock.now += POLICY.reset_seconds
    inner.outcome = ANSWER
    assert ask(breaker) == ANSWER
    assert breaker.status == "closed"
    # Closed means a full run of faults is needed again.
    inner.outcome = DestinationFault("garbled")
    for _ in range(POLICY.failures - 1):
        ask(breaker)
    assert breaker.status == "closed"


def test_a_failed_trial_opens_it_again_for_the_full_reset_time(
    breaker: CircuitBreaker, inner: Scripted, clock: Clock
) -> None:
    trip(breaker, inner)
    clock.now += POLICY.reset_seconds + 5
    inner.outcome = TimeoutError("still nothing")
    assert isinstance(ask(breaker), TimeoutError)
    assert breaker.status == "open"
    clock.now += POLICY.reset_seconds - 0.5
    assert isinstance(ask(breaker), CircuitOpen)
    assert inner.calls == POLICY.failures + 1
    clock.now += 0.5
    assert breaker.status == "half_open"


def test_a_hang_up_after_the_wait_counts_as_a_fault(
    breaker: CircuitBreaker, inner: Scripted
) -> None:
    inner.outcome = None

    async def hang_up() -> None:
        task = asyncio.ensure_future(breaker.query(MESSAGE))
        done, _ = await asyncio.wait({task}, timeout=0.01)
        assert not done
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    for _ in range(POLICY.failures):
        asyncio.run(hang_up())
    assert breaker.status == "open"


def test_other_errors_decide_nothing(
    breaker: CircuitBreaker, inner: Scripted, clock: Clock
) -> None:
    inner.outcome = RuntimeError("a bug, not the state")
    for _ in range(POLICY.failures * 2):
        assert isinstance(ask(breaker), RuntimeError)
    assert breaker.status == "closed"
    trip(breaker, inner)
    clock.now += POLICY.reset_seconds
    inner.outcome = RuntimeError("a bug, not the state")
    assert isinstance(ask(breaker), RuntimeError)
    # The trial slot is free again: the next query is the trial.
    inner.outcome = ANSWER
    assert ask(breaker) == ANSWER


def test_it_is_a_destination_and_closes_the_one_inside(
    breaker: CircuitBreaker, inner: Scripted
) -> None:
    assert (breaker.state, breaker.supports) == ("TX", QUERY_KEYS)
    asyncio.run(breaker.aclose())
    assert inner.closed


def test_a_policy_that_could_never_open_or_close_is_refused() -> None:
    for bad in ({"failures": 0}, {"window_seconds": 0}, {"reset_seconds": -1}):
        with pytest.raises(ValueError, match="breaker"):
            BreakerPolicy(**bad)  # type: ignore[arg-type]


def test_http_states_are_wrapped_and_built_in_ones_are_not() -> None:
    destinations = build_destinations(
        "TX=http://127.0.0.1:9?timeout=2", builtin=simulated_states(), breaker=POLICY
    )
    tx = destinations["TX"]
    assert isinstance(tx, CircuitBreaker) and tx.policy == POLICY
    assert isinstance(tx.destination, HttpDestination) and tx.destination.timeout == 2
    assert isinstance(destinations["WA"], BuiltinDestination)
    bare = build_destinations("TX=http://127.0.0.1:9", builtin=simulated_states(), breaker=None)[
        "TX"
    ]
    assert isinstance(bare, HttpDestination)


def test_the_settings_say_how_it_trips() -> None:
    assert breaker_policy(Settings()) == BreakerPolicy(5, 60.0, 10.0)
    tuned = Settings(breaker_failures=2, breaker_window_seconds=5, breaker_reset_seconds=1)
    assert breaker_policy(tuned) == BreakerPolicy(2, 5.0, 1.0)
    assert breaker_policy(Settings(breaker_failures=0)) is None


def test_the_hub_answers_no_response_at_once_and_stays_healthy(sqlite_url: str) -> None:
    inner = Scripted()
    inner.outcome = DestinationFault("garbled")
    tx = CircuitBreaker(inner, POLICY)
    with make_client(sqlite_url, destinations={"TX": tx}) as (client, keys, _):
        assert client.get("/healthz").json()["open_circuits"] == []
        statuses = [_send(client, keys, "DQ.NY0303000.TX.TXTOLN/X1")[0] for _ in range(5)]
        assert statuses == ["fault"] * POLICY.failures + ["no_response"] * 2
        assert inner.calls == POLICY.failures
        health = client.get("/healthz")
        assert health.status_code == 200
        assert (health.json()["status"], health.json()["open_circuits"]) == ("ok", ["TX"])


def _send(client: TestClient, keys: Keys, text: str, wait: float = 10.0) -> list[str]:
    response = client.post(
        "/v1/messages", params={"wait": wait}, content=text, headers=keys.auth("NY0303000")
    )
    assert response.status_code == 200, response.text
    return [r["status"] for r in response.json()["results"]]


# A real mock state timing out while another answers.

WA_OLN = StateDMV("WA").driver(5)["OLN"]
TX_OLN = StateDMV("TX").driver(5)["OLN"]
# TX's own time limit: each query to it costs this much until the circuit opens.
TX_TIMEOUT = 1.0
ROUNDS = 15


def _timed(client: TestClient, keys: Keys, text: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = client.post(
        "/v1/messages", params={"wait": 10}, content=text, headers=keys.auth("NY0303000")
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed, {r["destination"]: r for r in response.json()["results"]}


async def _first_query(url: str) -> None:
    line = HttpDestination("TX", url, timeout=START_SECONDS)
    try:
        await line.query(parse(f"DQ.NY0303000.TX.TXTOLN/{TX_OLN}"))
    finally:
        await line.aclose()


def test_a_dead_state_does_not_slow_another_and_the_hub_stays_healthy(sqlite_url: str) -> None:
    # TX's breaker runs on a clock the test moves, so a slow machine cannot
    # reach the reset time in the middle of the measurement.
    clock = Clock()
    policy = BreakerPolicy(failures=2, reset_seconds=10.0)
    with mock_states(("WA",), ("TX",)) as [(_, wa_url), (_, tx_url)]:
        # A mock state's first query builds its indexes: longer than TX_TIMEOUT.
        asyncio.run(_first_query(tx_url))
        # Two states only: no built-in simulators warming up beside the measurement.
        destinations: dict[str, Destination] = {
            "WA": CircuitBreaker(HttpDestination("WA", wa_url), policy),
            "TX": CircuitBreaker(
                HttpDestination("TX", tx_url, timeout=TX_TIMEOUT), policy, clock=clock
            ),
        }
        with (
            make_client(sqlite_url, destinations=destinations) as (client, keys, _),
            MockStateControl(tx_url) as tx,
        ):
            wa_only = f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}"
            both = f"DQ.NY0303000.WA,TX.TXTOLN/{WA_OLN}"
            _, warm = _timed(client, keys, both)
            assert {d: r["status"] for d, r in warm.items()} == {"WA": "answered", "TX": "answered"}
            for _ in range(5):  # first queries (connections, the mock's indexes) are slower
                _timed(client, keys, wa_only)
            healthy = [_timed(client, keys, wa_only) for _ in range(ROUNDS)]

            tx.reset("journal")
            tx.set_faults({"type": "timeout"})  # holds every query until the caller goes
            tripping = [_timed(client, keys, both) for _ in range(policy.failures)]
            assert [r["TX"]["status"] for _, r in tripping] == ["no_response"] * policy.failures
            assert all(t >= TX_TIMEOUT for t, _ in tripping)
            assert client.get("/healthz").json()["open_circuits"] == ["TX"]

            # With and without the dead state, taken in turns so both see the same load.
            alone, beside = [], []
            for _ in range(ROUNDS):
                alone.append(_timed(client, keys, wa_only))
                beside.append(_timed(client, keys, both))
            assert all(r["WA"]["status"] == "answered" for _, r in alone + beside)
            assert all(r["TX"]["status"] == "no_response" for _, r in beside)
            # While open, TX is not asked at all...
            assert len(tx.journal()) == policy.failures
            # ...so a message to both states is about as quick as one to WA
            # alone (without the breaker it would take TX_TIMEOUT, 100 times more).
            p50 = {
                name: statistics.median(t for t, _ in runs)
                for name, runs in (("healthy", healthy), ("alone", alone), ("beside", beside))
            }
            assert p50["beside"] < TX_TIMEOUT / 4, p50
            assert p50["beside"] / p50["alone"] < 3.0, p50
            # A dead state does not slow the hub as a whole either.
            assert p50["alone"] / p50["healthy"] < 5.0, p50
            wa_alone = statistics.median(r["WA"]["latency_ms"] for _, r in alone)
            wa_beside = statistics.median(r["WA"]["latency_ms"] for _, r in beside)
            assert wa_beside / wa_alone < 3.0, (wa_alone, wa_beside)

            health = client.get("/healthz")
            assert health.status_code == 200
            assert (health.json()["status"], health.json()["open_circuits"]) == ("ok", ["TX"])

            # TX comes back: after the reset time, one trial query closes it.
            tx.clear_faults()
            clock.now += policy.reset_seconds
            assert client.get("/healthz").json()["open_circuits"] == ["TX"]  # half-open
            assert _timed(client, keys, both)[1]["TX"]["status"] == "answered"
            assert client.get("/healthz").json()["open_circuits"] == []
            assert len(tx.journal()) == policy.failures + 1
