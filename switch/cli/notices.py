"""`switch notices`: what is owed to people whose records were released."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from switch import terminal
from switch.audit.acts import NOTICES_SENT, Actor, acting
from switch.cli.common import err_console, fail, known_state, open_database
from switch.db.database import migrate
from switch.notices import list_notices, mark_sent
from switch.settings import Settings


def notices(
    state: str | None = typer.Option(None, "--state", help="Only this state's notices."),
    limit: int = typer.Option(100, "--limit", help="At most this many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    mark_sent_: list[int] = typer.Option(
        [], "--mark-sent", help="Record that notice SEQ was sent (repeatable)."
    ),
) -> None:
    """List notices owed to subjects under notify_subject obligations, newest first;
    with --mark-sent, first record that those notices went out."""
    if limit < 1:
        fail("--limit must be at least 1")
    code = known_state(state) if state is not None else None
    engine = open_database(Settings().database_url)
    try:
        migrate(engine)
        if mark_sent_:
            actor = Actor.local("switch notices --mark-sent")
            with acting(engine, actor, NOTICES_SENT, state=code) as act:
                changed = mark_sent(engine, mark_sent_, state=code, act=act)
            err_console.print(f"marked {changed} of {len(mark_sent_)} notice(s) sent")
            if changed != len(set(mark_sent_)):
                fail("some notices were not found, were another state's, or were already sent")
        found = list_notices(engine, state=code, limit=limit)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(found, indent=1))
        return
    if not found:
        err_console.print("no notices" + (f" for {code}" if code else ""))
        return
    table = Table()
    table.add_column("#", no_wrap=True)
    table.add_column("Due", no_wrap=True)
    table.add_column("Sent", no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("Requester", no_wrap=True)
    table.add_column("Subject")
    table.add_column("Rule")
    # The id to look the message up by; fold rather than cut it on a narrow terminal.
    table.add_column("Message", overflow="fold")
    for n in found:
        table.add_row(
            str(n["seq"]),
            n["due_date"],
            (n["sent_at"] or "")[:10],
            n["state"],
            n["requester_ori"],
            n["subject"],
            n["rule"] or "",
            n["message_id"],
        )
    terminal.console().print(table)
