"""What the CLI verbs share: settings, failing with a reason on stderr."""

from __future__ import annotations

from typing import NoReturn

import typer

from switch import terminal

# Standard error for reasons and progress: soft-wrapped, never cut (switch.terminal).
err_console = terminal.console(stderr=True)


def fail(reason: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {reason}", highlight=False)
    raise typer.Exit(code)
