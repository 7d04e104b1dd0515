"""Where the audit key and the signed checkpoints live when the settings do
not say: beside a SQLite database file (`switch.db` -> `switch-audit-key.pem`,
`switch-checkpoints.jsonl`), else in the user's state folder
(`$XDG_STATE_HOME/switch`, by default `~/.local/state/switch`), where the
checkpoint file is named after the database server and database.

INVARIANT: never inside the database itself: what they vouch for is that the
database was not rewritten.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy.engine import URL

from switch.db.database_url import DatabaseURLError, parse_database_url
from switch.settings import Settings

KEY_NAME = "audit-key.pem"
CHECKPOINTS_NAME = "checkpoints.jsonl"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def state_folder() -> Path:
    configured = os.environ.get("XDG_STATE_HOME")
    if configured:
        return Path(configured) / "switch"
    try:
        home = Path.home()
    except RuntimeError:  # no home directory known: the working directory
        home = Path.cwd()
    return home / ".local" / "state" / "switch"


def _parsed(database_url: str) -> URL | None:
    # A URL that names no database fails where it is opened, in one line.
    try:
        return parse_database_url(database_url)
    except DatabaseURLError:
        return None


def _sqlite_file(database_url: str) -> Path | None:
    url = _parsed(database_url)
    if url is None or url.get_backend_name() != "sqlite" or not url.database:
        return None
    return None if url.database == ":memory:" else Path(url.database)


def _server_name(database_url: str) -> str:
    """`postgresql-db.example-5432-switch`: which database, without credentials."""
    url = _parsed(database_url)
    if url is None:
        return "database"
    parts = [url.get_backend_name(), url.host or "local", str(url.port or ""), url.database or ""]
    return _UNSAFE.sub("_", "-".join(p for p in parts if p))


def audit_key_path(settings: Settings) -> Path:
    if settings.audit_key_file is not None:
        return settings.audit_key_file
    database = _sqlite_file(settings.database_url)
    if database is not None:
        return database.with_name(f"{database.stem}-{KEY_NAME}")
    return state_folder() / KEY_NAME


def checkpoint_path(settings: Settings) -> Path:
    if settings.audit_checkpoint_file is not None:
        return settings.audit_checkpoint_file
    database = _sqlite_file(settings.database_url)
    if database is not None:
        return database.with_name(f"{database.stem}-{CHECKPOINTS_NAME}")
    return state_folder() / f"{_server_name(settings.database_url)}-{CHECKPOINTS_NAME}"
