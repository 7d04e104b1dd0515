"""Throwaway audit databases for tests: a SQLite file in the test's folder, or
a fresh database on a PostgreSQL server, dropped afterwards."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from switch.db.database import normalise_url


class PostgresServer:
    """A PostgreSQL server reached through one of its databases (`url`)."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self._admin: Engine | None = None

    @property
    def admin(self) -> Engine:
        if self._admin is None:
            self._admin = create_engine(
                self.url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 2}
            )
        return self._admin

    def reachable(self) -> bool:
        try:
            with self.admin.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure to answer means: no server for us
            return False

    def create(self, prefix: str = "switch_test") -> str:
        """A new, empty database's URL."""
        name = f"{prefix}_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return f"{self.url.rsplit('/', 1)[0]}/{name}"

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self.admin.connect() as conn:
            # FORCE: a hub a test left running must not keep its database.
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None


class Databases:
    """Where a test's audit database lives: a SQLite file, or (when a server
    is given) a fresh PostgreSQL database per call."""

    def __init__(self, server: PostgresServer | None) -> None:
        self.server = server
        self._made: list[str] = []

    @property
    def backend(self) -> str:
        return "sqlite" if self.server is None else "postgres"

    def url(self, folder: Path, name: str = "audit.db") -> str:
        if self.server is None:
            return f"sqlite:///{folder / name}"
        url = self.server.create()
        self._made.append(url)
        return url

    def release(self, url: str) -> None:
        """Drop a database made here now rather than at the end."""
        if url in self._made:
            self._made.remove(url)
            assert self.server is not None
            self.server.drop(url)

    def close(self) -> None:
        for url in list(self._made):
            self.release(url)
