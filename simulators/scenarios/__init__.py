"""Scenarios for trainers: YAML files of narrated steps (who sends what to
whom, pauses, fault switches on mock states, expected outcomes) played
through a hub, failing loudly when an outcome is not the expected one.

    from simulators.harness import play
    from simulators.scenarios import load_scenario

    outcome = play(load_scenario("ice-2025"), pace=0)
    assert outcome.passed, outcome.failure

`play` starts a hub of the scenario's own, so it lives in the harness
(above the server); this package needs no hub to be running, and the hub's
API imports it for the trainer's page (`ScenarioRun`, `ScenarioRunner`).

From the shell: `switch sim scenario ice-2025` (or a file path).
"""

from simulators.scenarios._loader import (
    ScenarioError,
    load_scenario,
    parse_scenario,
    shipped_names,
    shipped_scenarios,
)
from simulators.scenarios._model import Expect, ResultExpect, Scenario, WarrantSpec
from simulators.scenarios._player import (
    IN_HUB,
    Line,
    Outcome,
    ScenarioPlayer,
    StepFailure,
    Target,
    flow_lines,
)
from simulators.scenarios._run import console_narrator, play_async, play_session
from simulators.scenarios._runs import RunStatus, ScenarioRun, ScenarioRunner
from simulators.scenarios._targets import (
    ClientTarget,
    Session,
    SetupError,
    issue_warrants,
    prepare,
    remote_session,
)

__all__ = [
    "IN_HUB",
    "ClientTarget",
    "Expect",
    "Line",
    "Outcome",
    "ResultExpect",
    "RunStatus",
    "Scenario",
    "ScenarioError",
    "ScenarioPlayer",
    "ScenarioRun",
    "ScenarioRunner",
    "Session",
    "SetupError",
    "StepFailure",
    "Target",
    "WarrantSpec",
    "console_narrator",
    "flow_lines",
    "issue_warrants",
    "load_scenario",
    "parse_scenario",
    "play_async",
    "play_session",
    "prepare",
    "remote_session",
    "shipped_names",
    "shipped_scenarios",
]
