"""A small generated history with every side door planted, for the
detector's tests: fixed seed, so every count is exact."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from simulators.history import HistoryPlan, HistoryProfile, HistoryResult, write_history
from switch.db.database import migrate
from switch.directory import Directory
from switch.policy import PolicyStore

ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.0002  # about 58,000 background queries
SEED = 3
# Shares raised so that a small year holds several of each pattern.
BUSY = HistoryProfile(
    "busy", relay_287g=0.2, relay_hsi=0.6, relay_local=0.2, local_reason=0.5, look_alike=0.3
)


def write(engine: Engine, directory: Directory) -> HistoryResult:
    migrate(engine)
    plan = HistoryPlan(2025, SCALE, seed=SEED, profile=BUSY)
    return write_history(engine, plan, directory, PolicyStore.load(ROOT / "policies"),
                         batch_size=10_000)  # fmt: skip
