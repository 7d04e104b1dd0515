"""What someone with write access to the database alone can do to the audit,
and how it is caught: a forged prune by its missing signature; a cut tail
and a rewritten past by the checkpoints the hub signed outside the database.

Each hub below is a real runtime that audits records and stops, leaving a
checkpoint at stop; `switch audit verify` is the command a user runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from switch.cli import app
from switch.db.database import open_engine
from tests.utils.audit_chain import NOW, cut_tail, forge_prune, record, rewrite_from
from tests.utils.hubs import make_runtime, one_policy

runner = CliRunner()


def hub_session(database_url: str, folder: Path, first: int, count: int) -> None:
    """A hub that audits `count` messages (three chain rows each) and stops."""
    policies = folder / "policies"
    runtime = make_runtime(
        database_url,
        policies=policies if policies.is_dir() else one_policy(folder),
        audit_key_file=folder / "audit-key.pem",
        audit_checkpoint_file=folder / "checkpoints.jsonl",
    )

    async def run() -> None:
        runtime.start()
        try:
            for n in range(first, first + count):
                await runtime.writer.write(record(n, NOW))
        finally:
            await runtime.stop()

    asyncio.run(run())


@pytest.fixture
def audited(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The policy file's version (position 1), then two hub sessions of 15
    chain rows each: checkpoints at positions 16 and 31."""
    monkeypatch.setenv("SWITCH_AUDIT_KEY_FILE", str(tmp_path / "audit-key.pem"))
    hub_session(database_url, tmp_path, 0, 5)
    hub_session(database_url, tmp_path, 5, 5)
    engine = open_engine(database_url)
    yield engine
    engine.dispose()


def verify(database_url: str, *args: str) -> tuple[int, list[str], list[str]]:
    done = runner.invoke(app, ["audit", "verify", "--db", database_url, *args])
    return done.exit_code, done.stdout.splitlines(), done.stderr.splitlines()


def checkpoints(folder: Path) -> list[dict[str, object]]:
    lines = (folder / "checkpoints.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_the_hub_checkpoints_the_chain_at_each_stop(
    audited: Engine, tmp_path: Path, database_url: str
) -> None:
    file = tmp_path / "checkpoints.jsonl"
    code, out, err = verify(database_url, "--checkpoints", str(file))
    assert (code, err) == (0, []), err
    assert out[0].endswith("; extends every signed checkpoint (2)")
    assert [c["pos"] for c in checkpoints(tmp_path)] == [16, 31]


def test_a_forged_prune_of_the_first_rows_is_refused(
    audited: Engine, tmp_path: Path, database_url: str
) -> None:
    anchor = forge_prune(audited, 21)
    refused = (
        "error: audit chain broken: unsigned audit_records seq 12 (chain position 32, "
        f"message {anchor}): a prune anchor must be signed by an audit key and this one is not"
    )
    assert verify(database_url) == (1, [], [refused])
    file = str(tmp_path / "checkpoints.jsonl")
    assert verify(database_url, "--checkpoints", file) == (1, [], [refused])


def test_a_cut_tail_is_caught_by_the_checkpoints(
    audited: Engine, tmp_path: Path, database_url: str
) -> None:
    cut_tail(audited, 25)
    code, out, _ = verify(database_url)
    assert code == 0 and out[0].startswith("chain intact: 25 records")  # the database alone
    file = tmp_path / "checkpoints.jsonl"
    code, out, err = verify(database_url, "--checkpoints", str(file))
    assert (code, out) == (1, [])
    second = checkpoints(tmp_path)[1]
    assert err == [
        f"error: audit chain broken: truncated checkpoint {file}:2 (chain position 31): "
        "the chain's head is at position 25, before it: rows from position 26 on, "
        f"signed by key {second['key']} at {second['at']}, were removed"
    ]


def test_a_rewritten_past_is_caught_by_the_checkpoints(
    audited: Engine, tmp_path: Path, database_url: str
) -> None:
    rewrite_from(audited, 5)
    code, out, _ = verify(database_url)
    assert code == 0 and out[0].startswith("chain intact: 31 records")  # the database alone
    file = tmp_path / "checkpoints.jsonl"
    code, out, err = verify(database_url, "--checkpoints", str(file), "--json")
    assert code == 1
    first = checkpoints(tmp_path)[0]
    assert err[0].startswith(
        f"error: audit chain broken: rewritten checkpoint {file}:1 (chain position 16): "
        "the chain has hash "
    )
    assert err[0].endswith(
        f" there, but key {first['key']} signed {first['hash']} at {first['at']}: "
        "rows up to it were rewritten"
    )
    shown = json.loads(out[0])
    assert (shown["intact"], shown["problem"], shown["checkpoint"]) == (
        False,
        "rewritten",
        f"{file}:1",
    )
