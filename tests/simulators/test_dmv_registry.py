from __future__ import annotations

import doctest
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import simulators.dmv
from simulators.dmv import StateDMV, builtin_dmvs
from simulators.dmv.records import RecordMaker
from switch.directory.jurisdictions import JURISDICTIONS, dmv_ori
from switch.messages.model import QUERY_KEYS
from tests.simulators.cases import TODAY

DERIVATIONS = ("name", "identity", "driver", "history", "owner", "vehicle")


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Counts every record derivation, by kind."""
    counts: Counter[str] = Counter()

    def counting(kind: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: RecordMaker, *args: Any) -> Any:
            counts[kind] += 1
            return method(self, *args)

        return wrapper

    for kind in DERIVATIONS:
        monkeypatch.setattr(RecordMaker, kind, counting(kind, getattr(RecordMaker, kind)))
    yield counts


def test_one_dmv_per_jurisdiction() -> None:
    dmvs = builtin_dmvs(seed=3, today=TODAY)
    assert set(dmvs) == set(JURISDICTIONS)
    for state, dmv in dmvs.items():
        assert (dmv.state, dmv.ori, dmv.seed) == (state, dmv_ori(state), 3)
        assert dmv.supports == QUERY_KEYS
        assert dmv.drivers >= 10_000


def test_building_every_dmv_derives_no_record(derivations: Counter[str]) -> None:
    # Start-up speed without a timed test: construction must do no per-record work.
    dmvs = builtin_dmvs()
    assert sum(derivations.values()) == 0
    wa = dmvs["WA"]
    wa.answer("DQ", {"OLN": "WDL000000000"})
    assert sum(derivations.values()) == 0


def test_an_oln_lookup_derives_only_its_record(derivations: Counter[str]) -> None:
    wa = StateDMV("WA", today=TODAY)
    oln = wa.driver(42)["OLN"]
    derivations.clear()
    wa.answer("DQ", {"OLN": oln})
    wa.answer("DQ", {"OLN": oln})
    assert derivations["driver"] == 0  # cached
    wa.answer("DQ", {"OLN": wa.driver(43)["OLN"]})
    assert derivations["driver"] == 1
    assert derivations["name"] == 0  # no name index for an OLN query


def test_the_name_index_is_built_once_from_names_only(derivations: Counter[str]) -> None:
    wa = StateDMV("WA", today=TODAY)
    wa.answer("DNQ", {"NAM": "SMITH,JOHN"})
    assert derivations["name"] == wa.drivers
    assert derivations["driver"] <= 5  # only the candidates returned
    wa.answer("DNQ", {"NAM": "JONES,MARY"})
    assert derivations["name"] == wa.drivers


def test_the_public_api_is_importable() -> None:
    # ruff (RUF022) keeps __all__ sorted; this keeps it honest.
    assert len(set(simulators.dmv.__all__)) == len(simulators.dmv.__all__)
    for name in simulators.dmv.__all__:
        assert hasattr(simulators.dmv, name)


def test_the_package_example_runs() -> None:
    result = doctest.testmod(simulators.dmv)
    assert result.attempted > 0 and result.failed == 0
