"""The reply in XML reads back into the JSON reply it was made from, and
is valid against the shipped switch-reply.xsd."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from switch.core.replies import response_json
from switch.messages.xmldoc import check_schema, legal, parse_element
from switch.messages.xmlreply import reply_from_xml, reply_to_xml
from tests.messages.strategies import oris, output_messages, states

WHEN = datetime(2026, 12, 1, 9, 30)
SOME = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
texts = st.text(max_size=40).filter(lambda t: legal(t) == t)


def _results() -> st.SearchStrategy[dict[str, Any]]:
    def build(
        destination: str,
        decision: str,
        rule: str | None,
        status: str,
        latency: float,
        out: Any,
        redacted: list[str],
        obligations: list[str],
    ) -> dict[str, Any]:
        result: dict[str, Any] = {
            "destination": destination,
            "decision": decision,
            "rule": rule,
            "reason": None if rule is None else f"because {rule}",
            "policy_version": "sha256:ab",
            "status": status,
            "latency_ms": latency,
            "response": response_json(out),
        }
        if redacted:
            result["redacted"] = redacted
        if obligations:
            result["obligations"] = obligations
        return result

    return st.builds(
        build,
        states | oris,
        st.sampled_from(["permit", "deny"]),
        st.none() | texts,
        st.sampled_from(["answered", "no_response", "delivered", "rejected"]),
        st.floats(0, 1e6, allow_nan=False).map(lambda f: round(f, 3)),
        st.none() | output_messages(),
        st.lists(texts, max_size=2),
        st.lists(texts, max_size=2),
    )


def _legal(value: Any) -> bool:
    """Whether every string in `value` is one XML 1.0 can carry."""
    if isinstance(value, str):
        return legal(value) == value
    if isinstance(value, dict):
        return all(_legal(k) and _legal(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_legal(v) for v in value)
    return True


@SOME
@given(oris, st.lists(_results(), max_size=3), st.booleans())
def test_a_routed_reply_reads_back(ori: str, results: list[dict[str, Any]], nl: bool) -> None:
    body: dict[str, Any] = {"id": "0" * 32, "key": "DQ", "ori": ori, "results": results}
    if nl:
        body["summary"] = {"hit": ["WA"], "no_hit": [], "no_response": ["OR", "ID"], "denied": []}
    assume(_legal(body))
    document = reply_to_xml(body, http_status=200, to=ori, when=WHEN)
    check_schema(parse_element(document), "switch-reply.xsd", "")
    assert reply_from_xml(document) == body


@SOME
@given(oris, st.sampled_from([".01.", ".03.", ".22."]), texts, st.text(max_size=300))
def test_an_error_reply_reads_back(ori: str, code: str, message: str, er_text: str) -> None:
    body: dict[str, Any] = {
        "error": {"code": code, "message": message, "er_text": er_text},
        "id": "1" * 32,
    }
    assume(_legal(body))
    document = reply_to_xml(body, http_status=422, to=ori, when=WHEN, number=7)
    check_schema(parse_element(document), "switch-reply.xsd", "")
    assert "<hdr:SendMessageNumeric>00007</hdr:SendMessageNumeric>" in document
    assert reply_from_xml(document) == body


def test_an_error_without_an_er_reads_back() -> None:
    body = {"error": {"code": "FORBIDDEN", "message": "an admin key"}, "id": "2" * 32}
    document = reply_to_xml(body, http_status=403, to=None, when=WHEN)
    assert reply_from_xml(document) == body


def test_an_accepted_reply_reads_back() -> None:
    body = {"id": "3" * 32, "key": "AM", "ori": "NY0303000", "results": []}
    assert reply_from_xml(reply_to_xml(body, http_status=202, to="NY0303000", when=WHEN)) == body
