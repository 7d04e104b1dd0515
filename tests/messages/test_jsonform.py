from __future__ import annotations

import json

import pytest

from switch.errors import InvalidFormat, MessageError
from switch.messages import from_json, parse, to_json

from .cases import BAD, GOOD, Bad, Good


@pytest.mark.parametrize("case", GOOD, ids=lambda case: case.text[:24])
def test_json_form_maps_one_to_one(case: Good) -> None:
    data = to_json(case.message)
    assert from_json(data, case.message.ori) == case.message
    # The JSON survives the wire unchanged.
    assert from_json(json.loads(json.dumps(data)), case.message.ori) == case.message


def test_json_shape() -> None:
    message = parse("DQ.NY0303000.WA,OR.*K7F2.TXTOLN/X1.IMQ/Y")
    assert to_json(message) == {
        "key": "DQ",
        "dest": ["WA", "OR"],
        "fields": {"OLN": "X1", "IMQ": "Y"},
        "control": "K7F2",
    }
    assert "control" not in to_json(parse("DQ.NY0303000.WA.TXTOLN/X1"))


def test_null_control_means_none() -> None:
    data = {"key": "DQ", "dest": ["WA"], "fields": {"OLN": "1"}, "control": None}
    assert from_json(data, "NY0303000").control is None


def _as_json(text: str) -> dict[str, object] | None:
    """The JSON a sender would have written for a bad text, if the mistake
    is not in the text layout itself (dots, slashes, the TXT marker)."""
    parts = text.strip().split(".", 3)
    if len(parts) < 4:
        return None
    key, _ori, dests, rest = parts
    control = None
    if rest.startswith("*"):
        control, _, rest = rest[1:].partition(".")
    if not rest.startswith("TXT"):
        return None
    body = rest[3:].removeprefix("\n").removeprefix("\r\n")
    if key == "AM":
        fields = {"TXT": body.strip()} if body.strip() else {}
    else:
        items = [item.partition("/") for item in body.split(".")] if body else []
        fields = {prefix: value for prefix, _, value in items}
        if any(not slash for _, slash, _ in items) or len(fields) != len(items):
            return None
    data: dict[str, object] = {"key": key, "dest": dests.split(","), "fields": fields}
    if control is not None:
        data["control"] = control
    return data


JSON_BAD = [(case, data) for case in BAD if (data := _as_json(case.text)) is not None]


def test_most_bad_cases_have_a_json_form() -> None:
    assert len(JSON_BAD) > len(BAD) * 3 // 4


@pytest.mark.parametrize(("case", "data"), JSON_BAD, ids=[case.id for case, _ in JSON_BAD])
def test_bad_messages_get_the_same_code_in_json(case: Bad, data: dict[str, object]) -> None:
    with pytest.raises(MessageError) as raised:
        from_json(data, case.text.strip().split(".")[1])
    assert raised.value.code == case.code


@pytest.mark.parametrize(
    "data",
    [
        None,
        "DQ.NY0303000.WA.TXTOLN/1",
        ["DQ"],
        {},
        {"key": "DQ", "dest": ["WA"]},
        {"key": "DQ", "dest": ["WA"], "fields": {"OLN": "1"}, "ori": "NY0303000"},
        {"key": 1, "dest": ["WA"], "fields": {"OLN": "1"}},
        {"key": "DQ", "dest": "WA", "fields": {"OLN": "1"}},
        {"key": "DQ", "dest": ["WA", 2], "fields": {"OLN": "1"}},
        {"key": "DQ", "dest": ["WA"], "fields": [["OLN", "1"]]},
        {"key": "DQ", "dest": ["WA"], "fields": {"OLN": 1}},
        {"key": "DQ", "dest": ["WA"], "fields": {"OLN": "1"}, "control": 7},
    ],
)
def test_malformed_json_is_invalid_format_quoting_the_json(data: object) -> None:
    with pytest.raises(InvalidFormat) as raised:
        from_json(data, "NY0303000")
    assert raised.value.offending == json.dumps(data, separators=(",", ":"))[:100]


def test_unserialisable_input_still_gets_an_er() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(InvalidFormat) as raised:
        from_json(loop, "NY0303000")
    assert raised.value.offending == "list"


def test_validation_errors_quote_the_rendered_text() -> None:
    data = {"key": "DQ", "dest": ["WA"], "fields": {"NAM": "DOE,JOHN", "SEX": "M"}}
    with pytest.raises(MessageError) as raised:
        from_json(data, "NY0303000")
    assert raised.value.code == ".05."
    assert raised.value.offending == "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.SEX/M"


def test_sender_is_the_api_keys_ori() -> None:
    data = {"key": "DQ", "dest": ["WA"], "fields": {"OLN": "1"}}
    assert from_json(data, "VTICE0900").ori == "VTICE0900"
    with pytest.raises(MessageError) as raised:
        from_json(data, "NL0000000")
    assert raised.value.code == ".01."
