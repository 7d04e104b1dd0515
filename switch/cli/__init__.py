"""The `switch` command: one thin function per verb, calling the library."""

from __future__ import annotations

import typer

from switch.cli import (
    agencies,
    audit,
    demo,
    impact,
    keys,
    notices,
    policy,
    report,
    send,
    serve,
    sim,
    status,
    warrants,
)
from switch.cli._group import SwitchGroup

app = typer.Typer(
    name="switch",
    help="A simulated Nlets-style message switch with per-state access controls.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=SwitchGroup,
)
app.command("serve", short_help="Run the hub over HTTP.")(serve.serve)
app.command("send")(send.send)
app.command("agencies", short_help="List agencies in the directory.")(agencies.agencies)
app.command("demo", short_help="A hub, a narrated scenario and live traffic.")(demo.demo)
app.add_typer(keys.app, name="keys")
app.add_typer(policy.app, name="policy")
app.add_typer(warrants.app, name="warrants")
app.command("notices", short_help="List notices owed to subjects.")(notices.notices)
app.command("report", short_help="A state's transparency report.")(report.report)
app.add_typer(sim.app, name="sim")
app.add_typer(status.app, name="status")
app.add_typer(audit.app, name="audit")
app.add_typer(impact.app, name="impact")


def main() -> None:
    app()


__all__ = ["app", "main"]
