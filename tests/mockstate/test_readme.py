"""Every `python` block of simulators/mockstate/README.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "simulators" / "mockstate" / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_the_readme_has_examples() -> None:
    assert _blocks()


def test_the_readme_examples_run() -> None:
    for block in _blocks():
        exec(compile(block, str(README), "exec"), {})
