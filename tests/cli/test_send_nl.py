"""`switch send` of an NL query: the hits in full, then the other states
counted in a few lines, as an operator reads them."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from switch.cli import app, send
from switch.directory import JURISDICTIONS

runner = CliRunner()
TEXT = "DQ.NY0303000.NL.TXTNAM/MARTIN,CESAR.DOB/19951003.SEX/M"
DR = "DR.NY0303000\nTXT\nNAM/MARTIN,CESAR JARED\nOLN/WDLL7CW24W15"


def _result(state: str, status: str, *, deny: str | None = None, text: str = "") -> dict[str, Any]:
    return {
        "destination": state,
        "decision": "deny" if deny else "permit",
        "rule": deny,
        "status": status,
        "response": {"key": "DR", "text": text} if text else None,
    }


def _reply(hit: list[str], no_response: dict[str, str], denied: dict[str, str]) -> dict[str, Any]:
    """The hub's JSON for an NL query: NO HITs are left out of `results`."""
    results = [_result(s, "answered", text=DR) for s in hit]
    results += [_result(s, status) for s, status in no_response.items()]
    results += [_result(s, "rejected", deny=rule) for s, rule in denied.items()]
    others = set(hit) | set(no_response) | set(denied)
    summary = {
        "hit": hit,
        "no_hit": [s for s in JURISDICTIONS if s not in others],
        "no_response": list(no_response),
        "denied": list(denied),
    }
    return {"id": "m1", "key": "DQ", "ori": "NY0303000", "results": results, "summary": summary}


def _send(monkeypatch: pytest.MonkeyPatch, body: dict[str, Any]) -> tuple[int, list[str]]:
    async def fake_local(
        text: str, ori: str, wait: float, form: str = "text"
    ) -> tuple[int, dict[str, Any]]:
        assert (text, ori, form) == (TEXT, "NY0303000", "text")
        return 200, body

    monkeypatch.setattr(send, "_send_local", fake_local)
    result = runner.invoke(app, ["send", TEXT, "--as", "NY0303000"])
    assert result.stderr == ""
    return result.exit_code, result.stdout.splitlines()


def test_hits_first_then_the_other_states_in_a_few_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    body = _reply(
        ["WA"],
        {"OR": "out_of_service", "TX": "no_response"},
        {"MA": "ma-no-ice"},
    )
    # Exit 1: a state's policy denied it.
    assert _send(monkeypatch, body) == (
        1,
        [
            "message m1 (200)",
            "WA: permit · answered",
            "DR.NY0303000",
            "TXT",
            "NAM/MARTIN,CESAR JARED",
            "OLN/WDLL7CW24W15",
            "hit: 1 (WA)",
            "no hit: 48",
            "no answer: 2 (OR out of service, TX no response)",
            "denied: 1 (MA ma-no-ice)",
        ],
    )


def test_many_states_without_an_answer_are_counted_not_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    silent = {s: "no_response" for s in sorted(JURISDICTIONS)[:40]}
    body = _reply([], silent, {})
    assert _send(monkeypatch, body) == (
        0,
        [
            "message m1 (200)",
            "hit: 0",
            "no hit: 12",
            "no answer: 40",
            "denied: 0",
        ],
    )


def test_a_reply_to_named_states_still_shows_every_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = {
        "id": "m2",
        "results": [_result("WA", "answered", text="DR.NY0303000"), _result("OR", "fault")],
    }
    assert _send(monkeypatch, body) == (
        0,
        [
            "message m2 (200)",
            "WA: permit · answered",
            "DR.NY0303000",
            "OR: permit · fault",
        ],
    )
