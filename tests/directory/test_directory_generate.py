"""The generator and the shipped JSON never drift apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from switch.directory import generate

SHIPPED = Path(generate.__file__).parent / "data" / "agencies.json"


def test_generator_reproduces_the_shipped_json_byte_for_byte() -> None:
    assert generate.render(generate.build()).encode("utf-8") == SHIPPED.read_bytes()


def test_check_passes_on_the_shipped_json() -> None:
    assert generate.main(["--check"]) == 0


def test_output_writes_the_same_bytes(tmp_path: Path) -> None:
    target = tmp_path / "out" / "agencies.json"
    assert generate.main(["--output", str(target)]) == 0
    assert target.read_bytes() == SHIPPED.read_bytes()


def test_check_fails_on_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "agencies.json"
    stale.write_text("[]\n", encoding="utf-8")
    assert generate.main(["--check", "--output", str(stale)]) == 1
    assert "stale" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == "[]\n"


def test_build_is_deterministic() -> None:
    assert generate.render(generate.build()) == generate.render(generate.build())
