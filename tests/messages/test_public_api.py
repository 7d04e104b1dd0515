from __future__ import annotations

import inspect

import switch.messages


def test_all_is_sorted_and_complete() -> None:
    names = switch.messages.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(switch.messages, name), name
    public = {
        name
        for name, value in vars(switch.messages).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(names)


def test_signatures_other_modules_rely_on() -> None:
    def params(name: str) -> list[str]:
        return list(inspect.signature(getattr(switch.messages, name)).parameters)

    assert params("parse") == ["text"]
    assert params("render") == ["message"]
    assert params("validate") == ["message"]
    assert params("from_json") == ["data", "ori"]
    assert params("to_json") == ["message"]
    assert params("render_output") == ["out"]
    assert params("parse_output")[0] == "text"
    assert params("dob_date")[0] == "value"
    assert params("error_output") == [
        "err",
        "to",
        "timestamp",
        "input_number",
        "output_number",
        "control",
    ]
