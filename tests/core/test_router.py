"""The router: destinations, NL fan-out, timeouts, faults, and the policy seam."""

from __future__ import annotations

import asyncio

import pytest

from simulators.dmv import StateDMV
from switch.app.simulated import simulated_states
from switch.core.router import Router
from switch.destinations.registry import build_destinations
from switch.directory import Directory
from switch.errors import InvalidDestination, NotAllowed
from switch.messages import parse
from switch.policy import PermitAll
from tests.utils.destinations import DenyComponent, FakeState

DIRECTORY = Directory.load()
NYPD = DIRECTORY.get("NY0303000")
ICE = DIRECTORY.get("VTICE0900")


def _route(router: Router, text: str, wait: float = 5.0):  # type: ignore[no-untyped-def]
    message = parse(text)
    requester = DIRECTORY.get(message.ori)
    assert requester is not None
    return asyncio.run(router.route(message, requester, wait=wait))


@pytest.fixture(scope="module")
def builtin_router() -> Router:
    return Router(DIRECTORY, build_destinations(builtin=simulated_states()), PermitAll())


def test_directory_has_the_requesters() -> None:
    assert NYPD is not None and ICE is not None
    assert ICE.component == "ICE-ERO"


def test_single_state_dq_by_oln_hits(builtin_router: Router) -> None:
    oln = StateDMV("WA").driver(5)["OLN"]
    routed = _route(builtin_router, f"DQ.NY0303000.WA.*C1.TXTOLN/{oln}")
    [result] = routed.results
    assert (result.destination, result.state, result.status) == ("WA", "WA", "answered")
    assert result.response is not None and result.response.key == "DR"
    assert result.response.records[0]["OLN"] == oln
    assert result.response.sender == "WAOLN0000" and result.response.to == "NY0303000"
    assert result.response.control == "C1"


def test_five_destinations_each_answer(builtin_router: Router) -> None:
    routed = _route(builtin_router, "DQ.NY0303000.WA,OR,CA,NY,TXOLN0000.TXTOLN/X1")
    assert [r.destination for r in routed.results] == ["WA", "OR", "CA", "NY", "TXOLN0000"]
    assert [r.state for r in routed.results] == ["WA", "OR", "CA", "NY", "TX"]
    assert all(r.status == "answered" and not r.hit for r in routed.results)


def test_nl_fans_out_to_every_state_and_suppresses_no_hits(builtin_router: Router) -> None:
    driver = StateDMV("TX").driver(3)
    last, first = driver["NAM"].split(",")[0], driver["NAM"].split(",")[1].split(" ")[0]
    routed = _route(
        builtin_router,
        f"DQ.NY0303000.NL.TXTNAM/{last},{first}.DOB/{driver['DOB']}.SEX/{driver['SEX']}",
    )
    assert routed.multi_state
    assert len(routed.results) == 52
    visible = routed.visible()
    assert "TX" in [r.destination for r in visible]
    assert all(r.hit for r in visible)
    summary = routed.summary()
    assert "TX" in summary["hit"]
    assert len(summary["hit"]) + len(summary["no_hit"]) == 52


def test_unknown_destinations_are_er_19(builtin_router: Router) -> None:
    with pytest.raises(InvalidDestination):
        _route(builtin_router, "DQ.NY0303000.ZZ.TXTOLN/X1")
    with pytest.raises(InvalidDestination):
        _route(builtin_router, "DQ.NY0303000.ZZ9999999.TXTOLN/X1")


def test_query_to_a_police_ori_is_not_allowed(builtin_router: Router) -> None:
    with pytest.raises(NotAllowed):
        _route(builtin_router, "DQ.VTICE0900.NY0303000.TXTOLN/X1")


def test_am_to_nl_is_not_allowed(builtin_router: Router) -> None:
    with pytest.raises(NotAllowed):
        _route(builtin_router, "AM.NY0303000.NL.TXTHELLO")


def test_am_is_delivered_to_the_ori_and_state_control_terminal(builtin_router: Router) -> None:
    routed = _route(builtin_router, "AM.NY0303000.VTICE0900,WA.TXTCALL ME")
    first, second = routed.results
    assert first.status == "delivered" and first.response is not None
    assert first.response.to == "VTICE0900" and first.response.body == "CALL ME"
    assert second.response is not None
    assert second.response.to == DIRECTORY.control_terminal("WA").ori


def _fakes(**overrides: FakeState) -> dict[str, FakeState]:
    states = {s: FakeState(s) for s in ("WA", "OR", "CA")}
    states.update(overrides)
    return states


def test_slow_state_is_no_response_and_others_still_answer() -> None:
    fakes = _fakes(OR=FakeState("OR", delay=5.0))
    router = Router(DIRECTORY, fakes, PermitAll())
    routed = _route(router, "DQ.NY0303000.WA,OR,CA.TXTOLN/X1", wait=0.2)
    statuses = {r.destination: r.status for r in routed.results}
    assert statuses == {"WA": "answered", "OR": "no_response", "CA": "answered"}
    assert routed.summary()["no_response"] == ["OR"]


def test_out_of_service_and_fault_become_status_messages() -> None:
    fakes = _fakes(OR=FakeState("OR", out_of_service=True), CA=FakeState("CA", fault=True))
    router = Router(DIRECTORY, fakes, PermitAll())
    routed = _route(router, "DQ.NY0303000.OR,CA.TXTOLN/X1")
    oos, fault = routed.results
    assert oos.status == "out_of_service" and oos.response is not None
    assert oos.response.key == "SM" and ".02." in oos.response.body
    assert fault.status == "fault" and fault.response is not None
    assert fault.response.key == "SM"


def test_denied_query_never_reaches_the_state() -> None:
    fakes = _fakes()
    router = Router(DIRECTORY, fakes, DenyComponent("ICE-ERO"))
    routed = _route(router, "DQ.VTICE0900.WA.TXTOLN/X1")
    [result] = routed.results
    assert result.status == "rejected" and result.decision.rule == "test-deny"
    assert result.response is not None and result.response.key == "ER"
    assert result.response.sender == "NL0000000"
    assert ".02." in result.response.body and "test-deny" in result.response.body
    assert fakes["WA"].received == []
    # The same query from local police reaches the state.
    _route(router, "DQ.NY0303000.WA.TXTOLN/X1")
    assert len(fakes["WA"].received) == 1


def test_redaction_drops_fields_and_says_so() -> None:
    from switch.policy import Decision, Ruling

    class Redact:
        def ruling(self, state: str, facts: object) -> Ruling:
            return Ruling(Decision(effect="permit", rules=("r",), version="v", redact=("ADR",)))

    fakes = _fakes(WA=FakeState("WA", records=({"NAM": "DOE,JOHN", "ADR": "1 MAIN ST"},)))
    routed = _route(Router(DIRECTORY, fakes, Redact()), "DQ.NY0303000.WA.TXTOLN/X1")
    response = routed.results[0].response
    assert response is not None
    assert dict(response.records[0]) == {"NAM": "DOE,JOHN"}
    assert "WITHHELD" in response.body and "ADR" in response.body
