"""What the CLI verbs share: settings, failing with a reason on stderr."""

from __future__ import annotations

from collections.abc import Collection
from typing import NoReturn

import typer
from rich.markup import escape

from switch import terminal
from switch.directory import JURISDICTIONS

# Standard error for reasons and progress: soft-wrapped, never cut (switch.terminal).
err_console = terminal.console(stderr=True)


def fail(reason: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {reason}", highlight=False)
    raise typer.Exit(code)


def known_state(value: str, *, also: Collection[str] = ()) -> str:
    """The jurisdiction code `value` names, upper-cased (or one of `also`,
    which a verb accepts besides); fails with one line when it names none."""
    code = value.strip().upper()
    if code in JURISDICTIONS or code in also:
        return code
    besides = f"{', '.join(sorted(also))} or " if also else ""
    # Escaped: what was typed is shown as typed, never read as markup.
    fail(escape(f"unknown state {value!r}: expected {besides}a jurisdiction code such as WA"))
