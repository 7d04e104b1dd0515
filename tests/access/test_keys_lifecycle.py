"""API keys over their life: issued (with an expiry), listed, revoked from
another process while a hub runs, and refused with an audit record."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from switch.access.keys import RECHECK_SECONDS, KeyRing, digest, issue_key, list_keys, revoke_key
from switch.app.runtime import Runtime
from switch.cli import app
from switch.cli.keys import expiry
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_records
from switch.errors import AuthError, NotFoundError
from tests.utils.hubs import make_client

runner = CliRunner()
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    monkeypatch.setenv("SWITCH_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


def _cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["keys", *args])
    return result.exit_code, result.stdout, result.stderr


def _listed(env: str) -> list[dict[str, object]]:
    code, out, err = _cli("list", "--json")
    assert code == 0, err
    listed: list[dict[str, object]] = json.loads(out)
    return listed


def _refusals(runtime: Runtime) -> list[dict[str, object]]:
    """Refusals audited, read once the hub has stopped (and written its
    refusal windows)."""
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            select(audit_records)
            .where(audit_records.c.outcome == "refused")
            .order_by(audit_records.c.seq)
        ).all()
    runtime.engine.dispose()
    return [row._asdict() for row in rows]


# --expires


def test_expiry_reads_days_dates_and_times() -> None:
    assert expiry("30", NOW) == NOW + timedelta(days=30)
    # A date is the last day the key works: it stops at the next midnight, UTC.
    assert expiry("2026-03-31", NOW) == datetime(2026, 4, 1, tzinfo=UTC)
    assert expiry("2026-03-02T18:30Z", NOW) == datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0", "at least 1 day"),
        ("2026-03-01", "already past"),
        ("2026-03-02T11:00Z", "already past"),
        ("next week", "number of days or an ISO date"),
        ("-3", "number of days or an ISO date"),
    ],
)
def test_expiry_refuses_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        expiry(text, NOW)


# The CLI


def test_issue_with_expiry_then_list_shows_it_and_never_the_secret(env: str) -> None:
    code, secret, err = _cli("issue", "NY0303000", "--expires", "30")
    assert code == 0, err
    secret = secret.strip()
    assert secret.startswith("sw_") and "expires" in err
    code, admin_secret, _ = _cli("issue", "--admin", "wa")
    assert code == 0
    code, out, _ = _cli("list", "--json")
    assert code == 0
    assert secret not in out and digest(secret) not in out
    assert admin_secret.strip() not in out and digest(admin_secret.strip()) not in out
    agency, admin = json.loads(out)
    assert set(agency) == {
        "id",
        "ori",
        "admin_scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "status",
    }
    assert (agency["ori"], agency["admin_scope"], agency["status"]) == ("NY0303000", None, "active")
    expires = datetime.fromisoformat(str(agency["expires_at"]))
    created = datetime.fromisoformat(str(agency["created_at"]))
    assert abs(expires - created - timedelta(days=30)) < timedelta(minutes=1)
    assert (admin["ori"], admin["admin_scope"], admin["expires_at"]) == (None, "WA", None)
    code, table, _ = _cli("list")
    assert code == 0
    assert str(agency["id"]) in table and "admin WA" in table and "active" in table


@pytest.mark.parametrize("expires", ["0", "yesterday", "2001-01-01"])
def test_issue_refuses_a_bad_expiry_and_issues_nothing(env: str, expires: str) -> None:
    code, out, err = _cli("issue", "NY0303000", "--expires", expires)
    assert code != 0 and out == "" and "--expires" in err
    assert _listed(env) == []


def test_revoke_through_the_cli(env: str) -> None:
    _cli("issue", "NY0303000")
    [key] = _listed(env)
    code, out, err = _cli("revoke", str(key["id"]))
    assert code == 0 and out == "" and "revoked" in err
    [again] = _listed(env)
    assert again["status"] == "revoked" and again["revoked_at"] is not None
    # Revoking twice keeps the first time.
    _cli("revoke", str(key["id"]))
    assert _listed(env)[0]["revoked_at"] == again["revoked_at"]


def test_revoke_an_unknown_id_fails_with_the_reason(env: str) -> None:
    code, out, err = _cli("revoke", "0123456789ab")
    assert code != 0 and out == "" and "no key 0123456789ab" in err


def test_revoke_key_in_the_library(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    issue_key(engine, ori="NY0303000")
    [key] = list_keys(engine)
    assert revoke_key(engine, key.id, at=NOW).revoked_at == NOW
    assert list_keys(engine)[0].status() == "revoked"
    with pytest.raises(NotFoundError):
        revoke_key(engine, "nope")
    engine.dispose()


# The key ring's cache


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_revocation_elsewhere_is_seen_once_the_cached_answer_is_a_second_old(
    database_url: str,
) -> None:
    engine = open_engine(database_url)
    migrate(engine)
    secret = issue_key(engine, ori="NY0303000")
    clock = Clock()
    ring = KeyRing(engine, clock=clock, background=False)
    identity = ring.resolve(secret)
    other = open_engine(database_url)  # the revoking process
    revoke_key(other, identity.key_id)
    other.dispose()
    clock.now += 0.5
    assert ring.resolve(secret) == identity  # still the cached answer
    clock.now += 0.5
    with pytest.raises(AuthError, match="key revoked"):
        ring.resolve(secret)
    assert ring.describe(secret) == (str(identity), "NY0303000")
    engine.dispose()


def test_keys_in_use_are_rechecked_in_one_query_a_second(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    secrets = [issue_key(engine, ori="NY0303000") for _ in range(20)]
    clock = Clock()
    ring = KeyRing(engine, clock=clock, background=False)
    for _ in range(30):  # 3 s of traffic from every key
        clock.now += 0.1
        for secret in secrets:
            ring.resolve(secret)
    assert ring.rechecks == 3
    engine.dispose()


def test_an_expiring_key_is_refused_from_that_instant(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    wall = Clock(time.time())
    secret = issue_key(
        engine, ori="NY0303000", expires_at=datetime.fromtimestamp(wall.now + 60, UTC)
    )
    ring = KeyRing(engine, clock=Clock(), wall=wall, background=False)
    assert ring.resolve(secret).ori == "NY0303000"
    wall.now += 61  # no recheck is due: the expiry is known from the first read
    with pytest.raises(AuthError, match="key expired"):
        ring.resolve(secret)
    engine.dispose()


def test_describe_names_unknown_and_missing_keys(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    ring = KeyRing(engine)
    with pytest.raises(AuthError, match="unknown key"):
        ring.resolve("sw_not_a_key")
    assert ring.describe("sw_not_a_key") == (f"unknown:{digest('sw_not_a_key')[:12]}", None)
    with pytest.raises(AuthError, match="missing"):
        ring.resolve(None)
    assert ring.describe(None) == ("anonymous", None)
    engine.dispose()


def test_refused_keys_are_remembered_within_a_bound(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import switch.access.keys

    monkeypatch.setattr(switch.access.keys, "REFUSED_CACHE", 8)
    engine = open_engine(sqlite_url)
    migrate(engine)
    ring = KeyRing(engine)
    for n in range(50):
        with pytest.raises(AuthError):
            ring.resolve(f"sw_flood_{n}")
    assert len(ring._refused) == 8
    engine.dispose()


# A running hub


def test_a_key_revoked_by_the_cli_is_refused_by_a_running_hub_within_a_second(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCH_DATABASE_URL", database_url)
    # One window for every refusal here; it is written when the hub stops.
    with make_client(database_url, refusal_window_seconds=60) as (client, keys, runtime):
        # The hub's key ring on a clock the test moves; in the foreground, so
        # the request that finds the recheck due waits for it.
        clock = Clock()
        runtime.keys = KeyRing(runtime.engine, clock=clock, background=False)
        auth = keys.auth("NY0303000")
        assert client.get("/v1/mailbox", headers=auth).status_code == 200
        key_id = runtime.keys.resolve(keys.agency["NY0303000"]).key_id
        code, _, err = _cli("revoke", key_id)
        assert code == 0, err
        clock.now += RECHECK_SECONDS  # a second after the revocation
        status = client.get("/v1/mailbox", headers=auth).status_code
        assert status == 401
        refused = client.get("/v1/mailbox", headers=auth)
        assert refused.json()["error"]["message"] == "key revoked"
        assert refused.headers["WWW-Authenticate"] == "Bearer"
        # The other keys are untouched.
        assert client.get("/v1/mailbox", headers=keys.auth("VTICE0900")).status_code == 200
    last = _refusals(runtime)[-1]
    assert last["id"] == refused.json()["id"]
    assert last["identity"] == f"{key_id}/NY0303000"
    assert (last["http_status"], last["detail"]) == (401, "key revoked")
    assert last["raw"] == "GET /v1/mailbox" and last["sender_ori"] == "NY0303000"
    assert last["count"] >= 2  # the first 401, and `refused`


def test_an_expired_key_gets_401_and_is_audited_by_its_id(database_url: str) -> None:
    with make_client(database_url) as (client, _, runtime):
        secret = issue_key(
            runtime.engine, ori="NY0303000", expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
        response = client.post(
            "/v1/messages",
            content="DQ.NY0303000.WA.TXTOLN/1",
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "key expired"
    [record] = _refusals(runtime)  # written when the hub stopped
    assert record["id"] == response.json()["id"]
    assert record["identity"] == f"{secret.split('_')[1]}/NY0303000"
    assert record["raw"] == "POST /v1/messages" and record["detail"] == "key expired"
    assert record["count"] == 1
