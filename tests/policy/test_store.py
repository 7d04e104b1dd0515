"""Policies in force: loading, hot reload, PUT, and refusing bad versions."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switch.directory import JURISDICTIONS
from switch.errors import NotFoundError
from switch.policy import NO_POLICY, PolicyError, PolicyStore, UnknownState, policy_version
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


def test_a_new_version_is_validated_whole_and_installed_without_a_file(folder: Path) -> None:
    shipped = (folder / "WA.yaml").read_bytes()
    store = PolicyStore.load(folder)
    before = store.versions()["WA"]
    with pytest.raises(PolicyError):
        store.validate("WA", BROKEN_WA)
    assert store.versions()["WA"] == before
    policy = store.validate("WA", OPEN_WA)
    store.install(policy)
    assert store.versions()["WA"] == policy.version != before
    assert (folder / "WA.yaml").read_bytes() == shipped
    assert store.reload_changed() == []
    with pytest.raises(PolicyError, match="state is WA but the file is NY's"):
        store.validate("NY", OPEN_WA)


def test_a_same_size_edit_that_keeps_the_old_mtime_is_picked_up(folder: Path) -> None:
    # What `cp -p` and `rsync -t` do: new content, the old file's times.
    path = folder / "WA.yaml"
    store = PolicyStore.load(folder)
    old = path.read_text()
    new = old.replace("wa-no-ice", "wa-no-icf")
    assert len(new.encode()) == len(old.encode())
    before = path.stat()
    path.write_text(new)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    [event] = store.reload_changed()
    assert event.state == "WA" and event.version == policy_version(new)
    assert store.decide(request("VTICE0900", "WA")).rule == "wa-no-icf"


def test_a_file_refused_at_start_fails_its_state_closed_and_the_others_run(
    folder: Path,
) -> None:
    (folder / "WA.yaml").write_text(BROKEN_WA)
    store = PolicyStore.load(folder, strict=False)
    denied = store.decide(request("VTICE0900", "WA"))
    reason = "rules.0: a deny rule must give a reason: the requester is told it"
    assert (denied.effect, denied.rule, denied.version) == ("deny", "policy-refused", "refused")
    assert (
        denied.reason == f"no valid policy in force, so every query is denied: WA.yaml:4: {reason}"
    )
    assert store.decide(request("NY0303000", "WA")).effect == "deny"
    assert store.decide(request("VTICE0900", "TX")).effect == "permit"
    assert store.failing_closed() == ["WA"]
    assert store.problems() == [f"WA.yaml:4: {reason}"]
    with pytest.raises(NotFoundError, match="no valid policy in force for WA"):
        store.require("WA")


def test_a_state_failing_closed_opens_again_once_its_file_is_valid(folder: Path) -> None:
    shipped = (folder / "WA.yaml").read_text()
    (folder / "WA.yaml").write_text(BROKEN_WA)
    store = PolicyStore.load(folder, strict=False)
    (folder / "WA.yaml").write_text(shipped)
    [event] = store.reload_changed()
    assert event.version == policy_version(shipped)
    assert store.decide(request("VTICE0900", "WA")).rule == "wa-no-ice"
    assert store.decide(request("NY0303000", "WA")).effect == "permit"
    assert (store.failing_closed(), store.problems()) == ([], [])


def test_a_refused_reload_keeps_the_version_and_is_reported_until_fixed(folder: Path) -> None:
    shipped = (folder / "WA.yaml").read_text()
    store = PolicyStore.load(folder, strict=False)
    before = store.versions()["WA"]
    (folder / "WA.yaml").write_text(BROKEN_WA)
    store.reload_changed()
    assert store.versions()["WA"] == before
    assert store.failing_closed() == []
    assert store.problems() == [
        "WA.yaml:4: rules.0: a deny rule must give a reason: the requester is told it"
    ]
    assert store.reload_changed() == []  # the same broken text is not read again
    (folder / "WA.yaml").write_text(shipped)
    assert store.reload_changed() == []  # the version in force: nothing to install
    assert store.problems() == []


def test_a_put_puts_a_state_failing_closed_in_force(folder: Path) -> None:
    (folder / "WA.yaml").write_text(BROKEN_WA)
    store = PolicyStore.load(folder, strict=False)
    store.install(store.validate("WA", OPEN_WA))
    assert store.decide(request("VTICE0900", "WA")).effect == "permit"
    assert store.failing_closed() == []
    # The file on disk is still broken, and still reported: a PUT never writes it.
    assert store.problems() == [
        "WA.yaml:4: rules.0: a deny rule must give a reason: the requester is told it"
    ]


def test_a_refused_candidate_is_reported_and_the_enforced_version_decides(
    folder: Path,
) -> None:
    (folder / "candidates").mkdir()
    (folder / "candidates" / "WA.yaml").write_text(BROKEN_WA)
    store = PolicyStore.load(folder, strict=False)
    assert store.candidate("WA") is None and store.failing_closed() == []
    assert store.decide(request("VTICE0900", "WA")).rule == "wa-no-ice"
    [problem] = store.problems()
    assert problem.startswith("candidates/WA.yaml:4: ")


@pytest.mark.parametrize("state", ["ZZ", "XX", "NL", "WAS", ""])
def test_a_policy_for_no_jurisdiction_is_refused(folder: Path, state: str) -> None:
    store = PolicyStore.load(folder)
    with pytest.raises(UnknownState) as refused:
        store.validate(state, OPEN_WA.replace("WA", state))
    assert refused.value.code == "UNKNOWN_STATE" and refused.value.http_status == 422
    assert sorted(p.name for p in folder.iterdir()) == ["TX.yaml", "WA.yaml"]


@given(st.text(max_size=12).filter(lambda code: code not in JURISDICTIONS))
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_text_but_a_jurisdiction_is_a_state_to_write(folder: Path, code: str) -> None:
    store = PolicyStore(folder)
    with pytest.raises(UnknownState):
        store.validate(code, OPEN_WA)
    assert sorted(p.name for p in folder.iterdir()) == ["TX.yaml", "WA.yaml"]


def test_a_folder_named_candidates_given_as_the_policy_folder_holds_policies(
    tmp_path: Path,
) -> None:
    # Where a hub's SWITCH_POLICIES points is its policy folder, whatever its name.
    folder = tmp_path / "candidates"
    folder.mkdir()
    shutil.copy(SHIPPED / "candidates" / "OR.yaml", folder / "OR.yaml")
    store = PolicyStore.load(folder)
    assert set(store.versions()) == {"OR"} and store.candidate_versions() == {}
