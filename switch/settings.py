"""Settings, read once from the environment (`SWITCH_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from switch.ratelimit import DEFAULT_RATE_LIMITS, parse_rate_limits

DEFAULT_DATABASE_URL = "sqlite:///switch.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCH_", extra="ignore")

    # A SQLAlchemy URL (sqlite:///PATH, postgresql://USER@HOST/DB) or a plain
    # path, a SQLite file. Read where it is opened (switch.audit.database_url),
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
    # Details in switch/ratelimit.py.
    rate_limits: str = DEFAULT_RATE_LIMITS
    # Refusals of requests with no good key (401s, and anonymous 413, 414,
    # 422 and 431) from one client for one reason are counted over this
    # many seconds and audited as one record with the count.
    refusal_window_seconds: float = Field(default=2.0, gt=0, le=60)
    # The audit key (Ed25519, PEM, mode 0600) that signs checkpoints of the
    # audit chain and prune anchors; made at first start. None: beside a
    # SQLite database file, else in the state folder (switch/audit/locations.py).
    audit_key_file: Path | None = None
    # The append-only file of signed checkpoints (JSON lines), one written
    # when the chain has grown by this many records or, if it grew at all,
    # this many seconds after the last, and at stop. None: as the key.
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_records: int = Field(default=1000, ge=1)
    audit_checkpoint_seconds: float = Field(default=60.0, gt=0)

    @field_validator("rate_limits")
    @classmethod
    def _readable_rate_limits(cls, value: str) -> str:
        parse_rate_limits(value)  # a ValueError here names the bad entry
        return value


def policies_folder(settings: Settings) -> Path | None:
    if settings.policies is not None:
        return settings.policies
    here = Path("policies")
    if here.is_dir():
        return here
    shipped = Path(__file__).resolve().parent.parent / "policies"
    return shipped if shipped.is_dir() else None
