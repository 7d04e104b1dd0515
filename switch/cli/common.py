"""What the CLI verbs share: settings, failing with a reason on stderr."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

err_console = Console(stderr=True)


def fail(reason: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {reason}", highlight=False)
    raise typer.Exit(code)
