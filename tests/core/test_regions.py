"""Regional queries: a DQG or RQG to a region code is a DQ or RQ leg per state
in it, each decided by that state's policy; a DQ or RQ sent to a region code
without the G is taken at lower priority (legs one at a time)."""

from __future__ import annotations

import asyncio

import pytest

from switch.core.router import Router, RouteResult
from switch.directory import Directory
from switch.directory.regions import Region, shipped_regions
from switch.errors import InvalidDestination, NotAllowed
from switch.messages import Message, parse
from switch.policy import Decision, Facts, PermitAll, Ruling
from tests.utils.destinations import FakeState

DIRECTORY = Directory.load()
PACIFIC = shipped_regions()["RH"]
NAME = "NAM/DOE,JOHN.DOB/19800101.SEX/M"


class _Spy(FakeState):
    """A state that writes down when each query begins and ends."""

    def __init__(self, state: str, log: list[tuple[str, str]], delay: float = 0.01) -> None:
        super().__init__(state, delay=delay, records=({"NAM": "DOE,JOHN", "OLN": state},))
        self.log = log

    async def query(self, message: Message):  # type: ignore[no-untyped-def]
        self.log.append(("start", self.state))
        try:
            return await super().query(message)
        finally:
            self.log.append(("end", self.state))


class DenyAt:
    """A stand-in for the states' policies: one state denies ICE-ERO."""

    def __init__(self, state: str) -> None:
        self.state = state
        self.seen: list[tuple[str, str]] = []

    def ruling(self, state: str, facts: Facts) -> Ruling:
        self.seen.append((state, facts.key))
        if state == self.state and facts.component == "ICE-ERO":
            return Ruling(Decision(effect="deny", rules=("or-no-ice",), reason="test", version="t"))
        return Ruling(Decision(effect="permit", reason=None, version="t"))


def _router(decider: object = None, **states: FakeState) -> tuple[Router, dict[str, FakeState]]:
    fakes: dict[str, FakeState] = {s: FakeState(s) for s in (*PACIFIC.states, "NY", "TX")}
    fakes.update(states)
    return Router(DIRECTORY, fakes, decider or PermitAll()), fakes  # type: ignore[arg-type]


def _route(router: Router, text: str, wait: float = 5.0) -> RouteResult:
    message = parse(text)
    requester = DIRECTORY.get(message.ori)
    assert requester is not None
    return asyncio.run(router.route(message, requester, wait=wait))


def test_a_dqg_to_a_region_gets_one_dr_per_state_in_it() -> None:
    router, fakes = _router()
    routed = _route(router, f"DQG.NY0303000.RH.TXT{NAME}")
    assert [r.destination for r in routed.results] == list(PACIFIC.states)
    assert [r.state for r in routed.results] == list(PACIFIC.states)
    assert all(r.status == "answered" for r in routed.results)
    assert {r.response.key for r in routed.results if r.response} == {"DR"}
    assert {r.response.sender for r in routed.results if r.response} == {
        f"{s}OLN0000" for s in PACIFIC.states
    }
    # Each state answers apart: nothing is merged away, NO HITs included.
    assert not routed.multi_state and routed.visible() == routed.results
    assert routed.priority == "normal"
    # Every state got a DQ, never the DQG; states outside the region got nothing.
    for state in PACIFIC.states:
        [received] = fakes[state].received
        assert received.key == "DQ"
        assert dict(received.fields) == {"NAM": "DOE,JOHN", "DOB": "19800101", "SEX": "M"}
    assert fakes["NY"].received == [] and fakes["TX"].received == []


def test_an_rqg_to_a_region_gets_one_rr_per_state() -> None:
    router, fakes = _router()
    routed = _route(router, "RQG.NY0303000.RH.TXTLIC/ABC123.LIY/2026.LIT/PC")
    assert [r.response.key for r in routed.results if r.response] == ["RR"] * len(PACIFIC.states)
    assert all(fakes[s].received[0].key == "RQ" for s in PACIFIC.states)


def test_each_state_policy_decides_its_own_leg() -> None:
    decider = DenyAt("OR")
    router, fakes = _router(decider)
    routed = _route(router, f"DQG.VTICE0900.RH.TXT{NAME}")
    by_state = {r.state: r for r in routed.results}
    denied = by_state["OR"]
    assert denied.status == "rejected" and denied.decision.rule == "or-no-ice"
    assert denied.response is not None and denied.response.key == "ER"
    assert denied.response.sender == "NL0000000"
    assert denied.response.body.startswith(".02. MESSAGE TYPE NOT ALLOWED TO DESTINATION\n")
    # The ER quotes the message as it was sent, G and region code and all.
    assert f"DQG.VTICE0900.RH.TXT{NAME}" in denied.response.body
    assert fakes["OR"].received == []
    others = [r for r in routed.results if r.state != "OR"]
    assert others and all(r.status == "answered" for r in others)
    # Every state's policy saw a DQ, as it would from a direct query.
    assert sorted(decider.seen) == sorted((s, "DQ") for s in PACIFIC.states)


