"""Reading a database URL as a user writes it, in `SWITCH_DATABASE_URL` or a
`--db` option: a SQLAlchemy URL for SQLite or PostgreSQL, or a plain file
path, which means a SQLite file there.

Everything that names no database the switch can open raises one error,
`DatabaseURLError`, whose message is one line fit for a CLI's `error:`
(switch.db.database raises it too, for a database that does not answer).
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from switch.errors import SwitchError

# What makes a URL rather than a path: `scheme://`, or one of our schemes
# with a colon (`sqlite:x.db` is a URL written wrong, not a file so named).
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://|(sqlite|postgres|postgresql)[+:]", re.I)
# The password between `user:` and `@`, blanked wherever a URL is shown.
_PASSWORD = re.compile(r"(://[^/@:]*:)[^/@]*@")
# The driver we ship for PostgreSQL; `postgresql://` and `postgres://` mean it.
POSTGRES_DRIVER = "postgresql+psycopg"
FORMS = "sqlite:///PATH, postgresql://USER@HOST/DB or a file path"


class DatabaseURLError(SwitchError):
    """A database URL that opens no database: unreadable, of a scheme the
    switch does not speak, a SQLite file in a folder that does not exist, a
    server that does not answer. One line: `cannot open the audit database
    'URL': WHY`, the password blanked."""

    code = "DATABASE_URL"

    def __init__(self, url: str, why: str) -> None:
        super().__init__(f"cannot open the audit database {shown(url)}: {why}")
        self.url = url
        self.why = why


def shown(text: str) -> str:
    """The text quoted for a message: its password blanked, on one line."""
    return repr(_PASSWORD.sub(r"\1***@", text))


def parse_database_url(text: str) -> URL:
    """The SQLAlchemy URL `text` means, or DatabaseURLError saying why none.

    Nothing is opened; a SQLite file's folder is looked at, since a missing
    one is the usual mistake and SQLite's own word for it is vague."""
    if not text.strip():
        raise DatabaseURLError(text, f"no URL given; write {FORMS}")
    if "\x00" in text:
        raise DatabaseURLError(text, "it holds a NUL character")
    is_path = _SCHEME.match(text) is None
    url = URL.create("sqlite", database=text) if is_path else _read_url(text)
    if url.get_backend_name() == "sqlite":
        _check_sqlite_folder(url, text)
    return url


def missing_sqlite_file(text: str) -> str | None:
    """The path of the SQLite file `text` names, if there is no such file.
    Opening it would make an empty database: where one should exist already
    (a report, a running hub's keys), that hides a typo. Raises
    DatabaseURLError as parse_database_url does."""
    url = parse_database_url(text)
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None
    return None if Path(path).exists() else path


def driver_reason(exc: BaseException) -> str:
    """A database error in the driver's own words, on one line: psycopg adds
    hints on further lines, SQLAlchemy the statement and its parameters."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    # SQLAlchemy's own warnings end in a link to its documentation.
    text = str(cause).split(" (Background on this", 1)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


def _read_url(text: str) -> URL:
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is no number
        raise DatabaseURLError(text, f"not a URL that can be read ({exc})") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername=POSTGRES_DRIVER)
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseURLError(
            text, f"the switch speaks sqlite and postgresql, not {backend!r}; write {FORMS}"
        )
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise DatabaseURLError(
            text, f"there is no driver {url.drivername!r} here; write {FORMS}"
        ) from None
    return url


def _check_sqlite_folder(url: URL, text: str) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return  # in memory, or a SQLite URI that SQLite reads itself
    path = Path(database)
    try:
        folder_exists = path.parent.is_dir()
        is_folder = path.is_dir()
    except (OSError, ValueError) as exc:  # a name too long for the file system, say
        raise DatabaseURLError(text, f"the file system refuses the path ({exc})") from None
    if not folder_exists:
        raise DatabaseURLError(text, f"there is no folder {shown(str(path.parent))}")
    if is_folder:
        raise DatabaseURLError(text, "that is a folder, not a SQLite file")
