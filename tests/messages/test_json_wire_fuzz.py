"""The JSON form as it arrives on the wire: bytes, decoded, parsed, then
read by `from_json`. Whatever they hold, the reader gives a message or a
MessageError, and either one can be written to the audit and sent back as
UTF-8 (a `\\ud800` escape parses to half a character, which cannot).

test_properties.py feeds `from_json` Python values; this file starts from
the text, escapes and all.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switch.errors import MessageError
from switch.messages import Message, from_json, render, to_json

from .strategies import messages

ORI = "NY0303000"
fuzz = settings(max_examples=200, deadline=None, database=None)

# Halves of surrogate pairs, alone: what a JSON escape can name but UTF-8 cannot carry.
_halves = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"])
_text = st.lists(st.text(max_size=4) | _halves, max_size=4).map("".join)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
    max_leaves=10,
)
_member = st.sampled_from(["key", "dest", "fields", "control"])
# JSON-ish text: brackets, quotes and escapes in any order.
_jsonish = st.text(alphabet='{}[]",:\\u0d8fAZ09 .-/', max_size=120)


def read_wire(body: bytes) -> Message | MessageError | None:
    """The body as the JSON reader sees it: None when it is not JSON text at all."""
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError both
        return None
    try:
        return from_json(data, ORI)
    except MessageError as err:
        return err


def assert_writable(outcome: Message | MessageError | None) -> None:
    if isinstance(outcome, MessageError):
        outcome.er_text.encode("utf-8")
        outcome.message.encode("utf-8")
        json.dumps({"error": outcome.message, "er_text": outcome.er_text}).encode("utf-8")
    elif outcome is not None:
        render(outcome).encode("utf-8")
        assert from_json(json.loads(json.dumps(to_json(outcome))), ORI) == outcome


@fuzz
@given(_values | st.dictionaries(_member, _values, max_size=5))
def test_any_json_document(document: Any) -> None:
    assert_writable(read_wire(json.dumps(document).encode()))


@fuzz
@given(messages(), _member, _values, st.booleans())
def test_a_message_with_one_member_replaced(
    message: Message, member: str, value: Any, ascii_only: bool
) -> None:
    body = to_json(message)
    body[member] = value
    text = json.dumps(body, ensure_ascii=ascii_only)
    if not ascii_only and not _encodable(text):
        return  # a lone surrogate as raw text is not UTF-8: it never arrives
    assert_writable(read_wire(text.encode()))


@fuzz
@given(messages(), st.data())
def test_a_message_with_a_half_character_somewhere(message: Message, data: st.DataObject) -> None:
    body = to_json(message)
    fields: dict[str, str] = body["fields"]  # type: ignore[assignment]
    where = data.draw(st.sampled_from(["key", "dest", "field name", "field value", "control"]))
    half = data.draw(_halves)
    if where == "key":
        body["key"] = str(body["key"]) + half
    elif where == "dest":
        body["dest"] = [half, *body["dest"]]  # type: ignore[misc]
    elif where == "field name":
        body["fields"] = {**fields, half: "X"}
    elif where == "field value":
        name = data.draw(st.sampled_from(sorted(fields)))
        body["fields"] = {**fields, name: fields[name] + half}
    else:
        body["control"] = half
    outcome = read_wire(json.dumps(body).encode())
    assert isinstance(outcome, MessageError)
    assert_writable(outcome)


@fuzz
@given(_jsonish)
def test_json_ish_text(text: str) -> None:
    assert_writable(read_wire(text.encode()))


@pytest.mark.parametrize(
    "body",
    [
        rb'{"key":"DQ","dest":["WA"],"fields":{"OLN":"\ud800"}}',
        rb'{"key":"DQ","dest":["WA"],"fields":{"\udfff":"X1"}}',
        rb'{"key":"DQ","dest":["WA"],"fields":{"OLN":"X1"},"control":"\udc00"}',
        rb'{"key":"DQ","dest":["WA"],"fields":{"OLN":"X1"},"\ud800":1}',
        rb'{"key":5,"dest":["WA"],"fields":{"OLN":"\ud800"}}',
    ],
)
def test_half_characters_are_refused_in_words_that_can_be_sent_back(body: bytes) -> None:
    outcome = read_wire(body)
    assert isinstance(outcome, MessageError)
    assert outcome.code == ".22."
    assert_writable(outcome)


def test_a_surrogate_pair_is_one_character_and_fine() -> None:
    # U+1F600 written as its pair of escapes: whole, so not refused for that.
    outcome = read_wire(rb'{"key":"DQ","dest":["WA"],"fields":{"NAM":"DOE,JO\ud83d\ude00"}}')
    assert isinstance(outcome, MessageError)
    assert "surrogate" not in outcome.message


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
