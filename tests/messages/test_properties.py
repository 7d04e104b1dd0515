from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from switch.errors import MessageError
from switch.messages import (
    Message,
    OutputMessage,
    from_json,
    parse,
    parse_output,
    render,
    render_output,
    to_json,
)

from .cases import GOOD
from .strategies import messages, output_messages

# Modest counts keep the folder near 10 s; CI runs them on every commit anyway.
fast = settings(max_examples=100, deadline=None)
fuzz = settings(max_examples=200, deadline=None)


@fast
@given(messages())
def test_text_round_trip(message: Message) -> None:
    text = render(message)
    assert parse(text) == message
    assert render(parse(text)) == text


@fast
@given(messages(), st.sampled_from(["\n", "\r\n"]))
def test_line_break_after_txt_parses_the_same(message: Message, newline: str) -> None:
    text = render(message)
    head, marker, body = text.partition(".TXT")
    assert parse(f"{head}{marker}{newline}{body}") == message


@fast
@given(messages())
def test_json_round_trip(message: Message) -> None:
    data = json.loads(json.dumps(to_json(message)))
    assert from_json(data, message.ori) == message


@fast
@given(output_messages())
def test_output_round_trip(out: OutputMessage) -> None:
    assert parse_output(render_output(out)) == out


@fast
@given(output_messages(), st.integers(0, 10**9), st.integers(0, 10**9))
def test_output_numbers_wrap_at_100000(out: OutputMessage, number_in: int, number_out: int) -> None:
    out = replace(out, input_number=number_in, output_number=number_out)
    back = parse_output(render_output(out))
    assert (back.input_number, back.output_number) == (number_in % 100_000, number_out % 100_000)


# Fuzzing: whatever arrives, the readers answer with a MessageError or a result.

_seeds = st.sampled_from([case.text for case in GOOD]) | messages().map(render)


def _mutate(text: str, data: st.DataObject) -> str:
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        insert = data.draw(st.text(alphabet=".,/*\r\n TXT0A" + "é\x00", max_size=3))
        text = text[:at] + insert + text[at + cut :]
    return text


@fuzz
@given(st.text(max_size=200))
def test_parse_arbitrary_text(text: str) -> None:
    _only_message_errors(parse, text)


@fuzz
@given(_seeds, st.data())
def test_parse_mutated_messages(seed: str, data: st.DataObject) -> None:
    _only_message_errors(parse, _mutate(seed, data))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_member = st.sampled_from(["key", "dest", "fields", "control", "ori"])


@fuzz
@given(_json | st.dictionaries(_member, _json, max_size=5))
def test_from_json_arbitrary_values(data: object) -> None:
    _only_message_errors(lambda value: from_json(value, "NY0303000"), data)


@fuzz
@given(messages(), st.data())
def test_from_json_mutated_messages(message: Message, data: st.DataObject) -> None:
    body = to_json(message)
    member = data.draw(_member)
    body[member] = data.draw(_json | st.text(max_size=20))
    _only_message_errors(lambda value: from_json(value, message.ori), body)


@fuzz
@given(st.text(max_size=200))
def test_parse_output_arbitrary_text(text: str) -> None:
    _only_message_errors(parse_output, text)


@fuzz
@given(output_messages().map(render_output), st.data())
def test_parse_output_mutated(text: str, data: st.DataObject) -> None:
    _only_message_errors(parse_output, _mutate(text, data))


def _only_message_errors(read: Callable[[Any], object], value: object) -> None:
    # Anything but a MessageError propagates and fails the test.
    with contextlib.suppress(MessageError):
        read(value)
