"""The Directory API, against a small directory kept as a fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

import switch.directory
from switch.directory import JURISDICTIONS, Agency, Directory, DirectoryError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load(FIXTURES / "good.json")


def _isort_style(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_honest() -> None:
    exported = switch.directory.__all__
    assert exported == sorted(exported, key=_isort_style)
    public = {
        name
        for name, value in vars(switch.directory).items()
        if not name.startswith("_")
        and not isinstance(value, type(switch.directory))
        and name != "annotations"
    }
    assert set(exported) == public


def test_load_accepts_a_str_or_a_path() -> None:
    assert len(Directory.load(str(FIXTURES / "good.json"))) == len(JURISDICTIONS) + 7


def test_load_without_a_path_reads_the_shipped_directory() -> None:
    shipped = Directory.load()
    assert shipped.source.endswith("agencies.json")
    assert "VTICE0900" in shipped


def test_get_and_contains(directory: Directory) -> None:
    seattle = Agency(
        "WA0170100",
        "Seattle Police Department",
        "WA",
        "PD",
        county="King",
        region="Puget Sound",
        task_forces=("WACBP0100",),
    )
    assert directory.get("WA0170100") == seattle
    assert directory.get("wa0170100") == seattle
    assert directory.get("WA0179900") is None
    assert "WA0170100" in directory
    assert "WA0179900" not in directory
    assert 17 not in directory


def test_iterates_in_ori_order(directory: Directory) -> None:
    oris = [agency.ori for agency in directory]
    assert oris == sorted(oris)
    assert len(oris) == len(directory)


def test_dmv(directory: Directory) -> None:
    assert directory.dmv("WA").name == "Washington Department of Licensing"
    assert directory.dmv("pr").ori == "PROLN0000"
    with pytest.raises(KeyError, match="ZZ"):
        directory.dmv("ZZ")


def test_control_terminal(directory: Directory) -> None:
    assert directory.control_terminal("WA").ori == "WAWSP0000"
    with pytest.raises(KeyError, match="no control terminal for 'OR'"):
        directory.control_terminal("OR")


def test_by_state(directory: Directory) -> None:
    assert [a.ori for a in directory.by_state("WA")] == [
        "WA0170000",
        "WA0170100",
        "WACBP0100",
        "WAOLN0000",
        "WAWSP0000",
    ]
    assert directory.by_state("ZZ") == []
    assert [a.ori for a in directory.by_state("GU")] == ["GUUSM0100"]


def test_filter(directory: Directory) -> None:
    assert [a.ori for a in directory.filter(component="ice-ero")] == ["VTICE0900"]
    assert [a.ori for a in directory.filter(department="DHS", state="WA")] == ["WACBP0100"]
    assert [a.ori for a in directory.filter(type="so", tag="287g")] == ["TX2200000"]
    assert directory.filter(component="FBI") == []
    assert len(directory.filter()) == len(directory)


def test_components_and_states(directory: Directory) -> None:
    assert directory.components() == ["CBP", "ICE-ERO", "USMS"]
    assert directory.states() == sorted(JURISDICTIONS)
    assert len(directory.states()) == 52


def test_with_agencies_adds_and_validates(directory: Directory) -> None:
    mock = Agency("OR0260100", "Portland Police Bureau", "OR", "PD")
    bigger = directory.with_agencies(mock)
    assert bigger.get("OR0260100") == mock
    assert "OR0260100" not in directory
    with pytest.raises(DirectoryError, match="duplicate ORI OR0260100"):
        bigger.with_agencies(mock)


def test_agencies_built_in_memory_are_validated(directory: Directory) -> None:
    with pytest.raises(DirectoryError, match=r"entry 0 \(OR0260100\): tag '287G'"):
        Directory([Agency("OR0260100", "X", "OR", "SO", tags=("287G",))])
    with pytest.raises(DirectoryError, match="no DMV for AK"):
        Directory([])


def test_a_missing_file_is_a_directory_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(DirectoryError, match="cannot read the directory") as caught:
        Directory.load(missing)
    assert caught.value.source == str(missing)
