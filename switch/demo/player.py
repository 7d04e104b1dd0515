"""Plays messages through a live hub over HTTP and shows each flow.

A flow reads left to right as the query travels:
agency -> hub -> policy (permit/deny, rule) -> state -> reply.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from switch import terminal
from switch.demo.scenario import Step

# The two latencies measure different spans, so each is named where it shows.
END_TO_END = "end to end"
IN_HUB = "in hub"
LATENCY_NOTE = (
    f"Latency {END_TO_END}: from the sender's request to its reply, as the sender sees it "
    "(HTTP, parsing, policy, state, audit write). "
    f"Latency {IN_HUB}: the policy decision and the state's answer, the ms on each flow line."
)


@dataclass(slots=True)
class Tally:
    """What the demo saw, for the closing summary."""

    end_to_end_ms: list[float] = field(default_factory=list)
    in_hub_ms: list[float] = field(default_factory=list)
    by_key: Counter[str] = field(default_factory=Counter)
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_state: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, key: str, status: int, body: dict[str, Any], elapsed_ms: float) -> None:
        self.end_to_end_ms.append(elapsed_ms)
        self.by_key[key] += 1
        if "error" in body:
            self.by_outcome[f"ER {body['error']['code']}"] += 1
            return
        for result in body.get("results", []):
            self.by_outcome[f"{result['decision']} · {result['status']}"] += 1
            self.by_state[(result["destination"], result["decision"])] += 1
            if "latency_ms" in result:
                self.in_hub_ms.append(result["latency_ms"])

    def table(self) -> Table:
        table = Table(title="Demo summary", show_lines=False)
        table.add_column("What")
        table.add_column("Count", justify="right")
        for key, count in sorted(self.by_key.items()):
            table.add_row(f"messages {key}", str(count))
        for outcome, count in sorted(self.by_outcome.items()):
            table.add_row(outcome, str(count))
        for span, values in ((END_TO_END, self.end_to_end_ms), (IN_HUB, self.in_hub_ms)):
            if values:
                p50, p95 = _percentiles(values)
                table.add_row(f"latency p50 {span} (ms)", f"{p50:.1f}")
                table.add_row(f"latency p95 {span} (ms)", f"{p95:.1f}")
        return table

    def show(self, console: Console) -> None:
        """The table, and what its two latencies measure (prose, so wrapped)."""
        console.print()
        console.print(self.table())
        console.print(LATENCY_NOTE, style="dim", soft_wrap=False, highlight=False)


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


class Player:
    def __init__(self, base_url: str, keys: dict[str, str], console: Console) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=70.0)
        self._keys = keys
        self._console = console
        self.tally = Tally()

    def wait_until_warm(self, timeout: float = 20.0) -> None:
        """The built-in DMVs index names behind start-up; a narrated NL query
        should not pay for that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._client.get("/healthz").json().get("warm"):
                return
            time.sleep(0.1)

    def close(self) -> None:
        self._client.close()

    def send(self, sender: str, text: str, *, wait: float = 10.0) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        response = self._client.post(
            "/v1/messages",
            content=text.encode(),
            params={"wait": wait},
            headers={"Authorization": f"Bearer {self._keys[sender]}", "Content-Type": "text/plain"},
        )
        elapsed = (time.perf_counter() - started) * 1000.0
        body: dict[str, Any] = response.json()
        self.tally.add(text.split(".", 1)[0], response.status_code, body, elapsed)
        return response.status_code, body

    def play_step(self, number: int, step: Step) -> None:
        terminal.heading(self._console, f"{number}. {step.narration}")
        self._console.print(f"[dim]{step.sender} sends[/] {step.text}", highlight=False)
        status, body = self.send(step.sender, step.text)
        self.show(step.sender, status, body, verbose=True)

    def show(self, sender: str, status: int, body: dict[str, Any], *, verbose: bool) -> None:
        if "error" in body:
            err = body["error"]
            self._console.print(
                f"{sender} → hub → [bold red]ER {err['code']}[/] ({status}) {err['message']}",
                highlight=False,
            )
            if verbose and err.get("er_text"):
                self._console.print(err["er_text"], style="red", highlight=False, markup=False)
            return
        for result in body.get("results", []):
            permit = result["decision"] == "permit"
            colour = "green" if permit else "red"
            rule = f" [dim]{result['rule']}[/]" if result.get("rule") else ""
            response = result.get("response") or {}
            hit = response.get("key")
            if response and hit not in ("AM", "ER", "SM") and not response.get("fields"):
                hit = "NOT ON FILE"
            self._console.print(
                f"{sender} → hub → policy [{colour}]{result['decision']}[/]{rule} → "
                f"{result['destination']} → {result['status']}"
                f"{' · ' + hit if hit else ''} [dim]{result['latency_ms']:.1f} ms {IN_HUB}[/]",
                highlight=False,
            )
            if verbose and response:
                self._console.print(response["text"], style="dim", highlight=False, markup=False)
        summary = body.get("summary")
        if summary:
            parts = [
                f"{k}: {len(v)}" + (f" ({','.join(v)})" if len(v) < 6 else "")
                for k, v in summary.items()
                if v
            ]
            self._console.print("NL summary — " + "; ".join(parts), highlight=False)
