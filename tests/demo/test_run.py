"""`switch demo` runs the narrated scenario through a live hub, then live
traffic and a summary; with --serve it serves on, and the traffic command it
printed drives it."""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import Result
from rich.console import Console
from sqlalchemy import func, select
from typer.testing import CliRunner

from simulators.scenarios._model import NarrateStep, SendStep
from switch.cli import app
from switch.db.database import open_engine
from switch.db.schema import audit_records
from switch.demo.run import narration, run_demo
from switch.demo.traffic import CYCLE

# The states whose shipped policies refuse ICE (policies/*.yaml).
REFUSING = ("IL", "MA", "MN", "NY", "WA")
# Shorter than one cycle of live traffic at a message a second: the demo
# still sends the whole cycle, a refusal included.
DURATION = 2.0
FLOW = re.compile(r"(?P<flow>\S+ → hub → .+) (?P<ms>\d+\.\d) ms in hub")


PASTE_HINT = "More traffic, from another terminal while the hub runs:"


@dataclass
class Trainer:
    """The clock moves only when the demo sleeps, so the live part sends the
    same messages however fast the machine is. Once the demo serves on
    (--serve), the trainer pastes the traffic command it printed, for a
    second rather than a minute, then presses Ctrl-C."""

    console: Console
    now: float = 0.0
    pasted: list[str] = field(default_factory=list)
    ran: Result | None = None
    audited: tuple[int, int] = (0, 0)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        lines = self.console.export_text(clear=False).splitlines()
        if not any(line.startswith("Still serving at ") for line in lines):
            self.now += seconds
            return
        self.pasted = shlex.split(lines[lines.index(PASTE_HINT) + 1])
        args = self.pasted[1:]
        args[args.index("--duration") + 1] = "1"
        (database,) = re.findall(r"audit in (\S+)$", lines[0])
        before = _audited(database)
        self.ran = CliRunner().invoke(app, [*args, "--json"])
        self.audited = (before, _audited(database))
        raise KeyboardInterrupt


def _audited(database: str) -> int:
    engine = open_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_records)).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Trainer]:
    """One demo at 120 columns with --serve: its output, the folder it ran
    in, and what the trainer did with it."""
    root = tmp_path_factory.mktemp("demo")
    console = Console(record=True, width=120, force_terminal=False)
    trainer = Trainer(console)
    sent = run_demo(
        duration=DURATION,
        pace=1.0,
        keep_serving=True,
        root=root,
        console=console,
        clock=trainer.clock,
        sleep=trainer.sleep,
    )
    sends = [step for step in narration().steps if isinstance(step, SendStep)]
    assert sent == len(sends) + len(CYCLE)
    return console.export_text(), root, trainer


def _live(out: str) -> list[str]:
    """The flow lines of the live part."""
    live = out.split("\nLive traffic\n", 1)[1].split("Demo summary", 1)[0]
    return [line for line in live.splitlines()[1:] if line.strip()]


def test_demo_plays_every_flow_then_summarises(played: tuple[str, Path, Trainer]) -> None:
    out, root, _ = played
    lines = out.splitlines()
    # In and out of state, ICE, NL, a malformed message, an AM: each shown.
    assert "NY0303000 → hub → policy permit → NY → answered · DR" in out
    assert "NY0303000 → hub → policy permit → WA → answered · DR" in out
    # Washington refuses ICE and says why; Texas answers; MA refuses HSI.
    assert "VTICE0900 → hub → policy deny wa-no-ice → WA → rejected · ER" in out
    assert "DENIED BY WA POLICY RULE wa-no-ice: Keep Washington Working" in out
    # ...at its own switch, ACCESS, and the narration says so.
    assert "rejected · ER · refused at WA's switch WAWSP0000" in out
    assert "REFUSED AT WA STATE SWITCH ACCESS (WAWSP0000), NOT SENT TO WAOLN0000" in out
    assert "ACCESS (WAWSP0000), not Nlets, answers" in " ".join(out.split())
    assert "VTICE0900 → hub → policy permit → TX → answered · DR" in out
    assert "NYHSI0200 → hub → policy deny ma-no-ice → MA → rejected" in out
    # An I-200 does not open New York; a judicial warrant does.
    assert "policy deny ny-immigration-judicial-only → NY → rejected" in out
    assert "policy permit ny-immigration-judicial-release → NY → answered" in out
    assert "NL summary — hit: " in out
    assert "ER .05." in out
    assert "→ WAOLN0000 → delivered" in out
    assert "Demo summary" in [line.strip() for line in lines]
    (run,) = root.glob("run-*")
    assert (run / "demo.db").exists()
    assert f"audit in {run / 'demo.db'}" in lines[0]


