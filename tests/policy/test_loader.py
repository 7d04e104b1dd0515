"""A policy that fails validation is refused whole, with file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from switch.policy import PolicyError, load_policy_file, load_policy_text

FIXTURES = Path(__file__).parent / "fixtures"


def test_wrong_state_for_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "WA.yaml"
    path.write_text((FIXTURES / "wrong_state.yaml").read_text())
    with pytest.raises(PolicyError, match="state is NY but the file is WA's"):
        load_policy_file(path)


def test_version_is_the_content_hash() -> None:
    text = "state: WA\ntitle: t\nrules: []\n"
    first = load_policy_text(text)
    assert first.version == load_policy_text(text).version
    assert first.version != load_policy_text(text + "# changed\n").version


def test_oversized_policy_is_refused() -> None:
    with pytest.raises(PolicyError, match="256 KiB"):
        load_policy_text("state: WA\ntitle: t\n" + "#" * 300_000)
