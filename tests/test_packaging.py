"""The wheel ships the states' policies, and a switch installed from it
enforces them from any folder: ICE gets no Washington data.

The wheel is built from a copy of the source tree (as `pip wheel .`), and
run unzipped, with only its dependencies beside it: no ./policies, no
SWITCH_POLICIES, no checkout to fall back on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "README.md", "switch", "simulators", "policies")
RUN_CLI = "import sys; sys.argv[0] = 'switch'; from switch.cli import main; main()"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        elif (ROOT / name).exists():
            shutil.copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    [path] = out.glob("switch-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


@pytest.fixture
def elsewhere(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    yield folder


def _run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # -S: no site-packages of ours (the editable install would find the
    # checkout); the dependencies come from it by PYTHONPATH, after the wheel.
    dependencies = sysconfig.get_paths()["purelib"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCH_")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), dependencies])
    env["SWITCH_DATABASE_URL"] = f"sqlite:///{cwd / 'switch.db'}"
    return subprocess.run(
        [sys.executable, "-S", "-c", RUN_CLI, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
        check=False,
    )


def test_the_wheel_holds_every_policy_file_as_in_the_repository(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        shipped = {n: archive.read(n) for n in names if n.startswith("switch_policies/")}
    expected = {
        f"switch_policies/{path.relative_to(ROOT / 'policies').as_posix()}": path.read_bytes()
        for path in (ROOT / "policies").rglob("*")
        if path.is_file() and path.suffix in (".yaml", ".json", ".md")
    }
    assert len(expected) > 100  # 52 states, their tests, a candidate, the schema
    assert shipped == expected
    assert not any(n.startswith("policies/") for n in names)


def test_the_wheel_holds_the_nlets_xml_schemas(wheel: Path) -> None:
    folder = ROOT / "switch" / "messages" / "xsd"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for path in folder.glob("*.xsd"):
            name = f"switch/messages/xsd/{path.name}"
            assert name in names
            assert archive.read(name) == path.read_bytes()
    assert len(list(folder.glob("*.xsd"))) == 4


def test_the_installed_switch_denies_ice_washington_data_from_any_folder(
    installed: Path, elsewhere: Path
) -> None:
    which = _run(installed, elsewhere, "policy", "check")
    assert which.returncode == 0, which.stderr
    assert which.stdout.splitlines() == ["53 policy file(s) checked: no problems"]
    sent = _run(
        installed, elsewhere, "send", "DQ.VTICE0900.WA.TXTOLN/251521899", "--as", "VTICE0900"
    )
    assert sent.returncode == 1, sent.stderr
    assert "WA: deny rule wa-no-ice · rejected" in sent.stdout.splitlines()
    assert not (elsewhere / "policies").exists()


def test_the_installed_switch_finds_its_policies_in_its_own_package(
    installed: Path, elsewhere: Path
) -> None:
    shown = _run(
        installed,
        elsewhere,
        "policy",
        "explain",
        "--to",
        "WA",
        "--from",
        "VTICE0900",
        "--json",
    )
    assert shown.returncode == 0, shown.stderr
    assert f'"source": "{installed / "switch_policies" / "WA.yaml"}"' in shown.stdout
