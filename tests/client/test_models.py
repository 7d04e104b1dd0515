"""Reading the hub's JSON into the client's types, and the public API."""

from __future__ import annotations

import inspect

import switch.client
from switch.client import Reply, Response, Result, SwitchErrorInfo

PERMIT = {
    "destination": "NY",
    "decision": "permit",
    "rule": "ny-protect",
    "reason": None,
    "policy_version": "sha256:abc",
    "status": "answered",
    "latency_ms": 1.25,
    "response": {
        "key": "DNR",
        "text": "DNR.NY0303000 ...",
        "fields": {"NAM": "DOE,JOHN"},
        "records": [{"NAM": "DOE,JOHN"}, {"NAM": "DOE,JOHN A"}],
    },
    "redacted": ["ADR"],
    "obligations": ["notify_subject(3)", "report"],
}
DENY = {
    "destination": "WA",
    "decision": "deny",
    "rule": "wa-no-ice",
    "reason": "Keep Washington Working",
    "policy_version": "sha256:def",
    "status": "rejected",
    "latency_ms": 0.5,
    "response": None,
}


def test_reply_from_json_keeps_every_part() -> None:
    body = {
        "id": "m1",
        "key": "DNQ",
        "ori": "VTICE0900",
        "results": [PERMIT, DENY],
        "summary": {"hit": ["NY"], "no_hit": [], "no_response": [], "denied": ["WA"]},
    }
    reply = Reply.from_json(200, body)
    assert (reply.id, reply.key, reply.ori, reply.ok) == ("m1", "DNQ", "VTICE0900", True)
    permit, deny = reply.results
    assert permit.redacted == ("ADR",) and permit.obligations == ("notify_subject(3)", "report")
    assert permit.response is not None and len(permit.response.records) == 2
    assert permit.response.fields == {"NAM": "DOE,JOHN"}
    assert (deny.permitted, deny.rule, deny.response) == (False, "wa-no-ice", None)
    assert reply.summary is not None and reply.summary["denied"] == ("WA",)
    assert reply.raw == body


def test_error_body_is_an_er_only_with_an_nlets_code() -> None:
    er = Reply.from_json(422, {"error": {"code": ".05.", "message": "bad dob", "er_text": "x"}})
    assert er.error == SwitchErrorInfo(".05.", "bad dob", "x") and er.error.is_er
    assert er.results == () and not er.ok
    word = SwitchErrorInfo.from_json({"error": {"code": "UNAUTHORIZED", "message": "no"}})
    assert word is not None and not word.is_er and word.er_text is None
    assert SwitchErrorInfo.from_json({"id": "x"}) is None


def test_response_without_records_is_its_fields_or_nothing() -> None:
    one = Response.from_json({"key": "DR", "text": "t", "fields": {"OLN": "1"}})
    assert one is not None and one.records == ({"OLN": "1"},) and one.hit
    none = Response.from_json({"key": "DR", "text": "NOT ON FILE", "fields": {}})
    assert none is not None and none.records == () and not none.hit
    assert Response.from_json(None) is None
    assert Result.from_json(DENY).response is None


def test_all_is_sorted_and_complete() -> None:
    names = switch.client.__all__
    assert names == sorted(names)
    public = {
        name
        for name, value in vars(switch.client).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(names)


def test_both_clients_have_the_same_calls() -> None:
    def calls(cls: type) -> dict[str, list[str]]:
        return {
            name: list(inspect.signature(member).parameters)
            for name, member in vars(cls).items()
            if not name.startswith("_") and callable(member)
        }

    sync = calls(switch.client.SwitchClient)
    asynchronous = calls(switch.client.AsyncSwitchClient)
    assert sync.pop("close") == asynchronous.pop("aclose") == ["self"]
    assert sync == asynchronous
    assert sync["send"] == ["self", "text", "wait"]
    assert sync["send_json"] == ["self", "key", "dest", "fields", "control", "wait"]
