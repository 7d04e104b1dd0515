"""`switch keys issue`: make an agency or admin key."""

from __future__ import annotations

import typer

from switch.audit.database import migrate, open_engine
from switch.cli.common import err_console, fail
from switch.directory import JURISDICTIONS, Directory
from switch.keys import issue_key
from switch.settings import Settings

app = typer.Typer(help="Issue API keys.", no_args_is_help=True)


@app.command("issue")
def issue(
    ori: str | None = typer.Argument(None, help="The agency ORI the key is bound to."),
    admin: str | None = typer.Option(None, "--admin", help="Admin scope: * or a state code."),
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
        admin = admin.upper()
        if admin != "*" and admin not in JURISDICTIONS:
            fail(f"admin scope must be * or a state code, not {admin}")
    engine = open_engine(settings.database_url)
    try:
        migrate(engine)
        secret = issue_key(engine, ori=ori, admin_scope=admin)
    finally:
        engine.dispose()
    err_console.print(f"key for {ori or 'admin ' + str(admin)} (store it now; it is shown once)")
    typer.echo(secret)
