"""Fixtures shared by the suite: audit databases, runtimes, clients and keys.

Databases are SQLite files, and tests on `database_url` run on the local
PostgreSQL as well when one answers (marked `postgres`). With
SWITCH_TEST_DATABASE_URL set to a PostgreSQL server URL (the suite's
PostgreSQL pass, `make test-postgres`), every test's database is a fresh
database on that server instead. Tests that use a database carry the
`database` mark, so that pass selects them (less those marked `postgres`,
which ran there in the first pass).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.databases import Databases, PostgresServer
from tests.utils.hubs import Keys, make_client, make_runtime

SERVER_ENV = "SWITCH_TEST_DATABASE_URL"
ON_POSTGRES = bool(os.environ.get(SERVER_ENV))
SERVER = PostgresServer(
    os.environ.get(SERVER_ENV)
    or os.environ.get(
        "SWITCH_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
)
POSTGRES = SERVER if ON_POSTGRES or SERVER.reachable() else None

# A test that asks for any of these has an audit database.
DATABASE_FIXTURES = frozenset(
    {
        "sqlite_url",
        "database_url",
        "audit_databases",
        "postgres_url",
        "postgres_database",
        "postgres_module_database",
    }
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "database: uses an audit database (the PostgreSQL pass runs these)"
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    if ON_POSTGRES and not SERVER.reachable():
        pytest.exit(f"{SERVER_ENV} is set but no PostgreSQL answers at {SERVER.url}", returncode=4)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)


@pytest.fixture(scope="session", autouse=True)
def state_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user's state folder, where a hub under test keeps its audit key and
    checkpoints unless they sit beside a SQLite database: never the real one."""
    folder = tmp_path_factory.mktemp("state")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session")
def audit_databases() -> Iterator[Databases]:
    """Databases for fixtures of any scope: `audit_databases.url(folder)` is
    a SQLite file in the folder, or on the PostgreSQL pass a fresh database."""
    databases = Databases(SERVER if ON_POSTGRES else None)
    try:
        yield databases
    finally:
        databases.close()
        SERVER.close()


@pytest.fixture
def sqlite_url(audit_databases: Databases, tmp_path: Path) -> Iterator[str]:
    """The test's audit database: a SQLite file (the name is older than the
    PostgreSQL pass, which gives a fresh PostgreSQL database here)."""
    url = audit_databases.url(tmp_path)
    yield url
    audit_databases.release(url)


def _fresh_postgres() -> Iterator[str]:
    """A database of its own on the PostgreSQL server, dropped after; the
    fixtures below differ only in how long it lives."""
    if POSTGRES is None:
        pytest.skip("no PostgreSQL server reachable on 127.0.0.1:5432")
    url = POSTGRES.create()
    try:
        yield url
    finally:
        POSTGRES.drop(url)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server, for this test alone."""
    yield from _fresh_postgres()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of our own on the PostgreSQL server, dropped at the end."""
    yield from _fresh_postgres()


@pytest.fixture(scope="module")
def postgres_module_database() -> Iterator[str]:
    """A fresh database on the PostgreSQL server for one test module (hubs
    started once for its tests), dropped at the module's end."""
    yield from _fresh_postgres()


POSTGRES_PARAM = pytest.param("postgres", marks=pytest.mark.postgres)
# The PostgreSQL pass has every database there already: one run each.
BACKENDS = [POSTGRES_PARAM] if ON_POSTGRES else ["sqlite", POSTGRES_PARAM]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.db'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url


__all__ = ["Keys", "make_client", "make_runtime"]
