"""Policy changes shared through the database: a version put through one hub
is installed by every other hub on the same database, newest first, compiled
again; a row that does not compile is skipped and the version in force stays.
No hub writes its folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from switch.db.database import migrate, open_engine
from switch.db.schema import policy_changes
from switch.policy import Facts, PolicyError, PolicyStore
from switch.policy.sources.database import SharedPolicies
from tests.policy.helpers import request
from tests.utils.hubs import make_client
from tests.utils.polling import until

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
OPEN_WA = "state: WA\ntitle: open\nrules: []\n"
CLOSED_WA = "state: WA\ntitle: closed\ndefault: deny\nrules: []\n"
BROKEN_WA = "state: WA\ntitle: broken\nrules:\n  - id: x\n    effect: deny\n"


def _folder(path: Path) -> Path:
    path.mkdir()
    shutil.copy(SHIPPED / "WA.yaml", path / "WA.yaml")
    return path


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _hub(engine: Engine, folder: Path) -> SharedPolicies:
    hub = SharedPolicies(engine, PolicyStore(folder))
    hub.start()
    return hub


def _puts(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        query = select(policy_changes).where(policy_changes.c.origin != "file")
        return list(conn.execute(query.order_by(policy_changes.c.seq)))


def _row(engine: Engine, text: str, *, candidate: int = 0) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(policy_changes).values(
                state="WA",
                candidate=candidate,
                text=text,
                version="sha256:elsewhere",
                changed_at=datetime.now(UTC),
            )
        )


def test_a_change_through_one_hub_is_in_force_on_another(engine: Engine, tmp_path: Path) -> None:
    a, b = _hub(engine, _folder(tmp_path / "a")), _hub(engine, _folder(tmp_path / "b"))
    shipped = b.store.versions()["WA"]
    policy = a.put("WA", OPEN_WA, changed_by="k1")
    assert a.store.versions()["WA"] == policy.version != shipped
    assert (tmp_path / "a" / "WA.yaml").read_bytes() == (SHIPPED / "WA.yaml").read_bytes()
    assert b.store.decide(request("VTICE0900", "WA")).rule == "wa-no-ice"

    [event] = b.catch_up()
    assert (event.state, event.version) == ("WA", policy.version)
    assert b.store.versions()["WA"] == policy.version
    assert b.store.decide(request("VTICE0900", "WA")).effect == "permit"
    # The database carries the change; no folder is written.
    assert (tmp_path / "b" / "WA.yaml").read_text() != OPEN_WA
    assert b.catch_up() == [] and a.catch_up() == []
    [row] = _puts(engine)
    assert (row.state, row.candidate, row.version, row.changed_by) == (
        "WA",
        0,
        policy.version,
        "k1",
    )
    assert row.text == OPEN_WA


def test_a_refused_version_changes_nothing_anywhere(engine: Engine, tmp_path: Path) -> None:
    a = _hub(engine, _folder(tmp_path / "a"))
    before = a.store.versions()["WA"]
    with pytest.raises(PolicyError, match="must give a reason"):
        a.put("WA", BROKEN_WA)
    assert a.store.versions()["WA"] == before
    assert _puts(engine) == []


def test_only_the_newest_change_per_state_is_installed(engine: Engine, tmp_path: Path) -> None:
    a, b = _hub(engine, _folder(tmp_path / "a")), _hub(engine, _folder(tmp_path / "b"))
    a.put("WA", OPEN_WA)
    closed = a.put("WA", CLOSED_WA)
    assert [e.version for e in b.catch_up()] == [closed.version]
    assert b.store.decide(request("NY0303000", "WA")).effect == "deny"


def test_the_last_change_wins_on_every_hub(engine: Engine, tmp_path: Path) -> None:
    a, b = _hub(engine, _folder(tmp_path / "a")), _hub(engine, _folder(tmp_path / "b"))
    a.put("WA", OPEN_WA)
    closed = b.put("WA", CLOSED_WA)
    a.catch_up()
    b.catch_up()  # sees the older change from a: it must not undo b's own
    assert a.store.versions()["WA"] == b.store.versions()["WA"] == closed.version


def test_a_row_that_does_not_compile_is_skipped(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    b = _hub(engine, _folder(tmp_path / "b"))
    before = b.store.versions()["WA"]
    _row(engine, BROKEN_WA)
    [event] = b.catch_up()
    assert event.version is None and "must give a reason" in event.problems[0].reason
    assert "policy change 2 for WA refused" in caplog.text
    assert b.store.versions()["WA"] == before
    assert b.catch_up() == []  # logged once, not retried every poll

    # The newest that compiles wins when a batch ends with one that does not.
    _row(engine, OPEN_WA)
    _row(engine, BROKEN_WA)
    events = b.catch_up()
    assert [e.version is None for e in events] == [True, False]
    assert b.store.decide(request("VTICE0900", "WA")).effect == "permit"


def test_at_start_the_newest_change_applies_over_unchanged_files(
    engine: Engine, tmp_path: Path
) -> None:
    folder = _folder(tmp_path / "a")
    a = _hub(engine, folder)
    policy = a.put("WA", OPEN_WA)
    later = _hub(engine, folder)
    assert later.store.versions()["WA"] == policy.version
    assert later.catch_up() == []  # already read


def test_a_candidate_is_shared_as_a_candidate(engine: Engine, tmp_path: Path) -> None:
    a, b = _hub(engine, _folder(tmp_path / "a")), _hub(engine, _folder(tmp_path / "b"))
    enforced = b.store.versions()["WA"]
    candidate = a.put("WA", OPEN_WA, candidate=True)
    assert not (tmp_path / "a" / "candidates").exists()
    b.catch_up()
    assert b.store.candidate_versions() == {"WA": candidate.version}
    assert b.store.versions()["WA"] == enforced
    ruling = b.store.ruling("WA", Facts.of(request("VTICE0900", "WA")))
    decision = ruling.decision
    assert decision.effect == "deny" and ruling.shadow is not None
    assert ruling.shadow.effect == "permit"


def test_put_through_the_api_reaches_the_other_hub(database_url: str, tmp_path: Path) -> None:
    folders = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    with (
        make_client(database_url, policies=folders[0]) as (client, keys, runtime),
        make_client(database_url, policies=folders[1]) as (_, _, other),
    ):
        refused = client.put("/v1/policies/WA", content=BROKEN_WA, headers=keys.admin_auth)
        assert refused.status_code == 422
        put = client.put("/v1/policies/WA", content=OPEN_WA, headers=keys.admin_auth)
        assert put.status_code == 200, put.text
        version = put.json()["version"]
        assert until(lambda: other.policies.versions()["WA"] == version, seconds=5)
        shadow = client.put(
            "/v1/policies/WA",
            params={"candidate": "true"},
            content=CLOSED_WA,
            headers=keys.admin_auth,
        )
        assert shadow.status_code == 200 and shadow.json()["version"] == version
        assert shadow.json()["candidate"]["version"] != version
        assert until(lambda: other.policies.candidate("WA") is not None, seconds=5)
        rows = _puts(other.engine)
        admin = runtime.keys.resolve(keys.admin).key_id
        assert [(r.candidate, r.changed_by) for r in rows] == [(0, admin), (1, admin)]
