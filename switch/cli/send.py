"""`switch send`: send one message, in-process or to a running hub."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import typer
from rich.console import Console

from switch import terminal
from switch.access.keys import Identity
from switch.app.runtime import Runtime
from switch.cli.common import fail
from switch.policy.store import NoPolicies
from switch.settings import Settings


async def _send_local(text: str, ori: str, wait: float) -> tuple[int, dict[str, Any]]:
    try:
        runtime = Runtime(Settings())
    except NoPolicies as exc:
        fail(exc.message)
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


# A summary line names at most this many states; past it, it only counts them.
NAMED_AT_MOST = 6


def print_reply(console: Console, status: int, body: dict[str, Any]) -> None:
    if "error" in body:
        error = body["error"]
        console.print(error.get("er_text") or f"{error.get('code')} {error.get('message')}")
        return
    console.print(f"message {body['id']} ({status})", style="dim")
    results: list[dict[str, Any]] = body.get("results", [])
    summary: dict[str, list[str]] | None = body.get("summary")
    if summary is None:
        for result in results:
            _print_result(console, result)
        return
    # A multi-state (NL) reply: the hits in full, then the other states in a few lines.
    hits = set(summary.get("hit", []))
    for result in results:
        if result["destination"] in hits:
            _print_result(console, result)
    for line in summary_lines(summary, results):
        console.print(line, highlight=False, markup=False)


def _print_result(console: Console, result: dict[str, Any]) -> None:
    colour = "green" if result["decision"] == "permit" else "red"
    rule = f" rule {result['rule']}" if result.get("rule") else ""
    console.print(
        f"[{colour}]{result['destination']}: {result['decision']}{rule} · {result['status']}[/]",
        highlight=False,
    )
    if result.get("response"):
        console.print(result["response"]["text"], highlight=False, markup=False)


def summary_lines(summary: dict[str, list[str]], results: list[dict[str, Any]]) -> list[str]:
    """An NL reply's summary as an operator reads it: which states hit, how
    many had nothing, and which did not answer or were refused (when few)."""
    shown = {r["destination"]: r for r in results}

    def why_not(state: str) -> str:
        result = shown.get(state)
        return f"{state} {result['status'].replace('_', ' ')}" if result else state

    def refused_by(state: str) -> str:
        rule = (shown.get(state) or {}).get("rule")
        return f"{state} {rule}" if rule else state

    hits = summary.get("hit", [])
    return [
        f"hit: {len(hits)}" + (f" ({', '.join(hits)})" if hits else ""),
        f"no hit: {len(summary.get('no_hit', []))}",
        _named("no answer", [why_not(s) for s in summary.get("no_response", [])]),
        _named("denied", [refused_by(s) for s in summary.get("denied", [])]),
    ]


def _named(label: str, states: list[str]) -> str:
    if not states or len(states) > NAMED_AT_MOST:
        return f"{label}: {len(states)}"
    return f"{label}: {len(states)} ({', '.join(states)})"


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


__all__ = ["print_reply", "send", "summary_lines"]
