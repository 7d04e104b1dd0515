"""Which destination answers for each state, from `SWITCH_STATES`.

The setting is a comma- or newline-separated list of `ST=builtin` or
`ST=http://host:port`, or the path of a file holding such lines (`#` starts a
comment). States it does not name are built in: answered by the destination
`builtin(state)` gives, which the hub's builder hands in (switch.app.simulated
makes the simulated DMVs).

A state reached over HTTP is wrapped in a circuit breaker, so that one that
keeps failing is answered for at once instead of waited on; the built-in
simulators answer in-process and cannot be slow in that way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from switch.destinations.base import Destination
from switch.destinations.breaker import BreakerPolicy, CircuitBreaker
from switch.destinations.http import HttpDestination
from switch.directory.jurisdictions import JURISDICTIONS
from switch.errors import SwitchError
from switch.settings import Settings


class StatesSettingError(SwitchError):
    code = "CONFIG"


def parse_states(setting: str) -> dict[str, str]:
    """`SWITCH_STATES` -> {state: "builtin" | url}."""
    text = setting.strip()
    if text and "=" not in text.splitlines()[0] and Path(text).is_file():
        text = Path(text).read_text()
    targets: dict[str, str] = {}
    for raw in text.replace(",", "\n").splitlines():
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        state, sep, target = (part.strip() for part in entry.partition("="))
        state = state.upper()
        if not sep or state not in JURISDICTIONS:
            raise StatesSettingError(f"SWITCH_STATES: cannot read {entry!r}: want ST=builtin|URL")
        if target != "builtin" and not target.startswith(("http://", "https://")):
            raise StatesSettingError(f"SWITCH_STATES: {state} target must be builtin or a URL")
        targets[state] = target
    return targets


def build_destinations(
    setting: str = "",
    *,
    builtin: Callable[[str], Destination],
    breaker: BreakerPolicy | None = BreakerPolicy(),
) -> dict[str, Destination]:
    """`builtin`: the destination of a state not reached over HTTP;
    `breaker`: how HTTP states' circuit breakers trip; None for none."""
    targets = parse_states(setting)
    destinations: dict[str, Destination] = {}
    for state in JURISDICTIONS:
        target = targets.get(state, "builtin")
        if target == "builtin":
            destinations[state] = builtin(state)
        elif breaker is None:
            destinations[state] = HttpDestination(state, target)
        else:
            destinations[state] = CircuitBreaker(HttpDestination(state, target), breaker)
    return destinations


def breaker_policy(settings: Settings) -> BreakerPolicy | None:
    """The breaker the settings ask for; `breaker_failures` 0 means none."""
    if settings.breaker_failures == 0:
        return None
    return BreakerPolicy(
        settings.breaker_failures,
        settings.breaker_window_seconds,
        settings.breaker_reset_seconds,
    )
