"""Fixtures for store and forward: quick probes, and a policy folder of our own
so a test may PUT a policy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from switch.settings import Settings, policies_folder

# Probe and back off fast so tests poll briefly; never timed.
FAST = {
    "forward_probe_seconds": 0.05,
    "forward_backoff_seconds": 0.01,
    "forward_backoff_max_seconds": 0.05,
    "forward_max_attempts": 3,
    "policy_poll_seconds": 0,
}


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    source = policies_folder(Settings())
    assert source is not None
    target = tmp_path / "policies"
    shutil.copytree(source, target)
    return target
