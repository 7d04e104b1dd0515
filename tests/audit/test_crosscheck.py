"""`switch audit verify` cross-checks the tables outside the chain that decide
access (api_keys, policy_changes, notices.sent_at) against the admin acts in
it: a change made with raw SQL is named, whichever way it went."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, func, insert, select
from typer.testing import CliRunner

from switch.access.keys import issue_key, revoke_key
from switch.audit.prune import prune
from switch.audit.verify import verify
from switch.cli import app
from switch.db.database import MIGRATIONS, migrate, open_engine
from switch.db.schema import api_keys, notices, policy_changes
from switch.notices import mark_sent
from switch.policy import PolicyStore
from switch.policy.sources.database import SharedPolicies
from tests.utils.audit_chain import audit_key, run_sql

runner = CliRunner()
SHIPPED = Path(__file__).resolve().parents[2] / "policies"
T0 = datetime(2026, 11, 27, 9, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _notice(engine: Engine, state: str = "WA") -> int:
    with engine.begin() as conn:
        row = {
            "message_id": "m1",
            "state": state,
            "rule": None,
            "requester_ori": "VTICE0900",
            "subject": "DOE,JOHN OLN 1",
            "created_at": T0,
            "due_date": "2026-12-01",
        }
        seq: int = conn.execute(insert(notices).values(row).returning(notices.c.seq)).scalar_one()
    return seq


def _key_id(secret: str) -> str:
    return secret.split("_")[1]


def _found(engine: Engine) -> Any:
    finding = verify(engine).finding
    assert finding is not None, "the change went unnoticed"
    return finding


def _policy(engine: Engine, tmp_path: Path) -> SharedPolicies:
    folder = tmp_path / "policies"
    folder.mkdir(exist_ok=True)
    (folder / "WA.yaml").write_text((SHIPPED / "WA.yaml").read_text())
    return SharedPolicies(engine, PolicyStore.load(folder))


@pytest.fixture
def changed(engine: Engine, tmp_path: Path) -> Engine:
    """Keys issued and revoked, a policy put in force, a notice marked sent:
    every change with its act, so the database verifies."""
    issue_key(engine, ori="NY0303000")
    revoke_key(engine, _key_id(issue_key(engine, ori="VTICE0900")))
    issue_key(engine, admin_scope="WA")
    _policy(engine, tmp_path).put("WA", (SHIPPED / "WA.yaml").read_text() + "\n# v2\n")
    mark_sent(engine, [_notice(engine)])
    _notice(engine)  # owed, not sent
    verdict = verify(engine)
    assert verdict.intact, verdict.finding
    return engine


def _keys(engine: Engine) -> dict[str, str]:
    """Key ids by what they are bound to."""
    with engine.connect() as conn:
        rows = conn.execute(select(api_keys.c.id, api_keys.c.ori, api_keys.c.admin_scope)).all()
    return {row.ori or row.admin_scope: row.id for row in rows}


def _last_change(engine: Engine) -> int:
    with engine.connect() as conn:
        seq: int = conn.execute(select(func.max(policy_changes.c.seq))).scalar_one()
    return seq


# api_keys


def test_a_key_unrevoked_with_raw_sql_fails_verify_naming_it(changed: Engine) -> None:
    ice = _keys(changed)["VTICE0900"]
    run_sql(changed, "UPDATE api_keys SET revoked_at = NULL WHERE id = :id", id=ice)
    finding = _found(changed)
    assert (finding.problem, finding.where) == ("altered", f"api_keys row {ice}")
    assert "revoked it, but its row is not revoked: it was un-revoked outside the switch" in str(
        finding
    )


def test_verify_on_the_command_line_names_the_key(
    changed: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ice = _keys(changed)["VTICE0900"]
    run_sql(changed, "UPDATE api_keys SET revoked_at = NULL WHERE id = :id", id=ice)
    result = runner.invoke(app, ["audit", "verify", "--db", database_url])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: audit chain broken: altered api_keys row {ice}: admin act ")
    result = runner.invoke(app, ["audit", "verify", "--db", database_url, "--json"])
    assert '"where": "api_keys row ' + ice in result.stdout


@pytest.mark.parametrize(
    ("statement", "problem", "says"),
    [
        ("UPDATE api_keys SET admin_scope = '*' WHERE id = :id", "altered", "binding or expiry"),
        ("UPDATE api_keys SET expires_at = NULL WHERE id = :id", "altered", "binding or expiry"),
        ("UPDATE api_keys SET revoked_at = created_at WHERE id = :id", "altered", "no admin act"),
        ("DELETE FROM api_keys WHERE id = :id", "removed", "its row is gone"),
    ],
)
def test_any_other_change_to_a_key_fails_verify(
    changed: Engine, statement: str, problem: str, says: str
) -> None:
    wa = _keys(changed)["WA"]
    if "expires_at" in statement:  # a key that expires, made to last for ever
        wa = _key_id(issue_key(changed, admin_scope="NY", expires_at=T0 + timedelta(days=900)))
    run_sql(changed, statement, id=wa)
    finding = _found(changed)
    assert (finding.problem, finding.where) == (problem, f"api_keys row {wa}")
    assert says in finding.detail


def test_a_key_inserted_with_raw_sql_fails_verify(changed: Engine) -> None:
    run_sql(
        changed,
        "INSERT INTO api_keys (id, key_hash, ori, admin_scope, created_at) "
        "VALUES ('f00f00f00f00', :h, NULL, '*', :t)",
        h="0" * 64,
        t=T0,
    )
    finding = _found(changed)
    assert (finding.problem, finding.where) == ("inserted", "api_keys row f00f00f00f00")


# policy_changes


def test_a_policy_change_slipped_in_with_raw_sql_fails_verify(changed: Engine) -> None:
    run_sql(
        changed,
        "INSERT INTO policy_changes (state, candidate, text, version, changed_at) "
        "VALUES ('WA', 0, 'default: permit', 'sha256:0000', :t)",
        t=T0,
    )
    finding = _found(changed)
    assert (finding.problem, finding.where) == (
        "inserted",
        f"policy_changes seq {_last_change(changed)}",
    )
    assert "no admin act put this WA policy in force" in finding.detail


def test_a_policy_change_rewritten_with_raw_sql_fails_verify(changed: Engine) -> None:
    seq = _last_change(changed)
    run_sql(changed, "UPDATE policy_changes SET text = 'default: permit' WHERE seq = :s", s=seq)
    finding = _found(changed)
    assert (finding.problem, finding.where) == ("altered", f"policy_changes seq {seq}")
    run_sql(changed, "DELETE FROM policy_changes WHERE seq = :s", s=seq)
    assert (_found(changed).problem, _found(changed).where) == (
        "removed",
        f"policy_changes seq {seq}",
    )


# notices.sent_at


def test_a_notice_marked_sent_with_raw_sql_fails_verify(changed: Engine) -> None:
    owed = _notice(changed)
    run_sql(changed, "UPDATE notices SET sent_at = :t WHERE seq = :s", t=T0, s=owed)
    finding = _found(changed)
    assert (finding.problem, finding.where) == ("altered", f"notices seq {owed}")
    assert "no admin act marked it" in finding.detail


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("UPDATE notices SET sent_at = NULL WHERE sent_at IS NOT NULL", "sent_at was cleared"),
        ("UPDATE notices SET sent_at = :t WHERE sent_at IS NOT NULL", "recorded"),  # backdated
    ],
)
def test_a_sent_notice_changed_with_raw_sql_fails_verify(
    changed: Engine, statement: str, says: str
) -> None:
    with changed.connect() as conn:
        sent = conn.execute(select(notices.c.seq).where(notices.c.sent_at.is_not(None))).scalar()
    run_sql(changed, statement, t=T0)
    finding = _found(changed)
    assert (finding.problem, finding.where) == ("altered", f"notices seq {sent}")
    assert says in finding.detail


# Baselines: a prune, and databases older than the acts


def test_a_prune_carries_the_acts_it_deletes_forward(changed: Engine, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    key = audit_key(tmp_path)
    result = prune(changed, now + timedelta(days=1), by="cli/test", key=key, force=True, now=now)
    assert result.anchor_id is not None and result.records > 0
    verdict = verify(changed, keys=key.trusted())
    assert verdict.intact, verdict.finding
    ice = _keys(changed)["VTICE0900"]
    run_sql(changed, "UPDATE api_keys SET revoked_at = NULL WHERE id = :id", id=ice)
    finding = verify(changed, keys=key.trusted()).finding
    assert finding is not None and finding.where == f"api_keys row {ice}"


def _upgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def test_migration_0009_adopts_the_rows_already_there(database_url: str) -> None:
    engine = open_engine(database_url)
    _upgrade(engine, "0008")
    run_sql(
        engine,
        "INSERT INTO api_keys (id, key_hash, ori, admin_scope, created_at, revoked_at) VALUES "
        "('aaaaaaaaaaaa', :h1, 'NY0303000', NULL, :t, NULL), "
        "('bbbbbbbbbbbb', :h2, 'VTICE0900', NULL, :t, :t)",
        h1="1" * 64,
        h2="2" * 64,
        t=T0,
    )
    run_sql(
        engine,
        "INSERT INTO policy_changes (state, candidate, text, version, changed_at) "
        "VALUES ('WA', 0, 'default: deny', 'sha256:1111', :t)",
        t=T0,
    )
    run_sql(
        engine,
        "INSERT INTO notices (message_id, state, requester_ori, subject, created_at, due_date, "
        "sent_at) VALUES ('m', 'WA', 'VTICE0900', 'DOE', :t, '2026-12-01', :t)",
        t=T0,
    )
    migrate(engine)
    try:
        verdict = verify(engine)
        assert verdict.intact, verdict.finding
        assert verdict.records == 1  # the baseline act
        run_sql(engine, "UPDATE api_keys SET revoked_at = NULL WHERE id = 'bbbbbbbbbbbb'")
        assert _found(engine).where == "api_keys row bbbbbbbbbbbb"
    finally:
        engine.dispose()


def test_a_fresh_database_has_no_baseline(engine: Engine) -> None:
    verdict = verify(engine)
    assert verdict.intact and verdict.rows == 0