def test_a_dq_to_a_region_is_answered_at_low_priority_one_state_at_a_time() -> None:
    log: list[tuple[str, str]] = []
    spies = {s: _Spy(s, log) for s in PACIFIC.states}
    router, _ = _router(**spies)
    routed = _route(router, f"DQ.NY0303000.RH.TXT{NAME}")
    assert routed.priority == "low"
    assert all(r.status == "answered" and r.hit for r in routed.results)
    assert [r.state for r in routed.results] == list(PACIFIC.states)
    # Each leg ends before the next begins, in the region's order.
    expected = [(edge, s) for s in PACIFIC.states for edge in ("start", "end")]
    assert log == expected


def test_a_dqg_sends_its_legs_together() -> None:
    log: list[tuple[str, str]] = []
    spies = {s: _Spy(s, log) for s in PACIFIC.states}
    router, _ = _router(**spies)
    routed = _route(router, f"DQG.NY0303000.RH.TXT{NAME}")
    assert routed.priority == "normal"
    starts = [i for i, (edge, _) in enumerate(log) if edge == "start"]
    first_end = next(i for i, (edge, _) in enumerate(log) if edge == "end")
    assert len(starts) == len(PACIFIC.states) and max(starts) < first_end


def test_low_priority_legs_share_one_wait() -> None:
    slow = FakeState(PACIFIC.states[0], delay=5.0)
    router, fakes = _router(DenyAt("OR"), **{slow.state: slow})
    routed = _route(router, f"DQ.VTICE0900.RH.TXT{NAME}", wait=0.2)
    # The slow first state took the whole wait: the rest are not asked, and
    # count as not answering; a state whose policy denies still says so.
    statuses = {r.state: r.status for r in routed.results}
    assert statuses == {s: "rejected" if s == "OR" else "no_response" for s in PACIFIC.states}
    assert all(fakes[s].received == [] for s in PACIFIC.states[1:])


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (f"DQG.NY0303000.RZ.TXT{NAME}", InvalidDestination),
        (f"DQ.NY0303000.RZ.TXT{NAME}", InvalidDestination),
        # A state named as well as through its region would be asked twice.
        (f"DQG.NY0303000.RH,WA.TXT{NAME}", InvalidDestination),
        # Only DQ and RQ have regional forms.
        ("DNQ.NY0303000.RH.TXTNAM/DOE,JOHN", NotAllowed),
        (f"KQ.NY0303000.RH.TXT{NAME}", NotAllowed),
    ],
)
def test_bad_regional_destinations(text: str, error: type[Exception]) -> None:
    router, fakes = _router()
    with pytest.raises(error):
        _route(router, text)
    assert all(fake.received == [] for fake in fakes.values())


def test_a_region_with_none_of_its_states_here_is_not_allowed() -> None:
    router = Router(DIRECTORY, {"WA": FakeState("WA")}, PermitAll())  # type: ignore[dict-item]
    with pytest.raises(NotAllowed):
        _route(router, f"DQG.NY0303000.RA.TXT{NAME}")
    # A region passed in replaces the shipped ones.
    own = Router(
        DIRECTORY, {"WA": FakeState("WA")}, PermitAll(), regions={"ZZ": Region("ZZ", "z", ("WA",))}
    )  # type: ignore[dict-item]
    assert [r.state for r in _route(own, f"DQG.NY0303000.ZZ.TXT{NAME}").results] == ["WA"]
    with pytest.raises(InvalidDestination):
        _route(own, f"DQG.NY0303000.RH.TXT{NAME}")


def test_a_dqg_to_states_and_to_nl_is_a_plain_dq() -> None:
    router, fakes = _router()
    routed = _route(router, f"DQG.NY0303000.WA,OR.TXT{NAME}")
    assert [r.state for r in routed.results] == ["WA", "OR"] and routed.priority == "normal"
    nl = _route(router, f"DQG.NY0303000.NL.TXT{NAME}")
    assert nl.multi_state and len(nl.results) == len(fakes)
    assert all(m.key == "DQ" for fake in fakes.values() for m in fake.received)
