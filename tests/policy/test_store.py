"""Policies in force: loading, hot reload, PUT, and refusing bad versions."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from switch.policy import NO_POLICY, PolicyError, PolicyStore
from tests.policy.helpers import request

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
OPEN_WA = "state: WA\ntitle: open\nrules: []\n"
BROKEN_WA = "state: WA\ntitle: broken\nrules:\n  - id: x\n    effect: deny\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("WA.yaml", "TX.yaml"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    return tmp_path


def _touch_later(path: Path, text: str) -> None:
    # Same size and same mtime tick would hide a change; push mtime forward.
    stat = path.stat()
    path.write_text(text)
    os.utime(path, (stat.st_atime, stat.st_mtime + 5))


def test_shipped_wa_denies_ice_and_tx_permits(folder: Path) -> None:
    store = PolicyStore.load(folder)
    assert store.decide(request("VTICE0900", "WA")).rule == "wa-no-ice"
    assert store.decide(request("VTICE0900", "TX")).effect == "permit"


def test_a_state_without_a_file_permits(folder: Path) -> None:
    assert PolicyStore.load(folder).decide(request("VTICE0900", "NY")) is NO_POLICY


def test_an_invalid_file_stops_the_load(folder: Path) -> None:
    (folder / "OR.yaml").write_text(BROKEN_WA.replace("WA", "OR"))
    with pytest.raises(PolicyError, match=r"OR\.yaml"):
        PolicyStore.load(folder)


def test_hot_reload_takes_a_changed_file(folder: Path) -> None:
    store = PolicyStore.load(folder)
    before = store.versions()["WA"]
    _touch_later(folder / "WA.yaml", OPEN_WA)
    [event] = store.reload_changed()
    assert event.state == "WA" and event.version != before
    assert store.decide(request("VTICE0900", "WA")).effect == "permit"
    assert store.reload_changed() == []


def test_an_invalid_change_is_refused_and_the_old_version_stays(folder: Path) -> None:
    store = PolicyStore.load(folder)
    before = store.versions()["WA"]
    _touch_later(folder / "WA.yaml", BROKEN_WA)
    [event] = store.reload_changed()
    assert event.version is None and event.problems
    assert "must give a reason" in event.problems[0].reason
    assert store.versions()["WA"] == before
    assert store.decide(request("VTICE0900", "WA")).rule == "wa-no-ice"


def test_put_writes_and_enforces_or_refuses_whole(folder: Path) -> None:
    store = PolicyStore.load(folder)
    before = store.versions()["WA"]
    with pytest.raises(PolicyError):
        store.put("WA", BROKEN_WA)
    assert store.versions()["WA"] == before
    assert (folder / "WA.yaml").read_text() != BROKEN_WA
    policy = store.put("WA", OPEN_WA)
    assert store.versions()["WA"] == policy.version != before
    assert (folder / "WA.yaml").read_text() == OPEN_WA
    assert store.reload_changed() == []  # its own write is not a change
    with pytest.raises(PolicyError, match="state is WA but the file is NY's"):
        store.put("NY", OPEN_WA)
