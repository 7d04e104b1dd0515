"""`switch send`: send one message, in-process or to a running hub."""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from typing import Any

import httpx
import typer
from rich.console import Console

from switch import terminal
from switch.access.keys import Identity
from switch.app.runtime import Runtime
from switch.cli.common import fail
from switch.errors import MessageError, NotAllowed
from switch.messages import (
    Message,
    OutputMessage,
    from_xml,
    output_to_xml,
    parse,
    parse_output,
    render,
    render_output,
    to_json,
    to_xml,
)
from switch.messages.xmlform import CONTENT_TYPE as XML_CONTENT_TYPE
from switch.messages.xmlreply import reply_from_xml
from switch.policy.store import NoPolicies
from switch.settings import Settings


class ShowForm(StrEnum):
    text = "text"
    json = "json"
    xml = "xml"


async def _send_local(
    text: str, ori: str, wait: float, form: str = "text"
) -> tuple[int, dict[str, Any]]:
    try:
        runtime = Runtime(Settings())
    except NoPolicies as exc:
        fail(exc.message)
    runtime.start()
    try:
        # Local use is trusted: the identity is the ORI given, as a terminal's would be.
        identity = Identity(key_id="cli", ori=ori)
        reply = await runtime.hub.submit(identity, text.encode(), form=form, wait=wait)
    finally:
        await runtime.stop()
    return reply.status_code, reply.body


_CONTENT_TYPES = {"text": "text/plain", "xml": XML_CONTENT_TYPE}


def _send_remote(
    text: str, hub: str, key: str, wait: float, form: str = "text"
) -> tuple[int, dict[str, Any]]:
    try:
        response = httpx.post(
            hub.rstrip("/") + "/v1/messages",
            content=text.encode(),
            params={"wait": wait},
            headers={"Authorization": f"Bearer {key}", "Content-Type": _CONTENT_TYPES[form]},
            timeout=wait + 10,
        )
    except httpx.HTTPError as exc:
        fail(f"cannot reach the hub at {hub}: {exc}")
    if "xml" in response.headers.get("content-type", ""):
        try:
            return response.status_code, reply_from_xml(response.content)
        except MessageError as err:
            fail(f"the hub answered HTTP {response.status_code} with XML it cannot read: {err}")
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        fail(f"the hub answered HTTP {response.status_code} with no JSON body")
    return response.status_code, body


def as_xml(text: str) -> str:
    """The XML to send for TEXT: an XML document as given, legacy text
    converted; a text that cannot be converted fails with its ER's line."""
    if text.lstrip().startswith("<"):
        return text
    try:
        return to_xml(parse(text))
    except MessageError as err:
        fail(f"cannot write it as XML: {err.er_text.splitlines()[0]}: {err.message}")


def shown(text: str, form: str) -> str:
    """TEXT (legacy text or XML, an input or an output message) in `form`."""
    try:
        if text.lstrip().startswith("<"):
            return _show(from_xml(text), form)
        try:
            return _show(parse(text), form)
        except NotAllowed:  # an output message's key: DR, ER, SM...
            return _show(parse_output(text), form)
    except MessageError as err:
        fail(f"{err.er_text.splitlines()[0]}: {err.message}")


def _show(message: Message | OutputMessage, form: str) -> str:
    if isinstance(message, OutputMessage):
        if form == "json":
            fail("an output message has no JSON form of its own; --show text or xml")
        return output_to_xml(message) if form == "xml" else render_output(message)
    if form == "json":
        return json.dumps(to_json(message))
    return to_xml(message) if form == "xml" else render(message)


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
    as_ori: str | None = typer.Option(None, "--as", help="The sending agency's ORI."),
    hub: str | None = typer.Option(None, help="A running hub's URL; none: an in-process hub."),
    key: str | None = typer.Option(
        None, envvar="SWITCH_KEY", help="Agency key for --hub (or SWITCH_KEY)."
    ),
    wait: float = typer.Option(10.0, min=0, max=60, help="Seconds to wait for the states."),
    as_json: bool = typer.Option(False, "--json", help="Print the hub's JSON reply."),
    xml: bool = typer.Option(
        False, "--xml", help="Send it in Nlets XML 4.00 (TEXT converted, or an XML document)."
    ),
    show: ShowForm | None = typer.Option(
        None, help="Print the message in this form (text, json or xml) and send nothing."
    ),
) -> None:
    """Send one message and print what came back.

    Exits 1 when it was refused: an ER from the switch, or a policy at any
    destination denying it."""
    text = text.replace("\\n", "\n")
    if show is not None:
        typer.echo(shown(text, show.value))
        return
    if as_ori is None:
        fail("send needs --as ORI, the sending agency (or --show FORM to only print it)")
    form = "xml" if xml else "text"
    if xml:
        text = as_xml(text)
    if hub is None:
        status, body = asyncio.run(_send_local(text, as_ori.upper(), wait, form))
    else:
        if not key:
            fail("--hub needs an agency key: --key KEY or SWITCH_KEY (see `switch keys issue`)")
        status, body = _send_remote(text, hub, key, wait, form)
    if as_json:
        typer.echo(json.dumps(body, indent=1))
    else:
        print_reply(terminal.console(), status, body)
    denied = any(r.get("decision") == "deny" for r in body.get("results", []))
    if status >= 400 or denied:
        raise typer.Exit(1)


__all__ = ["as_xml", "print_reply", "send", "shown", "summary_lines"]
