"""Opening the audit database and bringing its schema up to date."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.exc import SAWarning, SQLAlchemyError

from switch.db.database_url import DatabaseURLError, driver_reason, parse_database_url

MIGRATIONS = Path(__file__).parent / "migrations"
# Hubs that start together on one PostgreSQL database take this lock in turn
# to migrate: the first upgrades, the others find the schema at head.
MIGRATION_LOCK = 0x53574954
# A PostgreSQL server that does not answer is named within this many seconds,
# not waited on for ever (a URL's own `connect_timeout` wins).
CONNECT_TIMEOUT_SECONDS = 10


def normalise_url(url: str) -> str:
    """`url` written out in full (switch.db.database_url): a plain path is
    a SQLite file, `postgresql://…` the psycopg 3 driver we ship. Raises
    DatabaseURLError for a URL that names no database."""
    return parse_database_url(url).render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the one writer; synchronous=FULL makes each
    # commit durable, which group commit keeps affordable.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_engine(url: str) -> Engine:
    """An engine on the database `url` names (a URL or a SQLite file's path,
    switch.db.database_url); nothing is connected yet. DatabaseURLError
    for a URL that names no database."""
    parsed = parse_database_url(url)
    try:
        # SQLAlchemy only warns of a query argument it ignores; refuse the URL.
        with warnings.catch_warnings():
            warnings.simplefilter("error", SAWarning)
            return _create(parsed)
    except (SQLAlchemyError, SAWarning, ImportError, TypeError, ValueError) as exc:
        # A query argument the driver does not take, a driver not installed.
        raise DatabaseURLError(url, driver_reason(exc)) from None


def connect_database(url: str) -> Engine:
    """`open_engine`, connected to once: a database that cannot be opened
    (a server that does not answer, a file SQLite refuses) says so here, as
    a one-line DatabaseURLError, not at the first query."""
    engine = open_engine(url)
    try:
        with engine.connect():
            pass
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error, OSError, ValueError) as exc:
        # ValueError (UnicodeError among them): text the driver cannot pass on.
        engine.dispose()
        raise DatabaseURLError(url, driver_reason(exc)) from None
    return engine


def _create(parsed: URL) -> Engine:
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return create_engine(
        parsed, pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args=connect_args
    )


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
