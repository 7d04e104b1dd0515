"""Settings, read once from the environment (`SWITCH_*`), and where the
policies they point to are found."""

from __future__ import annotations

import importlib.util
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from switch.rate_limits import DEFAULT_RATE_LIMITS, parse_rate_limits

DEFAULT_DATABASE_URL = "sqlite:///switch.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCH_", extra="ignore")

    # A SQLAlchemy URL (sqlite:///PATH, postgresql://USER@HOST/DB) or a plain
    # path, a SQLite file. Read where it is opened (switch.db.database_url),
    # so that a bad one is a one-line DatabaseURLError there, not a
    # validation error from every verb that reads settings.
    database_url: str = DEFAULT_DATABASE_URL
    # None: ./policies when it exists, else the policies shipped beside the package.
    policies: Path | None = None
    # How often the hub looks for changed policy files (seconds; 0 = never).
    policy_poll_seconds: float = 1.0
    # None: the directory shipped in the package.
    directory: Path | None = None
    # `ST=builtin` or `ST=http://host:port`, comma separated, or a file of such
    # lines; unnamed states are built in.
    states: str = ""
    # Seconds a request waits for its destinations when it does not say.
    default_wait: float = Field(default=10.0, ge=0, le=60)
    # Nlets waits up to 60 s for a multi-state query; no wait may exceed it.
    max_wait: float = 60.0
    max_body_bytes: int = 8192
    simulator_seed: int = 0
    # Store and forward: how often an out-of-service state is asked again,
    # the first back-off after a fault (doubled each time, up to the max),
    # and how many faults a queued query survives before it is given up.
    forward_probe_seconds: float = Field(default=1.0, gt=0)
    forward_backoff_seconds: float = Field(default=1.0, ge=0)
    forward_backoff_max_seconds: float = Field(default=60.0, ge=0)
    forward_max_attempts: int = Field(default=5, ge=1)
    # A state that misses the wait may still answer for this many seconds;
    # the answer goes to the sender's mailbox (0: hang up at the wait). The
    # default is Nlets' own longest wait.
    late_answer_seconds: float = Field(default=60.0, ge=0, le=600)
    # Circuit breaker on each state reached over HTTP: this many faults or
    # timeouts in a row, within the window, open it, and its queries are
    # answered at once (no response) until, the reset time later, a trial
    # query is answered. 0 failures: no breaker.
    breaker_failures: int = Field(default=5, ge=0)
    breaker_window_seconds: float = Field(default=60.0, gt=0)
    breaker_reset_seconds: float = Field(default=10.0, gt=0)
    # Per-ORI rate limits on POST /v1/messages, by agency class:
    # `CLASS=RATE/BURST,...` where CLASS is a component (ICE-ERO), an ORION
    # type (PD, FE) or `default`; RATE is messages a second, BURST how many
    # at once; `CLASS=0` lifts a class's limit, `0` alone turns limits off.
    # Details in switch/access/ratelimit.py.
    rate_limits: str = DEFAULT_RATE_LIMITS
    # Refusals of requests with no good key (401s, and anonymous 413, 414,
    # 422 and 431) from one client for one reason are counted over this
    # many seconds and audited as one record with the count.
    refusal_window_seconds: float = Field(default=2.0, gt=0, le=60)
    # The audit key (Ed25519, PEM, mode 0600) that signs checkpoints of the
    # audit chain and prune anchors; made at first start. None: beside a
    # SQLite database file, else in the state folder (switch/db/locations.py).
    audit_key_file: Path | None = None
    # The append-only file of signed checkpoints (JSON lines), one written
    # when the chain has grown by this many records or, if it grew at all,
    # this many seconds after the last, and at stop. None: as the key.
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_records: int = Field(default=1000, ge=1)
    audit_checkpoint_seconds: float = Field(default=60.0, gt=0)
    # Slow and greedy clients (switch/serving/connections.py): a request, headers and
    # body, must arrive whole within this many seconds; the hub holds at most
    # this many connections (0: three quarters of its open-file limit) and
    # this many from one client address (0: no cap per address).
    request_timeout: float = Field(default=10.0, gt=0, le=600)
    max_connections: int = Field(default=0, ge=0)
    max_connections_per_client: int = Field(default=256, ge=0)
    # The name each live-flow event carries of the hub it went through.
    # Empty: hostname:port under `switch serve`, else hostname:pid.
    hub_name: str = Field(default="", max_length=64)
    # On PostgreSQL, the live flow of every hub on the database reaches the
    # watchers of each (switch/app/shared_flow.py); false: this hub's only.
    shared_flow: bool = True

    @field_validator("rate_limits")
    @classmethod
    def _readable_rate_limits(cls, value: str) -> str:
        parse_rate_limits(value)  # a ValueError here names the bad entry
        return value


def hub_name(settings: Settings, port: int | None = None) -> str:
    """SWITCH_HUB_NAME, else this host and the port it serves (or its pid)."""
    return settings.hub_name or f"{socket.gethostname()}:{port or os.getpid()}"


# The states' policies installed with the package: the repository's
# top-level policies/, mapped to this name by setup.py.
PACKAGED_POLICIES = "switch_policies"

PolicyOrigin = Literal["SWITCH_POLICIES", "working directory", "package"]


@dataclass(frozen=True, slots=True)
class PolicyLocation:
    """The folder of policies a hub or a tool reads, and where it looked."""

    folder: Path | None  # None: found nowhere
    origin: PolicyOrigin | None
    looked: tuple[str, ...]

    def __str__(self) -> str:
        if self.folder is None or self.origin is None:
            return "no policy folder"
        return f"{self.folder.resolve()} ({_ORIGINS[self.origin]})"

    def nowhere(self) -> str:
        """The one line saying that no policy was found, and where it looked."""
        return "no policies found (looked at " + "; ".join(self.looked) + ")"


_ORIGINS: dict[PolicyOrigin, str] = {
    "SWITCH_POLICIES": "from SWITCH_POLICIES",
    "working directory": "policies/ in the working directory",
    "package": "shipped with the package",
}


def packaged_policies() -> Path | None:
    # switch_policies has no __init__.py: a namespace package, found without
    # importing anything (importlib.resources cannot read one installed in
    # editable mode).
    spec = importlib.util.find_spec(PACKAGED_POLICIES)
    locations = spec.submodule_search_locations if spec is not None else None
    for location in locations or ():
        if Path(location).is_dir():
            return Path(location)
    return None


def policy_location(settings: Settings) -> PolicyLocation:
    """SWITCH_POLICIES when set (and nothing else, even when it is wrong), else
    ./policies when it exists, else the policies shipped with the package."""
    if settings.policies is not None:
        folder = settings.policies
        if folder.is_dir():
            return PolicyLocation(folder, "SWITCH_POLICIES", (f"SWITCH_POLICIES={folder}",))
        looked = f"SWITCH_POLICIES={folder}, which is not a folder"
        return PolicyLocation(None, "SWITCH_POLICIES", (looked,))
    here = Path("policies")
    looked_here = f"{here.resolve()} (SWITCH_POLICIES is unset)"
    if here.is_dir():
        return PolicyLocation(here, "working directory", (looked_here,))
    shipped = packaged_policies()
    if shipped is None:
        return PolicyLocation(None, None, (looked_here, f"the package ({PACKAGED_POLICIES})"))
    return PolicyLocation(shipped, "package", (looked_here, str(shipped)))


def policies_folder(settings: Settings) -> Path | None:
    return policy_location(settings).folder
