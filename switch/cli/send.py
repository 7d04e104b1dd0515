"""`switch send`: send one message, in-process or to a running hub."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import typer
from rich.console import Console

from switch import terminal
from switch.cli.common import fail
from switch.keys import Identity
from switch.runtime import Runtime
from switch.settings import Settings


async def _send_local(text: str, ori: str, wait: float) -> tuple[int, dict[str, Any]]:
    runtime = Runtime(Settings())
    runtime.start()
    try:
        # Local use is trusted: the identity is the ORI given, as a terminal's would be.
        identity = Identity(key_id="cli", ori=ori)
        reply = await runtime.hub.submit(identity, text.encode(), is_json=False, wait=wait)
    finally:
        await runtime.stop()
    return reply.status_code, reply.body


def _send_remote(text: str, hub: str, key: str, wait: float) -> tuple[int, dict[str, Any]]:
    try:
        response = httpx.post(
            hub.rstrip("/") + "/v1/messages",
            content=text.encode(),
            params={"wait": wait},
            headers={"Authorization": f"Bearer {key}", "Content-Type": "text/plain"},
            timeout=wait + 10,
        )
    except httpx.HTTPError as exc:
        fail(f"cannot reach the hub at {hub}: {exc}")
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        fail(f"the hub answered HTTP {response.status_code} with no JSON body")
    return response.status_code, body


def print_reply(console: Console, status: int, body: dict[str, Any]) -> None:
    if "error" in body:
        error = body["error"]
        console.print(error.get("er_text") or f"{error.get('code')} {error.get('message')}")
        return
    console.print(f"message {body['id']} ({status})", style="dim")
    for result in body.get("results", []):
        colour = "green" if result["decision"] == "permit" else "red"
        rule = f" rule {result['rule']}" if result.get("rule") else ""
        console.print(
            f"[{colour}]{result['destination']}: {result['decision']}{rule}"
            f" · {result['status']}[/]",
            highlight=False,
        )
        if result.get("response"):
            console.print(result["response"]["text"], highlight=False, markup=False)
    if "summary" in body:
        console.print({k: v for k, v in body["summary"].items() if v})


def send(
    text: str = typer.Argument(
        ..., help="The message in legacy text, e.g. DQ.NY0303000.WA.TXTOLN/…"
    ),
    as_ori: str = typer.Option(..., "--as", help="The sending agency's ORI."),
    hub: str | None = typer.Option(None, help="A running hub's URL; none: an in-process hub."),
    key: str | None = typer.Option(
        None, envvar="SWITCH_KEY", help="Agency key for --hub (or SWITCH_KEY)."
    ),
    wait: float = typer.Option(10.0, min=0, max=60, help="Seconds to wait for the states."),
    as_json: bool = typer.Option(False, "--json", help="Print the hub's JSON reply."),
) -> None:
    """Send one message and print what came back.

    Exits 1 when it was refused: an ER from the switch, or a policy at any
    destination denying it."""
    text = text.replace("\\n", "\n")
    if hub is None:
        status, body = asyncio.run(_send_local(text, as_ori.upper(), wait))
    else:
        if not key:
            fail("--hub needs an agency key: --key KEY or SWITCH_KEY (see `switch keys issue`)")
        status, body = _send_remote(text, hub, key, wait)
    if as_json:
        typer.echo(json.dumps(body, indent=1))
    else:
        print_reply(terminal.console(), status, body)
    denied = any(r.get("decision") == "deny" for r in body.get("results", []))
    if status >= 400 or denied:
        raise typer.Exit(1)


__all__ = ["print_reply", "send"]
