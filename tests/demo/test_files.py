"""Each demo has files of its own, and a running demo's files are never removed."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from switch.demo.files import DemoFilesBusy, claim_files


def test_each_run_has_its_own_folder_and_a_running_one_is_never_swept(tmp_path: Path) -> None:
    with claim_files(root=tmp_path) as first:
        first.database.write_text("first's audit")
        with claim_files(root=tmp_path) as second:
            assert second.database.parent != first.database.parent
            assert first.database.read_text() == "first's audit"
        ended = second.database.parent
        # A third run sweeps the second, which has ended, and not the first.
        with claim_files(root=tmp_path) as third:
            assert not ended.exists()
            assert first.database.read_text() == "first's audit"
            assert sorted(tmp_path.glob("run-*")) == sorted(
                [first.database.parent, third.database.parent]
            )
    # An ended run's files stay for `switch audit` until the next demo starts.
    assert first.database.exists()


def test_a_database_named_twice_is_refused_while_its_demo_runs(tmp_path: Path) -> None:
    database = tmp_path / "class.db"
    with claim_files(database) as running:
        running.database.write_text("running audit")
        with pytest.raises(DemoFilesBusy) as refused, claim_files(database):
            pass
        assert str(refused.value) == (
            f"{database} belongs to a demo that is still running; "
            "stop it, or give this one another --database"
        )
        assert database.read_text() == "running audit"
    # Once that demo has ended the file is made afresh.
    Path(f"{database}-wal").write_text("old log")
    with claim_files(database) as again:
        assert not again.database.exists() and not Path(f"{database}-wal").exists()


def test_the_keys_file_is_json_readable_by_its_owner_only(tmp_path: Path) -> None:
    with claim_files(root=tmp_path) as files:
        files.write_keys({"NY0303000": "sw_a", "VTICE0900": "sw_b"})
        assert json.loads(files.keys.read_text()) == {"NY0303000": "sw_a", "VTICE0900": "sw_b"}
        assert stat.S_IMODE(files.keys.stat().st_mode) == 0o600
        assert files.database_url == f"sqlite:///{files.database}"
