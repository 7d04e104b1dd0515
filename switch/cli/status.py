"""`switch status`: mark a state out of service for message keys (`out`:
kept, `.02.`; `remove`: not kept, `.04.`), return it, list the marks.

With --hub the running hub is told over HTTP (admin key) and acts at once;
without, the audit database is changed and a hub on it picks the change up
at its next forwarding probe (`SWITCH_FORWARD_PROBE_SECONDS`).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import typer

from switch.audit.acts import STATUS_IN, STATUS_OUT, STATUS_REMOVE, Actor, acting
from switch.cli.common import fail, known_state, open_database
from switch.db.database import migrate
from switch.forwarding import status as service_status
from switch.messages.model import QUERY_KEYS
from switch.settings import Settings

app = typer.Typer(help="Mark states out of service and return them.", no_args_is_help=True)

_VERBS = {STATUS_OUT: "out", STATUS_REMOVE: "remove", STATUS_IN: "in"}
KEYS_HELP = "Comma-separated message keys (default: every key the state answers)."


def _keys(keys: str | None) -> list[str] | None:
    if not keys:
        return None
    wanted = [k.strip().upper() for k in keys.split(",") if k.strip()]
    unknown = sorted(set(wanted) - QUERY_KEYS)
    if unknown:
        fail(f"not query keys: {', '.join(unknown)}")
    return wanted


def _remote(method: str, hub: str, key: str | None, path: str, body: Any = None) -> Any:
    if not key:
        fail("--hub needs an admin key: --key KEY or SWITCH_KEY")
    try:
        response = httpx.request(
            method,
            hub.rstrip("/") + path,
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
    except httpx.HTTPError as exc:
        fail(f"cannot reach the hub at {hub}: {exc}")
    if response.status_code >= 400:
        fail(f"the hub answered HTTP {response.status_code}: {response.text}")
    return response.json()


def _local_marks(settings: Settings) -> service_status.Marks:
    engine = open_database(settings.database_url)
    try:
        migrate(engine)
        return service_status.load(engine)
    finally:
        engine.dispose()


HubOption = typer.Option(None, help="A running hub's URL; none: the audit database.")
KeyOption = typer.Option(None, envvar="SWITCH_KEY", help="Admin key for --hub (or SWITCH_KEY).")


def _change(
    method: str,
    state: str,
    keys: str | None,
    hub: str | None,
    key: str | None,
    *,
    forward: bool = True,
) -> None:
    """Mark (PUT) or clear (DELETE) a state's out-of-service keys, over HTTP
    or in the audit database, and print the state's marks."""
    state = known_state(state)
    wanted = _keys(keys)
    if hub is not None:
        body: dict[str, Any] | None = {"keys": wanted} if wanted else None
        if not forward:
            body = {**(body or {}), "forward": False}
        typer.echo(json.dumps(_remote(method, hub, key, f"/v1/status/{state}", body)))
        return
    settings = Settings()
    engine = open_database(settings.database_url)
    name = STATUS_IN if method == "DELETE" else STATUS_OUT if forward else STATUS_REMOVE
    try:
        migrate(engine)
        actor = Actor.local(f"switch status {_VERBS[name]} {state}")
        with acting(engine, actor, name, target=state, state=state) as act:
            if method == "PUT":
                marked = wanted or sorted(QUERY_KEYS)
                service_status.mark(engine, state, marked, forward=forward, act=act)
            else:
                service_status.clear(engine, state, wanted, act=act)
    finally:
        engine.dispose()
    typer.echo(json.dumps({"state": state, **_local_marks(settings).of(state)}))


@app.command("out")
def out(
    state: str = typer.Argument(..., help="Two-letter state code."),
    keys: str | None = typer.Option(None, help=KEYS_HELP),
    hub: str | None = HubOption,
    key: str | None = KeyOption,
) -> None:
    """Mark STATE out of service: its queries are answered .02. and kept."""
    _change("PUT", state, keys, hub, key)


@app.command("remove")
def remove(
    state: str = typer.Argument(..., help="Two-letter state code."),
    keys: str | None = typer.Option(None, help=KEYS_HELP),
    hub: str | None = HubOption,
    key: str | None = KeyOption,
) -> None:
    """Put STATE on remove status: its queries are answered .04. and not kept
    (queries already kept for it are given up, with a .04.)."""
    _change("PUT", state, keys, hub, key, forward=False)


@app.command("in", short_help="Return STATE to service.")
def back_in(
    state: str = typer.Argument(..., help="Two-letter state code."),
    keys: str | None = typer.Option(None, help=KEYS_HELP),
    hub: str | None = HubOption,
    key: str | None = KeyOption,
) -> None:
    """Return STATE to service: what was kept for it is forwarded in order."""
    _change("DELETE", state, keys, hub, key)


@app.command("show")
def show(hub: str | None = HubOption, key: str | None = KeyOption) -> None:
    """Every state marked out of service, as JSON."""
    if hub is not None:
        typer.echo(json.dumps(_remote("GET", hub, key, "/v1/status")))
        return
    marks = _local_marks(Settings())
    states = [{"state": s, **marks.of(s)} for s in marks.states()]
    typer.echo(json.dumps({"states": states}))
