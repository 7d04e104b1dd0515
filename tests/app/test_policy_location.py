"""Where a hub finds its policies, and that it will not start without any:
SWITCH_POLICIES, else ./policies, else the policies shipped with the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import switch.settings
from switch.app.runtime import Runtime, find_policies
from switch.cli import app
from switch.policy import NoPolicies
from switch.serving.server import free_port
from switch.settings import Settings, packaged_policies, policy_location

SWITCH = Path(sys.executable).parent / "switch"
SHIPPED = Path(__file__).resolve().parents[2] / "policies"
runner = CliRunner()


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, and no SWITCH_POLICIES."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("SWITCH_POLICIES", raising=False)
    return folder


def _copy(target: Path) -> Path:
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns("tests", "candidates"))
    return target


def test_the_package_ships_the_repository_policies() -> None:
    # Installed editable here: the package's policies are the repository's own folder.
    assert packaged_policies() == SHIPPED


def test_switch_policies_wins_then_the_working_directory_then_the_package(
    elsewhere: Path, tmp_path: Path
) -> None:
    shipped = policy_location(Settings())
    assert (shipped.folder, shipped.origin) == (SHIPPED, "package")
    assert str(shipped) == f"{SHIPPED} (shipped with the package)"
    here = _copy(elsewhere / "policies")
    local = policy_location(Settings())
    assert (local.folder, local.origin) == (Path("policies"), "working directory")
    assert str(local) == f"{here} (policies/ in the working directory)"
    given = _copy(tmp_path / "given")
    chosen = policy_location(Settings(policies=given))
    assert (chosen.folder, chosen.origin) == (given, "SWITCH_POLICIES")


def test_a_switch_policies_that_is_no_folder_is_not_passed_over(elsewhere: Path) -> None:
    _copy(elsewhere / "policies")
    with pytest.raises(NoPolicies) as refused:
        find_policies(Settings(policies=elsewhere / "missing"))
    assert refused.value.message == (
        f"no policies found (looked at SWITCH_POLICIES={elsewhere / 'missing'}, "
        "which is not a folder)"
    )


def test_a_folder_without_policy_files_is_no_policy(elsewhere: Path) -> None:
    (elsewhere / "policies").mkdir()
    (elsewhere / "policies" / "notes.yaml").write_text("state: WA\n")
    with pytest.raises(NoPolicies) as refused:
        find_policies(Settings())
    assert refused.value.message == (
        "no policies found: no <ST>.yaml file in "
        f"{elsewhere / 'policies'} (policies/ in the working directory)"
    )


def test_a_hub_with_no_policy_anywhere_refuses_to_start(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(switch.settings, "packaged_policies", lambda: None)
    with pytest.raises(NoPolicies) as refused:
        Runtime(Settings(database_url=f"sqlite:///{elsewhere / 'hub.db'}"))
    assert refused.value.message == (
        f"no policies found (looked at {elsewhere / 'policies'} (SWITCH_POLICIES is unset); "
        "the package (switch_policies))"
    )
    # Refused before anything was opened.
    assert not (elsewhere / "hub.db").exists()


def test_send_in_process_with_no_policies_fails_in_one_line(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCH_POLICIES", str(elsewhere))
    monkeypatch.setenv("SWITCH_DATABASE_URL", f"sqlite:///{elsewhere / 'hub.db'}")
    result = runner.invoke(app, ["send", "DQ.VTICE0900.WA.TXTOLN/1", "--as", "VTICE0900"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: no policies found: no <ST>.yaml file in {elsewhere} (from SWITCH_POLICIES)"
    ]


def _serve(folder: Path, policies: Path | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SWITCH_POLICIES"}
    if policies is not None:
        env["SWITCH_POLICIES"] = str(policies)
    env["SWITCH_DATABASE_URL"] = f"sqlite:///{folder / 'hub.db'}"
    return subprocess.run(
        [str(SWITCH), "serve", "--port", "1"],  # never reached: refused before listening
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
        env=env,
        check=False,
    )


def test_serve_with_no_policies_fails_in_one_line_saying_where_it_looked(
    elsewhere: Path,
) -> None:
    done = _serve(elsewhere, elsewhere / "nowhere")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: no policies found (looked at SWITCH_POLICIES={elsewhere / 'nowhere'}, "
        "which is not a folder)"
    ]
    empty = elsewhere / "empty"
    empty.mkdir()
    done = _serve(elsewhere, empty)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: no policies found: no <ST>.yaml file in {empty} (from SWITCH_POLICIES)"
    ]


def test_policy_verbs_use_the_packaged_policies_when_no_folder_is_found(
    elsewhere: Path,
) -> None:
    check = runner.invoke(app, ["policy", "check"])
    assert check.exit_code == 0, check.stderr
    assert check.stdout.splitlines() == ["53 policy file(s) checked: no problems"]
    explain = runner.invoke(app, ["policy", "explain", "--to", "WA", "--from", "VTICE0900"])
    assert explain.exit_code == 0, explain.stderr
    decision, where = explain.stdout.splitlines()[-2:]
    assert decision.startswith("decision: DENY by wa-no-ice: ")
    assert where == "  refused at: WA's own switch, ACCESS (ER .02. from its control terminal)"
    tests = runner.invoke(app, ["policy", "test"])
    assert tests.exit_code == 0, tests.stdout
    assert tests.stdout.splitlines()[-1].startswith("PASS: ")


def test_policy_verbs_with_no_policy_anywhere_say_where_they_looked(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(switch.settings, "packaged_policies", lambda: None)
    result = runner.invoke(app, ["policy", "explain", "--to", "WA", "--from", "VTICE0900"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: no policies found (looked at {elsewhere / 'policies'} (SWITCH_POLICIES is "
        "unset); the package (switch_policies)); give --policies or set SWITCH_POLICIES"
    ]


def test_serve_names_the_policy_folder_on_its_first_line(elsewhere: Path) -> None:
    given = _copy(elsewhere / "given")
    env = {**os.environ, "SWITCH_POLICIES": str(given)}
    env["SWITCH_DATABASE_URL"] = f"sqlite:///{elsewhere / 'hub.db'}"
    hub = subprocess.Popen(
        [str(SWITCH), "serve", "--port", str(free_port())],
        cwd=elsewhere,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert hub.stderr is not None
        assert hub.stderr.readline() == f"policies: {given} (from SWITCH_POLICIES)\n"
    finally:
        hub.terminate()
        hub.communicate(timeout=30)
