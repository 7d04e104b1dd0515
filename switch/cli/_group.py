"""The top-level `switch` group: every way a command can end is one line.

click prints a usage error as four lines (usage, hint, blank, message) and
an unexpected exception as a traceback. Scripts and operators read standard
error a line at a time, so here each ends as `error: …` on one line with
an exit code: 2 for a usage error, the exception's own for other click
errors, 130 for Ctrl-C, 1 for anything else. `SWITCH_DEBUG=1` lets an
unexpected exception through with its traceback, for whoever is fixing it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from typer import _click as click  # the click that typer >= 0.29 carries and raises
from typer.core import TyperGroup


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _end(message: str, code: int) -> NoReturn:
    click.echo(f"error: {_one_line(message)}", err=True)
    sys.exit(code)


class SwitchGroup(TyperGroup):
    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            # A bare group asks for its help; that is not an error worth a line.
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "switch"
            _end(f"{exc.format_message()} (see '{where} --help')", exc.exit_code)
        except click.exceptions.ClickException as exc:
            _end(exc.format_message(), exc.exit_code)
        except typer.Abort:
            _end("interrupted", 130)
        except OSError as exc:
            _end(f"{exc.strerror or exc}", 1)
        except Exception as exc:  # a bug: still one line, unless someone is debugging
            if os.environ.get("SWITCH_DEBUG") == "1":
                raise
            _end(f"unexpected {type(exc).__name__}: {exc} (SWITCH_DEBUG=1 shows where)", 1)
        sys.exit(code if isinstance(code, int) else 0)
