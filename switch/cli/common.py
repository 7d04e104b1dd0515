"""What the CLI verbs share: settings, failing with a reason on stderr,
opening the audit database."""

from __future__ import annotations

from collections.abc import Collection
from typing import NoReturn

import typer
from rich.markup import escape
from sqlalchemy import Engine

from switch import terminal
from switch.db.database import connect_database
from switch.db.database_url import DatabaseURLError, missing_sqlite_file
from switch.directory import JURISDICTIONS

# Standard error for reasons and progress: soft-wrapped, never cut (switch.terminal).
err_console = terminal.console(stderr=True)


def fail(reason: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {reason}", highlight=False)
    raise typer.Exit(code)


def open_database(url: str, code: int = 1, *, existing: bool = False) -> Engine:
    """The engine on `url` (a database URL or a SQLite file's path), once it
    has answered, or fail with the one line saying why it cannot be opened.
    With `existing`, a SQLite file that is not there is refused, not made:
    reading a new empty one would hide a typo."""
    try:
        missing = missing_sqlite_file(url) if existing else None
        if missing is not None:
            fail(escape(f"no audit database at {missing}"), code)
        return connect_database(url)
    except DatabaseURLError as exc:
        # Escaped: a URL is shown as typed, never read as markup.
        fail(escape(exc.message), code)


def known_state(value: str, *, also: Collection[str] = ()) -> str:
    """The jurisdiction code `value` names, upper-cased (or one of `also`,
    which a verb accepts besides); fails with one line when it names none."""
    code = value.strip().upper()
    if code in JURISDICTIONS or code in also:
        return code
    besides = f"{', '.join(sorted(also))} or " if also else ""
    # Escaped: what was typed is shown as typed, never read as markup.
    fail(escape(f"unknown state {value!r}: expected {besides}a jurisdiction code such as WA"))
