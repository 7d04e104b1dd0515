"""Scenarios for trainers: YAML files of narrated steps (who sends what to
whom, pauses, fault switches on mock states, expected outcomes) played
through a hub, failing loudly when an outcome is not the expected one.

    from simulators.scenarios import load_scenario, play

    outcome = play(load_scenario("ice-2025"), pace=0)
    assert outcome.passed, outcome.failure

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
from simulators.scenarios._player import Line, Outcome, ScenarioPlayer, StepFailure, Target
from simulators.scenarios._run import console_narrator, play, play_async, play_session
from simulators.scenarios._targets import (
    ClientTarget,
    Session,
    SetupError,
    local_session,
    prepare,
    remote_session,
)

__all__ = [
    "ClientTarget",
    "Expect",
    "Line",
    "Outcome",
    "ResultExpect",
    "Scenario",
    "ScenarioError",
    "ScenarioPlayer",
    "Session",
    "SetupError",
    "StepFailure",
    "Target",
    "WarrantSpec",
    "console_narrator",
    "load_scenario",
    "local_session",
    "parse_scenario",
    "play",
    "play_async",
    "play_session",
    "prepare",
    "remote_session",
    "shipped_names",
    "shipped_scenarios",
]
