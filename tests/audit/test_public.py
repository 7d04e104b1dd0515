"""switch.audit.public: the shapes are the routes' declared models, the POST reply
built by hand in switch.core.replies is exactly ReplyPublic, and the client reads
every shape the projection gives."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from switch.access.keys import Identity
from switch.access.visibility import project
from switch.api.app import create_app
from switch.audit.public import (
    MessagePublic,
    OutcomePublic,
    ReplyPublic,
    ResponsePublic,
)
from switch.client import Reply, Result, StoredMessage, Withheld
from switch.core.replies import accepted_reply, error_reply, routed_reply
from switch.core.router import DestinationResult, RouteResult
from switch.errors import InvalidFormat
from switch.messages import parse
from switch.messages.model import OutputMessage
from switch.policy.decision import Decision, Obligation
from tests.utils.hubs import make_client

MESSAGE = parse("DQ.NY0303000.WA,OR.TXTOLN/WDL123456789")
STATUSES = ("answered", "rejected", "no_response", "out_of_service", "delivered", "fault")

words = st.sampled_from(["", "DOE,JOHN", "WDL123456789", "ü\u2400", 'a "quoted" \\ line\n'])
records = st.lists(
    st.dictionaries(st.sampled_from(["NAM", "OLN", "SOC"]), words, min_size=1), max_size=3
)
decisions = st.builds(
    Decision,
    effect=st.sampled_from(["permit", "deny"]),
    rules=(st.none() | words).map(lambda rule: () if rule is None else (rule,)),
    reason=st.none() | words,
    version=st.sampled_from(["none", "sha256:91eb8418e473fdc4"]),
    redact=st.lists(st.sampled_from(["ADR", "SOC"]), unique=True).map(tuple),
    obligations=st.lists(
        st.sampled_from([Obligation("report"), Obligation("notify_subject", 3)])
    ).map(tuple),
)


@st.composite
def results(draw: st.DrawFn) -> DestinationResult:
    state = draw(st.sampled_from(["WA", "OR", "NY"]))
    found = draw(st.none() | records)
    response = (
        None
        if found is None
        else OutputMessage(
            "DR", "NY0303000", f"{state}OLN0000", "X", datetime.now(UTC), 1, 2, records=tuple(found)
        )
    )
    return DestinationResult(
        state,
        state,
        draw(decisions),
        draw(st.sampled_from(STATUSES)),
        response,
        draw(st.floats(0, 60_000)),
    )


def _wire(body: dict[str, Any]) -> dict[str, Any]:
    """The body as the route sends it (orjson), read back."""
    loaded: dict[str, Any] = json.loads(orjson.dumps(body))
    return loaded


def _agrees(body: dict[str, Any]) -> None:
    wire = _wire(body)
    model = ReplyPublic.model_validate(wire, extra="forbid")
    assert model.model_dump(mode="json", exclude_unset=True) == wire


@given(st.lists(results(), max_size=4), st.booleans())
def test_the_hand_built_reply_is_reply_public(found: list[DestinationResult], multi: bool) -> None:
    _agrees(routed_reply("m1", MESSAGE, RouteResult(found, multi_state=multi)).body)


def test_accepted_and_refused_replies_are_reply_public_too() -> None:
    _agrees(accepted_reply("m2", MESSAGE).body)
    _agrees(error_reply("m3", InvalidFormat("no text", "DQ.NY0303000.WA.TXT")).body)


def test_replies_from_a_hub_are_reply_public(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, _):
        for text, params in (
            ("DQ.NY0303000.WA,OR.TXTOLN/WDL123456789", {}),
            ("DQ.VTICE0900.WA.TXTOLN/WDL123456789", {}),
            ("AM.NY0303000.VTICE0900.TXTCALL ME", {}),
            ("DQ.NY0303000.WA.TXTOLN/WDL123456789", {"wait": 0}),
            ("DQ.NY0303000.WA.TXT", {}),
        ):
            ori = text.split(".")[1]
            sent = client.post("/v1/messages", content=text, params=params, headers=keys.auth(ori))
            _agrees(sent.json())


def _response_schema(paths: dict[str, Any], path: str, method: str) -> Any:
    responses = paths[path][method]["responses"]
    return responses["200"]["content"]["application/json"]["schema"]


def test_the_routes_declare_the_public_models_in_openapi() -> None:
    schema = create_app().openapi()
    paths = schema["paths"]
    assert _response_schema(paths, "/v1/messages", "post") == {
        "$ref": "#/components/schemas/ReplyPublic"
    }
    assert _response_schema(paths, "/v1/messages/{message_id}", "get") == {
        "$ref": "#/components/schemas/MessagePublic"
    }
    assert _response_schema(paths, "/v1/audit", "get") == {
        "$ref": "#/components/schemas/AuditPagePublic"
    }
    outcome = schema["components"]["schemas"]["MessagePublic"]["properties"]["results"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in outcome["items"]["oneOf"]} == {
        "OutcomePublic",
        "OutcomeWithheld",
    }


def _stored() -> MessagePublic:
    def outcome(state: str) -> OutcomePublic:
        return OutcomePublic(
            destination=state,
            state=state,
            decision="permit",
            policy_version="sha256:1",
            warrant="none",
            status="answered",
            latency_ms=2.5,
            response=ResponsePublic(key="DR", text="DR ...", fields={"OLN": "X"}),
        )

    return MessagePublic(
        id="m1",
        ori="NY0303000",
        key="DQ",
        destinations=["WA", "OR"],
        fields={"OLN": "X"},
        outcome="routed",
        results=[outcome("WA"), outcome("OR")],
    )


def test_the_client_reads_each_projection() -> None:
    whole = StoredMessage.from_json(json.loads(_stored().model_dump_json()))
    assert all(isinstance(r, Result) for r in whole.results)
    [wa, _] = whole.results
    assert isinstance(wa, Result)
    assert (wa.state, wa.warrant, wa.decision) == ("WA", "none", "permit")
    oregon = project(Identity("k", admin_scope="OR"), _stored())
    assert oregon is not None
    seen = StoredMessage.from_json(json.loads(oregon.model_dump_json()))
    assert seen.results[0] == Withheld(destination="WA", state="WA")
    assert isinstance(seen.results[1], Result) and seen.results[1].response is not None
    reply = ReplyPublic(id="m1", key="DQ", ori="NY0303000", results=_stored().results)
    parsed = Reply.from_json(200, json.loads(reply.model_dump_json()))
    assert [(r.destination, r.status) for r in parsed.results] == [
        ("WA", "answered"),
        ("OR", "answered"),
    ]
