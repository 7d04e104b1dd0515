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
