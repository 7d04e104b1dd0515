from __future__ import annotations

import doctest
import inspect

import simulators.traffic


def test_all_is_complete() -> None:
    names = simulators.traffic.__all__
    public = {
        name
        for name, value in vars(simulators.traffic).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(names) and len(names) == len(set(names))


def test_docstring_example_runs() -> None:
    result = doctest.testmod(simulators.traffic)
    assert result.attempted > 0 and result.failed == 0
