"""Consoles for the command line that never break a line meant for machines.

`file:line: reason`, ER and SM texts, JSON, CSV and one-line summaries are
read by scripts and grep, so they must come out whole at any width. Two
rules make that so:

- every console soft-wraps: a printed string is never folded by rich (a
  terminal may still show it folded, but the bytes hold one line);
- a console whose stream is not a terminal ignores `COLUMNS` and takes
  `PIPE_WIDTH`, so a table piped to a file is laid out at its natural width
  instead of being squeezed and cut to 80 columns.

Renderables that fill the width (rules, expanded panels) would fill
`PIPE_WIDTH` on a pipe; use `heading` instead of a rule, and `expand=False`
on panels.
"""

from __future__ import annotations

import sys
from typing import IO

from rich.console import Console
from rich.text import Text

# Wide enough for any table this tool prints; rich lays a table out at its
# natural width when that is less, so nothing is padded to it.
PIPE_WIDTH = 1000


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def console(*, stderr: bool = False, highlight: bool = True) -> Console:
    """A console on standard output (or standard error) for CLI output."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if _is_terminal(stream) else PIPE_WIDTH
    return Console(stderr=stderr, soft_wrap=True, width=width, highlight=highlight)


def heading(target: Console, title: str, style: str = "bold cyan") -> None:
    """A section title, wrapped rather than cut, underlined to its own length."""
    text = Text(title, style=style)
    target.print()
    target.print(text, soft_wrap=False)
    target.print("─" * min(len(title), target.width), style="cyan", soft_wrap=False)


__all__ = ["PIPE_WIDTH", "console", "heading"]