def test_step_titles_wrap_whole_at_120_columns(played: tuple[str, Path, Trainer]) -> None:
    out, _, _ = played
    assert "…" not in out
    words = " ".join(out.split())
    narrations = [step for step in narration().steps if isinstance(step, NarrateStep)]
    for number, step in enumerate(narrations, start=1):
        assert f"{number}. {' '.join(step.narrate.split())}" in words
    # What steps 6 and 7 are about is at the ends of their titles.
    assert "the Green Light law wants a judge's signature, so New York refuses." in words
    assert "a notice to the driver falls due within three business days." in words


def test_a_short_demos_live_traffic_shows_federal_queries_refused(
    played: tuple[str, Path, Trainer],
) -> None:
    out, _, _ = played
    flows = [FLOW.fullmatch(line) for line in _live(out)]
    assert len(flows) == len(CYCLE) and all(flows)
    denials = [m["flow"] for m in flows if m and " policy deny " in m["flow"]]
    assert denials
    for flow in denials:
        rule = re.fullmatch(r"(\w+) → hub → policy deny (\S+) → (\w\w) → rejected · ER", flow)
        assert rule, flow
        assert rule[3] in REFUSING and rule[2].startswith(rule[3].lower() + "-"), flow


def test_latencies_say_what_they_measure(played: tuple[str, Path, Trainer]) -> None:
    out, _, _ = played
    rows = [re.sub(r"\s+", " ", line.strip("│ ")) for line in out.splitlines() if "latency" in line]
    assert [re.sub(r"\d+\.\d$", "N", row) for row in rows] == [
        "latency p50 end to end (ms) │ N",
        "latency p95 end to end (ms) │ N",
        "latency p50 in hub (ms) │ N",
        "latency p95 in hub (ms) │ N",
    ]
    # Right under the table, in words.
    after_table = " ".join(out.split("└", 1)[1].split("\n", 1)[1].split())
    assert after_table.startswith(
        "Latency end to end: from the sender's request to its reply, as the sender sees it "
        "(HTTP, parsing, policy, state, audit write). Latency in hub: the policy decision and "
        "the state's answer, the ms on each flow line."
    )


def test_the_printed_traffic_command_drives_the_running_demo(
    played: tuple[str, Path, Trainer],
) -> None:
    out, root, trainer = played
    lines = out.splitlines()
    (run,) = root.glob("run-*")
    url = re.findall(r"at (http://127\.0\.0\.1:\d+) ", lines[0])[0]
    program, *args = trainer.pasted
    assert program == "switch" or (Path(program).name == "switch" and os.access(program, os.X_OK))
    assert args == [
        *("sim", "traffic", "--hub", url, "--keys", str((run / "keys.json").resolve())),
        *("--profile", "letter-2025", "--rate", "5", "--duration", "60"),
    ]
    # After the summary the demo serves on and prints the command again.
    at = lines.index(f"Still serving at {url}; Ctrl-C to stop. More traffic:")
    assert shlex.split(lines[at + 1]) == trainer.pasted
    assert trainer.ran is not None and trainer.ran.exit_code == 0, trainer.ran
    summary = json.loads(trainer.ran.stdout)
    assert summary["sent"] == 5 and summary["errors"] == 0, summary
    before, after = trainer.audited
    assert after - before == summary["sent"]
