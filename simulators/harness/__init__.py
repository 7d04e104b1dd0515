"""The harness: hubs started for the simulators, and the simulators played
inside a hub. It wires the two together, so it sits above the server
(switch.serving) and below the CLI; nothing in switch/ below the CLI imports
it, and the hub's app is handed what it needs from here (a scenario runner)
instead of reaching up for it.

It lives under simulators/ rather than switch/ because everything it does is
for a simulator: a scenario's own hub and mock states (`local_session`,
`play`), a scenario played in a running hub for the trainer's page
(`HubScenarioRunner`), and the hub a traffic run drives (`local_hub`).
"""

from simulators.harness.hubrun import HubScenarioRunner
from simulators.harness.sessions import local_session, play, wait_until_warm
from simulators.harness.traffic_hubs import (
    HubSetupError,
    issue_keys_in,
    load_keys,
    local_hub,
)

__all__ = [
    "HubScenarioRunner",
    "HubSetupError",
    "issue_keys_in",
    "load_keys",
    "local_hub",
    "local_session",
    "play",
    "wait_until_warm",
]
