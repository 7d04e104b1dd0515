"""switch.access.visibility: what each reader sees of a message, for any message and
any reader (hypothesis), against the rule written out independently here."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from switch.access.keys import Identity
from switch.access.visibility import project, project_event
from switch.audit.public import (
    FlowEvent,
    MessagePublic,
    OutcomePublic,
    OutcomeWithheld,
    ResponsePublic,
    SummaryPublic,
)

STATES = ("WA", "OR", "NY", "VT", "TX", "CA")
SECRET = "SOC/000621789"

oris = st.builds(lambda s, n: f"{s}{n:07d}", st.sampled_from(STATES), st.integers(0, 9999999))
outcomes = st.builds(
    lambda state, as_ori, decision: OutcomePublic(
        destination=f"{state}OLN0000" if as_ori else state,
        state=state,
        decision=decision,
        rule=f"{state.lower()}-rule",
        reason="why",
        policy_version="sha256:1",
        warrant="none",
        status="answered",
        latency_ms=1.0,
        response=ResponsePublic(key="DR", text=f"DR {SECRET}", fields={"SOC": "000621789"}),
        redacted=["ADR"],
        obligations=["report"],
        obligations_words=["the release is reported"],
        warrant_wanted=["judicial"],
    ),
    st.sampled_from(STATES),
    st.booleans(),
    st.sampled_from(["permit", "deny"]),
)
messages = st.builds(
    lambda sender, results: MessagePublic(
        id="m1",
        ori=sender,
        key="DQ",
        destinations=sorted({o.destination for o in results}),
        fields={"OLN": "WDL123456789"},
        outcome="routed",
        results=results,
    ),
    oris,
    st.lists(outcomes, max_size=6),
)
readers = st.one_of(
    st.builds(lambda ori: Identity("k", ori=ori), oris),
    st.builds(lambda scope: Identity("k", admin_scope=scope), st.sampled_from([*STATES, "*"])),
)


def _expected_whole(reader: Identity, message: MessagePublic) -> bool:
    return reader.admin_scope == "*" or reader.ori == message.ori


@given(messages, readers)
def test_each_reader_sees_its_share_and_nothing_of_the_rest(
    message: MessagePublic, reader: Identity
) -> None:
    view = project(reader, message)
    if _expected_whole(reader, message):
        assert view == message
        return
    scope = reader.admin_scope
    sender_state = (message.ori or "")[:2]
    states = {o.state for o in message.results}
    if scope is None or (scope != sender_state and scope not in states):
        assert view is None
        return
    assert view is not None
    # The message itself is the same; only the outcomes change.
    assert view.model_dump(exclude={"results"}) == message.model_dump(exclude={"results"})
    assert len(view.results) == len(message.results)
    for seen, whole in zip(view.results, message.results, strict=True):
        if whole.state == scope:
            assert seen == whole
        else:
            assert seen == OutcomeWithheld(destination=whole.destination, state=whole.state)
            assert seen.model_dump() == {
                "destination": whole.destination,
                "state": whole.state,
                "status": "routed",
            }
    if all(o.state != scope for o in message.results):
        assert SECRET not in view.model_dump_json()


def _event(**extra: object) -> dict[str, object]:
    return {
        "seq": 7,
        "type": "message",
        "at": "2026-01-01T00:00:00+00:00",
        "text": "DQ.NY0303000.NL.TXTOLN/WDL123456789",
        "sender": {"ori": "NY0303000", "state": "NY", "name": "NYPD"},
        "status_code": 200,
        "forwarded": False,
        "id": "m1",
        "key": "DQ",
        "ori": "NY0303000",
        "results": [
            {
                "destination": "WA",
                "decision": "permit",
                "rule": None,
                "reason": "default",
                "policy_version": "sha256:1",
                "status": "answered",
                "latency_ms": 1.0,
                "response": {"key": "DR", "text": SECRET, "fields": {"SOC": "000621789"}},
            }
        ],
        "summary": {"hit": ["WA"], "no_hit": ["OR", "CA"], "no_response": [], "denied": ["VT"]},
        **extra,
    }


def test_an_nl_event_keeps_the_state_admins_own_share_of_its_summary() -> None:
    oregon = project_event(Identity("k", admin_scope="OR"), _event())
    assert oregon is not None
    assert [r.model_dump() for r in oregon.results] == [
        {"destination": "WA", "state": "WA", "status": "routed"}
    ]
    assert oregon.summary == SummaryPublic(no_hit=["OR"])
    assert SECRET not in oregon.model_dump_json()
    whole = project_event(Identity("k", admin_scope="*"), _event())
    assert whole is not None and whole.summary is not None and whole.summary.denied == ["VT"]
    assert SECRET in whole.model_dump_json()
    # Texas is neither sender nor destination: nothing at all.
    assert project_event(Identity("k", admin_scope="TX"), _event()) is None


def test_a_refusal_event_names_its_sender_only_in_the_directory_entry() -> None:
    refused = {
        "seq": 8,
        "sender": {"ori": "NY0303000", "state": "NY"},
        "status_code": 422,
        "id": "m2",
        "error": {"code": ".14.", "message": "no text", "er_text": "ER ..."},
    }
    assert project_event(Identity("k", admin_scope="NY"), refused) is not None
    assert project_event(Identity("k", admin_scope="WA"), refused) is None


def test_an_event_that_does_not_read_is_sent_to_no_one() -> None:
    broken = _event(results=[{"destination": "WA", "decision": "maybe", "status": "answered"}])
    assert project_event(Identity("k", admin_scope="*"), broken) is None
    assert project_event(Identity("k", admin_scope="WA"), {"id": "m3"}) is None


def test_an_event_carries_only_what_the_model_names() -> None:
    view = project_event(Identity("k", admin_scope="*"), _event(secret_key="sw_x"))
    assert view is not None and "sw_x" not in view.model_dump_json()


def test_reader_gets_flow_event_type_back() -> None:
    parsed = FlowEvent.model_validate(_event())
    assert isinstance(project(Identity("k", admin_scope="NY"), parsed), FlowEvent)


_RELAY = {
    "state": "WA",
    "pattern": "287g-relay",
    "score": 6,
    "refused_id": "m0",
    "refused_ori": "VTICE0900",
    "refused_component": "ICE-ERO",
    "minutes_after": 60,
    "evidence": ["AZ0110000 holds a 287(g) agreement"],
    "summary": "may be for ICE: 287(g), 60 min after a refusal",
}


def test_a_relay_flag_is_read_by_its_states_admins_only() -> None:
    event = _event(relays=[_RELAY])
    whole = project_event(Identity("k", admin_scope="*"), event)
    washington = project_event(Identity("k", admin_scope="WA"), event)
    new_york = project_event(Identity("k", admin_scope="NY"), event)  # the sender's state
    sender = project_event(Identity("k", ori="NY0303000"), event)
    assert whole is not None and [r.pattern for r in whole.relays] == ["287g-relay"]
    assert washington is not None and [r.refused_id for r in washington.relays] == ["m0"]
    assert new_york is not None and new_york.relays == []
    assert sender is not None and sender.relays == []
