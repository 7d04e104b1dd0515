"""simulators.mockstate's public API: one curated `__all__`, kept honest."""

from __future__ import annotations

import inspect

import simulators.mockstate


def test_all_is_sorted_and_complete() -> None:
    names = simulators.mockstate.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(simulators.mockstate, name), name
    public = {
        name
        for name, value in vars(simulators.mockstate).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(names)


def test_signatures_the_next_layers_build_on() -> None:
    def params(name: str) -> list[str]:
        return list(inspect.signature(getattr(simulators.mockstate, name)).parameters)

    assert params("running_state") == [
        "state",
        "host",
        "port",
        "seed",
        "records",
        "faults",
        "generated",
        "start_timeout",
        "xml",
    ]
    assert params("MockStateControl") == ["url", "timeout"]
    assert params("create_app") == ["service", "xml"]
    assert params("serve") == ["service", "host", "port", "log_level", "announce", "xml"]
