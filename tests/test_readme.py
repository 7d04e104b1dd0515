"""Every `sh` block of the README runs as written, in a fresh folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

from simulators.mockstate import fault_from, parse_fault
from simulators.mockstate._faults import FaultType

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_has_examples() -> None:
    assert _blocks(), "README lost its sh examples"


def test_readme_examples_run_as_written(tmp_path: Path, sqlite_url: str) -> None:
    script = "set -euo pipefail\n" + "\n".join(_blocks())
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "SWITCH_DATABASE_URL": sqlite_url,
    }
    env.pop("SWITCH_KEY", None)
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,  # a bound for a loaded machine: some 30 commands, each a Python start
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "WAOLN0000" in out  # the directory listing
    assert "DR.NY0303000" in out  # the in-process DQ
    assert ".14." in out and "refused" in out  # the malformed one
    assert re.search(r"^hit: \d+", out, re.M) and re.search(r"^no hit: \d+$", out, re.M)  # NL
    assert '"key":"RQ"' in out.replace(" ", "")  # curl's JSON reply
    assert "no problems" in out and "PASS: " in out  # policy check and test
    assert "decision: DENY by wa-no-ice" in out  # explain
    assert "ny-immigration-judicial-only" in out  # the I-200 is refused
    assert "ny-immigration-judicial-release" in out  # the court's warrant opens NY
    assert "│ NY    │ VTICE0900 │" in out  # the notice owed to the driver
    assert "warrant: counts as cited: warrant JW-" in out  # explain --warrant-id says why
    assert "was issued to VTICE0900, not to NY0303000" in out
    # The loop: the draft's tests pass, its replay tightens the one CBP query
    # and is kept, the promotion carries it, the rollback restores the law.
    assert "tightened by component: CBP 1" in out and "recorded as evidence: replay" in out
    assert re.search(r"\tin force\tpromote\t.*\ton the replay's evidence$", out, re.M)
    assert re.search(r"\tpromoted\tput\t.*\tCBP too, after the 2025 reporting$", out, re.M)
    assert re.search(r"\tin force\trollback\t.*\tback to the law as written$", out, re.M)
    # The side doors: the detector catches every planted relay of the small history.
    assert "truth-recall,287g-relay,,,,,,,,,,,,1.0" in out
    assert "truth-precision,local-for-federal,,,,,,,,,,,,1.0" in out


def test_readme_plugin_example_is_the_tested_file() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    example = (ROOT / "tests" / "test_plugin_example.py").read_text()
    assert example in blocks, "README's plugin example drifted from tests/test_plugin_example.py"


def _fault_rows() -> list[list[str]]:
    """The README's fault table: [type, params, compact form, mapping] per row."""
    text = README.read_text()
    table = text.split("| type | params | `--fault` | mapping |\n|---|---|---|---|\n", 1)[1]
    rows = []
    for line in table.splitlines():
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split(" | ")])
    return rows


def test_readme_fault_table_has_every_type_and_reads_as_written() -> None:
    rows = _fault_rows()
    assert [row[0] for row in rows] == list(get_args(FaultType))
    for kind, _params, compact, mapping in rows:
        fault = fault_from(json.loads(mapping))
        assert fault.type == kind
        assert parse_fault(compact) == fault, compact


def _ignored(path: str) -> bool:
    found = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False)
    return found.returncode == 0


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout"
)
def test_what_install_and_the_examples_write_is_not_left_untracked() -> None:
    assert _ignored("build/lib/switch/__init__.py")  # `pip install .`
    outputs = re.findall(r"(?:--output|-o) (\S+)", README.read_text())
    assert outputs, "README lost its report example"
    for output in outputs:
        assert Path(output).is_absolute() or _ignored(output), output
