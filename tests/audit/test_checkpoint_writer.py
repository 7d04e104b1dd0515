"""The checkpoint writer: a checkpoint every N chain rows or S seconds of
growth (a fake clock), none while the chain stands still, one at stop, each
signed; a database rewritten behind the hub's back is logged and the new
head signed at once; a line a crash cut short stays apart."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from switch.audit.checkpoint_writer import CheckpointWriter
from switch.audit.signed_checkpoints import CheckpointFileError, CheckpointLog
from switch.audit.signing import AuditKey
from switch.cli import app
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_chain_head
from tests.utils.audit_chain import NOW, audit_key, cut_tail, record, write
from tests.utils.hubs import make_runtime, one_policy

runner = CliRunner()


class FakeClock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds

    def wall(self) -> datetime:
        return NOW + timedelta(seconds=self.seconds)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def key(tmp_path: Path) -> AuditKey:
    return audit_key(tmp_path)


def writer(engine: Engine, key: AuditKey, path: Path, clock: FakeClock) -> CheckpointWriter:
    return CheckpointWriter(
        engine,
        key,
        CheckpointLog(path),
        every_records=9,
        every_seconds=60,
        clock=clock,
        now=clock.wall,
    )


def messages(engine: Engine, first: int, count: int) -> None:
    """`count` messages: three chain rows each."""
    write(engine, [record(n, NOW) for n in range(first, first + count)])


def head(engine: Engine) -> tuple[int, str]:
    with engine.connect() as conn:
        found = conn.execute(select(audit_chain_head.c.pos, audit_chain_head.c.hash)).one()
    return int(found.pos), str(found.hash)


def test_a_checkpoint_every_n_rows_or_s_seconds_and_at_stop(
    engine: Engine, key: AuditKey, tmp_path: Path
) -> None:
    clock = FakeClock()
    path = tmp_path / "checkpoints.jsonl"
    checkpoints = writer(engine, key, path, clock)
    assert checkpoints.tick() is None  # an empty chain
    messages(engine, 0, 2)
    clock.seconds += 59
    assert checkpoints.tick() is None  # 6 rows, 59 s
    messages(engine, 2, 1)
    first = checkpoints.tick()  # 9 rows
    assert first is not None and (first.pos, first.hash) == head(engine)
    assert first.at == (NOW + timedelta(seconds=1059)).isoformat(timespec="microseconds")
    messages(engine, 3, 1)
    clock.seconds += 59
    assert checkpoints.tick() is None  # 3 rows more, 59 s after the last
    clock.seconds += 1
    assert checkpoints.tick() is not None  # 60 s
    clock.seconds += 600
    assert checkpoints.tick() is None  # the chain stood still
    checkpoints.stop()  # nothing new at stop either
    messages(engine, 4, 1)
    checkpoints.stop()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [c["pos"] for c in lines] == [9, 12, 15]
    assert lines[-1]["hash"] == head(engine)[1]
    latest = CheckpointLog(path).latest()
    assert latest is not None and (latest.source, latest.pos) == (f"{path}:3", 15)
    assert all(c.problem(key.trusted()) == "" for c in CheckpointLog(path).read())


def test_it_goes_on_from_the_last_checkpoint_in_the_file(
    engine: Engine, key: AuditKey, tmp_path: Path
) -> None:
    clock = FakeClock()
    path = tmp_path / "checkpoints.jsonl"
    messages(engine, 0, 3)
    assert writer(engine, key, path, clock).tick() is not None  # 9 rows, none before
    messages(engine, 3, 2)
    again = writer(engine, key, path, clock)  # a restart
    assert again.last is not None and again.last.pos == 9
    assert again.tick() is None  # 6 rows since the file's last
    messages(engine, 5, 1)
    assert again.tick() is not None


def test_a_database_cut_behind_the_hub_is_logged_and_the_head_signed_at_once(
    engine: Engine, key: AuditKey, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    path = tmp_path / "checkpoints.jsonl"
    checkpoints = writer(engine, key, path, clock)
    messages(engine, 0, 3)
    checkpoints.tick()
    cut_tail(engine, 6)
    messages(engine, 3, 1)  # 9 rows again, another ninth
    with caplog.at_level(logging.ERROR, logger="switch.audit"):
        signed = checkpoints.tick()
    assert signed is not None and signed.pos == 9
    assert [r.getMessage() for r in caplog.records] == [
        f"the audit database no longer extends the checkpoint at position 9 "
        f"({(NOW + timedelta(seconds=1000)).isoformat(timespec='microseconds')}): position 9 "
        "holds another hash now; it was rewritten or cut outside the hub. "
        f"Run switch audit verify --checkpoints {path}"
    ]


def test_a_line_cut_short_by_a_crash_stays_a_line_of_its_own(
    engine: Engine, key: AuditKey, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "checkpoints.jsonl"
    path.write_text('{"at": "2026-')
    with caplog.at_level(logging.ERROR, logger="switch.audit"):
        checkpoints = writer(engine, key, path, FakeClock())
    assert caplog.records[0].getMessage() == (
        f"cannot read the last audit checkpoint: {path}:1: not a JSON object"
    )
    checkpoints.start()
    messages(engine, 0, 1)
    checkpoints.stop()
    cut, whole = path.read_text().splitlines()
    assert cut == '{"at": "2026-' and json.loads(whole)["pos"] == 3


def test_the_hub_checkpoints_at_stop_and_the_cli_prints_it(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "checkpoints.jsonl"
    shown = runner.invoke(app, ["audit", "checkpoint", "--file", str(path)])
    assert (shown.exit_code, shown.stdout) == (1, "")
    assert shown.stderr.splitlines() == [
        f"error: no checkpoint in {path} yet: a hub writes one as the chain grows, and at stop"
    ]
    runtime = make_runtime(
        database_url,
        policies=one_policy(tmp_path),  # its version is the chain's first row
        audit_key_file=tmp_path / "audit-key.pem",
        audit_checkpoint_file=path,
    )

    async def run() -> None:
        runtime.start()
        await runtime.writer.write(record(0, datetime.now(UTC)))
        await runtime.stop()

    asyncio.run(run())
    engine = open_engine(database_url)
    pos, digest = head(engine)
    engine.dispose()
    [line] = path.read_text().splitlines()
    checkpoint = json.loads(line)
    assert (checkpoint["pos"], checkpoint["hash"], checkpoint["key"]) == (
        pos,
        digest,
        runtime.audit_key.id,
    )
    shown = runner.invoke(app, ["audit", "checkpoint", "--file", str(path)])
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert shown.stdout.splitlines() == [
        f"checkpoint {path}:1: position 4, hash {digest}, at {checkpoint['at']}, "
        f"signed by key {runtime.audit_key.id}"
    ]
    as_json = runner.invoke(app, ["audit", "checkpoint", "--file", str(path), "--json"])
    assert as_json.stdout.splitlines() == [line]


def test_the_cli_says_when_the_checkpoint_file_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.jsonl"
    path.write_text('{"pos": 1}\n')
    shown = runner.invoke(app, ["audit", "checkpoint", "--file", str(path)])
    assert (shown.exit_code, shown.stdout) == (2, "")
    assert shown.stderr.splitlines() == [
        f"error: {path}:1: a checkpoint has exactly at, hash, key, pos, signature"
    ]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
_FIELDS = ("at", "hash", "key", "pos", "signature")


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    line=st.text(max_size=80)
    | st.fixed_dictionaries({name: _JSON for name in _FIELDS}).map(json.dumps)
)
def test_any_line_is_a_checkpoint_or_one_named_error(tmp_path: Path, line: str) -> None:
    path = tmp_path / "checkpoints.jsonl"
    path.write_text(line + "\n", encoding="utf-8", errors="surrogatepass")
    try:
        found = CheckpointLog(path).read()
    except CheckpointFileError as exc:
        assert exc.message.startswith(f"{path}:") or "not UTF-8" in exc.message
        return
    for checkpoint in found:
        assert type(checkpoint.pos) is int and checkpoint.pos >= 1
        assert all(isinstance(v, str) for v in (checkpoint.at, checkpoint.hash, checkpoint.key))
        assert checkpoint.problem(audit_key(tmp_path).trusted()) != ""  # nobody signed it


def test_serve_refuses_a_checkpoint_file_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("SWITCH_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    monkeypatch.setenv("SWITCH_AUDIT_CHECKPOINT_FILE", str(blocker / "checkpoints.jsonl"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = runner.invoke(app, ["serve", "--port", str(port)])
    assert (done.exit_code, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        f"error: cannot write the checkpoint file {blocker / 'checkpoints.jsonl'}: File exists"
    ]
