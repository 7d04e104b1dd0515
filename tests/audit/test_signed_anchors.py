"""Prune anchors are signed and verify refuses one that is unsigned, signed
by a key not given, badly signed or moved; checkpoints the chain pruned
away still hold it to the past; several hubs on one database each sign
with their own key, and verify takes any key given."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from switch.audit import chain
from switch.audit.prune import prune
from switch.audit.signed_checkpoints import CheckpointLog, sign
from switch.audit.signing import AuditKey, PublicKeys
from switch.audit.verify import verify
from switch.cli import app
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_records
from tests.utils.audit_chain import (
    NOW,
    audit_key,
    finding,
    record,
    relink,
    rewrite_from,
    run_sql,
    write_aged,
)
from tests.utils.hubs import make_runtime, one_policy

runner = CliRunner()


@pytest.fixture
def key(tmp_path: Path) -> AuditKey:
    return audit_key(tmp_path)


@pytest.fixture
def pruned(database_url: str, key: AuditKey) -> Iterator[Engine]:
    """18 chain rows; positions 1-6 pruned, the anchor at 19."""
    engine = open_engine(database_url)
    migrate(engine)
    write_aged(engine)
    prune(engine, NOW - timedelta(days=600), by="test", key=key, now=NOW)
    yield engine
    engine.dispose()


def _anchor(engine: Engine) -> tuple[int, dict[str, object]]:
    with engine.connect() as conn:
        row = conn.execute(
            select(audit_records.c.seq, audit_records.c.detail).where(
                audit_records.c.outcome == "pruned"
            )
        ).one()
    return int(row.seq), json.loads(row.detail)


def _set_detail(engine: Engine, detail: dict[str, object]) -> None:
    """Rewrite the anchor's detail and every link from it: only its signature
    can tell."""
    run_sql(
        engine,
        "UPDATE audit_records SET detail = :d WHERE outcome = 'pruned'",
        d=json.dumps(detail, sort_keys=True),
    )
    relink(engine, 19)


def test_a_prune_signs_its_anchor_for_its_place(pruned: Engine, key: AuditKey) -> None:
    _, detail = _anchor(pruned)
    assert (detail["signed_by"], detail["pos"], detail["start_pos"]) == (key.id, 19, 7)
    verdict = verify(pruned, keys=key.trusted())
    assert verdict.intact, verdict.finding


def test_an_anchor_is_refused_without_the_key_that_signed_it(
    pruned: Engine, key: AuditKey, tmp_path: Path
) -> None:
    other = audit_key(tmp_path / "other")
    for keys, given in ((None, "none"), (other.trusted(), other.id)):
        found = finding(pruned, keys)
        assert (found.problem, found.position) == ("forged", 19)
        assert found.detail == (
            f"a prune anchor: it is signed by key {key.id}, which is not one of the "
            f"keys given ({given})"
        )
    both = PublicKeys([key.public, other.public])
    assert verify(pruned, keys=both).intact


def test_an_unsigned_anchor_is_refused(pruned: Engine, key: AuditKey) -> None:
    _, detail = _anchor(pruned)
    _set_detail(pruned, {k: v for k, v in detail.items() if k not in ("signature", "signed_by")})
    found = finding(pruned, key.trusted())
    assert (found.problem, found.table, found.position) == ("unsigned", "audit_records", 19)
    assert str(found).endswith(
        ": a prune anchor must be signed by an audit key and this one is not"
    )


def test_a_badly_signed_anchor_is_refused(pruned: Engine, key: AuditKey, tmp_path: Path) -> None:
    _, detail = _anchor(pruned)
    _set_detail(pruned, {**detail, "start_pos": 10})  # the signature no longer covers it
    found = finding(pruned, key.trusted())
    assert (found.problem, found.position) == ("forged", 19)
    assert found.detail == f"a prune anchor: its signature does not verify under key {key.id}"
    forger = audit_key(tmp_path / "forger")  # a key of one's own, with the hub's id
    fields = {k: v for k, v in detail.items() if k != "signature"}
    _set_detail(pruned, {**fields, "signature": forger.sign("switch-audit-anchor/v1", fields)})
    assert finding(pruned, key.trusted()).detail == found.detail


def test_a_signed_anchor_copied_elsewhere_is_refused(pruned: Engine, key: AuditKey) -> None:
    with pruned.connect() as conn:
        anchor = dict(
            conn.execute(select(audit_records).where(audit_records.c.outcome == "pruned"))
            .mappings()
            .one()
        )
    copy = {c: anchor[c] for c in chain.hashed_columns("audit_records")}
    copy["id"] = "copied" + "0" * 26
    with chain.transaction(pruned) as conn:
        chain.append(conn, [("audit_records", copy)])
    found = finding(pruned, key.trusted())
    assert (found.problem, found.position, found.message_id) == ("forged", 20, copy["id"])
    assert found.detail == (
        "a prune anchor signed for chain position 19 after another link: it was moved here"
    )


# -- checkpoints and prunes ----------------------------------------------------------


def _checkpoint_at(engine: Engine, key: AuditKey, path: Path, pos: int) -> None:
    with engine.connect() as conn:
        digest = conn.execute(
            select(audit_records.c.chain_hash).where(audit_records.c.chain_pos == pos)
        ).scalar_one()
    CheckpointLog(path).append(sign(key, pos, digest, NOW))


def test_checkpoints_a_prune_took_still_hold_the_past(
    database_url: str, key: AuditKey, tmp_path: Path
) -> None:
    engine = open_engine(database_url)
    migrate(engine)
    write_aged(engine)
    path = tmp_path / "checkpoints.jsonl"
    _checkpoint_at(engine, key, path, 4)
    _checkpoint_at(engine, key, path, 16)
    rewrite_from(engine, 4)  # rewritten, then pruned to hide it
    prune(engine, NOW - timedelta(days=600), by="test", key=key, now=NOW)
    checkpoints = CheckpointLog(path).read()
    found = verify(engine, keys=key.trusted(), checkpoints=checkpoints).finding
    assert found is not None
    assert (found.problem, found.checkpoint, found.position) == ("rewritten", f"{path}:2", 16)
    engine.dispose()


def test_a_checkpoint_before_the_start_is_vouched_for_by_the_signed_anchor(
    pruned: Engine, key: AuditKey, tmp_path: Path
) -> None:
    path = tmp_path / "checkpoints.jsonl"
    CheckpointLog(path).append(sign(key, 2, "0" * 64, NOW))  # pruned away: not comparable
    _checkpoint_at(pruned, key, path, 19)
    verdict = verify(pruned, keys=key.trusted(), checkpoints=CheckpointLog(path).read())
    assert verdict.intact and verdict.checkpoints == 2


# -- the CLI: files it cannot use, checkpoints it cannot trust ---------------------------


def test_verify_exits_2_when_a_checkpoint_file_cannot_be_used(
    sqlite_url: str, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    missing = tmp_path / "missing.jsonl"
    for path, reason in (
        (empty, f"the checkpoint file {empty} holds no checkpoint"),
        (missing, f"there is no checkpoint file {missing}"),
    ):
        done = runner.invoke(
            app, ["audit", "verify", "--db", sqlite_url, "--checkpoints", str(path)]
        )
        assert (done.exit_code, done.stdout) == (2, "")
        assert done.stderr.splitlines() == [f"error: {reason}"]
    pub = tmp_path / "bad.pub"
    pub.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    done = runner.invoke(app, ["audit", "verify", "--db", sqlite_url, "--public-key", str(pub)])
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [
        f"error: {pub} holds a public key that is not a readable Ed25519 key"
    ]


def test_verify_refuses_a_forged_checkpoint(
    pruned: Engine, key: AuditKey, tmp_path: Path, database_url: str
) -> None:
    path = tmp_path / "checkpoints.jsonl"
    good = sign(key, 19, "f" * 64, NOW)
    path.write_text(json.dumps({**good.as_json(), "hash": "e" * 64}) + "\n")
    public = tmp_path / "hub.pub"
    public.write_text(key.public_pem())
    done = runner.invoke(
        app,
        [
            "audit",
            "verify",
            "--db",
            database_url,
            "--checkpoints",
            str(path),
            "--public-key",
            str(public),
        ],
    )
    assert (done.exit_code, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        f"error: audit chain broken: forged checkpoint {path}:1 (chain position 19): "
        f"its signature does not verify under key {key.id}"
    ]


# -- several hubs, one chain ------------------------------------------------------------


def test_hubs_sharing_a_database_each_sign_with_their_own_key(
    database_url: str, tmp_path: Path
) -> None:
    policies = one_policy(tmp_path)  # recorded once, by the first hub: position 1
    hubs = [
        make_runtime(
            database_url,
            policies=policies,
            audit_key_file=tmp_path / f"{name}.pem",
            audit_checkpoint_file=tmp_path / f"{name}.jsonl",
        )
        for name in ("a", "b")
    ]

    async def run() -> None:
        for hub in hubs:
            hub.start()
        for n in range(6):
            await hubs[n % 2].writer.write(record(n, NOW))
        await hubs[0].stop()  # a checkpoints the chain at 19, b at 22
        await hubs[1].writer.write(record(6, NOW))
        await hubs[1].stop()

    asyncio.run(run())
    publics = []
    for hub, name in zip(hubs, ("a", "b"), strict=True):
        publics.append(tmp_path / f"{name}.pub")
        publics[-1].write_text(hub.audit_key.public_pem())
    keys_file = tmp_path / "keys.pub"
    keys_file.write_text("".join(p.read_text() for p in publics))
    files = ["--checkpoints", str(tmp_path / "a.jsonl"), "--checkpoints", str(tmp_path / "b.jsonl")]

    def check(*keys: Path) -> tuple[int, list[str], list[str]]:
        given = [arg for k in keys for arg in ("--public-key", str(k))]
        done = runner.invoke(app, ["audit", "verify", "--db", database_url, *files, *given])
        return done.exit_code, done.stdout.splitlines(), done.stderr.splitlines()

    for keys in (publics, [keys_file]):
        code, out, err = check(*keys)
        assert (code, err) == (0, [])
        assert out[0].endswith("; extends every signed checkpoint (2)")
    code, _, err = check(publics[0])
    b = hubs[1].audit_key.id
    assert code == 1
    assert err == [
        f"error: audit chain broken: forged checkpoint {tmp_path / 'b.jsonl'}:1 (chain "
        f"position 22): it is signed by key {b}, which is not one of the keys given "
        f"({hubs[0].audit_key.id})"
    ]
