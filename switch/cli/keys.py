"""`switch keys issue|list|revoke`: make, show and revoke API keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import typer
from rich.table import Table
from sqlalchemy import Engine

from switch import terminal
from switch.access.keys import KeyInfo, issue_key, list_keys, revoke_key
from switch.audit.acts import KEY_ISSUE, KEY_REVOKE, Act, Actor, acting
from switch.cli.common import err_console, fail, known_state, open_database
from switch.db.database import migrate
from switch.directory import Directory
from switch.errors import NotFoundError
from switch.moments import ISO_HINT, end_after, read_moment
from switch.settings import Settings

app = typer.Typer(help="Issue, list and revoke API keys.", no_args_is_help=True)


@contextmanager
def _engine(settings: Settings) -> Iterator[Engine]:
    engine = open_database(settings.database_url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


def expiry(text: str, now: datetime) -> datetime:
    """When a key given `--expires TEXT` stops working: a number of days from
    now, or an ISO date (the key works through that day, UTC) or time.
    Raises ValueError with the reason."""
    value = text.strip()
    if value.isdigit():
        days = int(value)
        if days < 1:
            raise ValueError("--expires takes at least 1 day")
        return now + timedelta(days=days)
    try:
        moment, whole_day = read_moment(value)
    except ValueError:
        raise ValueError(f"--expires takes a number of days or {ISO_HINT}, not {text!r}") from None
    ends = end_after(moment, True) if whole_day else moment
    if ends <= now:
        raise ValueError(f"--expires {text} is already past")
    return ends


@app.command("issue")
def issue(
    ori: str | None = typer.Argument(None, help="The agency ORI the key is bound to."),
    admin: str | None = typer.Option(None, "--admin", help="Admin scope: * or a state code."),
    expires: str | None = typer.Option(
        None, "--expires", help="Days until it expires, or the last date (or time) it works."
    ),
) -> None:
    """Print a new key alone on standard output; it is not shown again."""
    settings = Settings()
    if (ori is None) == (admin is None):
        fail("give an ORI or --admin SCOPE (one of them)")
    if ori is not None:
        ori = ori.upper()
        if Directory.load(settings.directory).get(ori) is None:
            fail(f"ORI {ori} is not in the directory (see `switch agencies`)")
    if admin is not None:
        admin = known_state(admin, also={"*"})
    expires_at = None
    if expires is not None:
        try:
            expires_at = expiry(expires, datetime.now(UTC))
        except ValueError as exc:
            fail(str(exc))
    with _engine(settings) as engine:
        act = Act(Actor.local("switch keys issue"), KEY_ISSUE)
        secret = issue_key(engine, ori=ori, admin_scope=admin, expires_at=expires_at, act=act)
    until = f", expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ""
    err_console.print(
        f"key for {ori or 'admin ' + str(admin)}{until} (store it now; it is shown once)",
        highlight=False,
    )
    typer.echo(secret)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "-"


def _table(keys: list[KeyInfo]) -> Table:
    table = Table("id", "bound to", "created", "expires", "revoked", "status")
    for key in keys:
        bound = key.ori if key.ori is not None else f"admin {key.admin_scope}"
        table.add_row(
            key.id,
            bound,
            _when(key.created_at),
            _when(key.expires_at),
            _when(key.revoked_at),
            key.status(),
        )
    return table


@app.command("list", short_help="List every key (never its secret).")
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """Every key: id, ORI or admin scope, when made, expiry, revocation (times in UTC).
    Never the secret, which is not kept."""
    with _engine(Settings()) as engine:
        keys = list_keys(engine)
    if as_json:
        typer.echo(json.dumps([key.as_dict() for key in keys]))
        return
    if not keys:
        err_console.print("no keys yet (`switch keys issue ORI`)")
        return
    terminal.console().print(_table(keys))


@app.command("revoke")
def revoke(
    key_id: str = typer.Argument(..., metavar="ID", help="The key's id (see `switch keys list`)."),
) -> None:
    """Revoke a key: a running hub refuses it within about a second."""
    key_id = key_id.strip().lower()
    actor = Actor.local("switch keys revoke")
    with _engine(Settings()) as engine:
        try:
            with acting(engine, actor, KEY_REVOKE, target=key_id) as act:
                key = revoke_key(engine, key_id, act=act)
        except NotFoundError as err:
            fail(err.message)
    assert key.revoked_at is not None
    err_console.print(f"key {key.id} revoked at {key.revoked_at:%Y-%m-%d %H:%M:%S} UTC")
