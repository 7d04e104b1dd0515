"""The one renderer of a flow: what `switch sim scenario`, the trainer's page
and `switch demo` (narration and live traffic) all show."""

from __future__ import annotations

from typing import Any

from simulators.scenarios import Line, flow_lines
from switch.client import Reply

DR_TEXT = "DR.VTICE0900\nTXT\nNAM/DOE,JANE\nOLN/WDL0000001"


def _reply(status: int, body: dict[str, Any]) -> Reply:
    return Reply.from_json(status, body)


def _result(**overrides: Any) -> dict[str, Any]:
    return {
        "destination": "WA",
        "decision": "permit",
        "rule": None,
        "status": "answered",
        "latency_ms": 1.25,
        "response": {"key": "DR", "text": DR_TEXT, "fields": {"OLN": "WDL0000001"}},
    } | overrides


def test_a_flow_reads_as_it_travelled_with_the_time_in_hub() -> None:
    reply = _reply(200, {"results": [_result()]})
    assert flow_lines("VTICE0900", reply) == [
        Line("permit", "VTICE0900 → hub → policy permit → WA → answered · DR 1.2 ms in hub")
    ]


def test_verbose_puts_the_answer_text_under_its_flow() -> None:
    reply = _reply(200, {"results": [_result()]})
    assert flow_lines("VTICE0900", reply, verbose=True)[1] == Line("detail", DR_TEXT)


def test_an_answer_without_records_is_not_on_file_whatever_its_key() -> None:
    empty = {"key": "RR", "text": "RR.X\nNOT ON FILE", "fields": {}}
    (line,) = flow_lines("VTICE0900", _reply(200, {"results": [_result(response=empty)]}))
    assert line.text.endswith("answered · NOT ON FILE 1.2 ms in hub")


def test_a_refused_message_shows_its_er_and_verbose_its_text() -> None:
    body = {"error": {"code": ".05.", "message": "DQ by name needs DOB", "er_text": "ER.X\n.05."}}
    lines = flow_lines("NY0303000", _reply(422, body), verbose=True)
    assert lines == [
        Line("error", "NY0303000 → hub → ER .05. (422) DQ by name needs DOB"),
        Line("detail", "ER.X\n.05."),
    ]


def _refusal(refused_by: str, key: str, sender: str) -> dict[str, Any]:
    text = f"{key}.VTICE0900\n10:00 11/20/2025 00001\n10:00 11/20/2025 00002 {sender}\nTXT\nNO"
    return _result(
        decision="deny",
        rule="wa-no-ice",
        status="rejected",
        refused_by=refused_by,
        response={"key": key, "text": text, "fields": {}},
    )


def test_a_refusal_names_the_hop_it_stopped_at_unless_it_was_nlets() -> None:
    cases = {
        ("state-switch", "ER", "WAWSP0000"): "rejected · ER · refused at WA's switch WAWSP0000",
        ("dmv", "DR", "WAOLN0000"): "rejected · DR · refused by the WA DMV WAOLN0000",
        ("nlets", "ER", "NL0000000"): "rejected · ER 1.2 ms in hub",
    }
    for (where, key, sender), words in cases.items():
        reply = _reply(200, {"results": [_refusal(where, key, sender)]})
        (line,) = flow_lines("VTICE0900", reply)
        assert line.kind == "deny" and words in line.text, line.text
        # A DMV's refusal has no record, yet it is no NOT ON FILE.
        assert "NOT ON FILE" not in line.text
