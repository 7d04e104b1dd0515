"""Admin acts on the record: every change an admin makes to what decides
access, and every refusal of one, is an audit record in the hash chain.

An act says who did it (the admin key's identity, or `cli/<login>` for the
CLI working on the database directly), what (the act, its target, the
request line or command, and details such as a policy's version and hash),
when, and the outcome: `done`, or `refused` with the error. It is an
`audit_records` row of kind `admin`, so it is chained, verified and pruned
like every other record, and read through `GET /v1/audit?kind=admin`.

    with acting(engine, Actor.local("switch keys revoke"), KEY_REVOKE) as act:
        revoke_key(engine, key_id, act=act)  # records `act` in its transaction

INVARIANT: a done act is appended in the transaction that makes its change
(`Act.record`), so the database never holds the change without the act;
`switch.audit.crosscheck` relies on it for api_keys, policy_changes and
notices.sent_at.
"""

from __future__ import annotations

import getpass
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from switch.audit import chain
from switch.audit.records import new_message_id
from switch.errors import SwitchError

log = logging.getLogger("switch.audit")

ADMIN = "admin"
DONE, REFUSED = "done", "refused"

KEY_ISSUE = "key.issue"
KEY_REVOKE = "key.revoke"
POLICY_PUT = "policy.put"
# A policy file whose content changed, recorded as a version by a hub.
POLICY_FILE = "policy.file"
POLICY_ROLLBACK = "policy.rollback"
# A candidate put in force with its replay's evidence (switch.policy.promotion).
POLICY_PROMOTE = "policy.promote"
# Each makes a policy_changes row (switch.policy.versions).
POLICY_CHANGES = (POLICY_PUT, POLICY_FILE, POLICY_ROLLBACK, POLICY_PROMOTE)
# A replay of recorded traffic against a candidate, kept as its evidence.
POLICY_REPLAY = "policy.replay"
POLICY_APPROVE = "policy.approve"
# A state's promotion setting (require_approval) changed.
POLICY_SETTINGS = "policy.settings"
STATUS_OUT = "status.out"
STATUS_REMOVE = "status.remove"
STATUS_IN = "status.in"
WARRANT_ISSUE = "warrant.issue"
NOTICES_SENT = "notices.sent"
# The state of the tables the cross-check follows, taken whole (at migration
# 0009, and when a prune deletes the acts before it).
BASELINE = "baseline"
ACTS = (
    KEY_ISSUE,
    KEY_REVOKE,
    POLICY_PUT,
    POLICY_FILE,
    POLICY_ROLLBACK,
    POLICY_PROMOTE,
    POLICY_REPLAY,
    POLICY_APPROVE,
    POLICY_SETTINGS,
    STATUS_OUT,
    STATUS_REMOVE,
    STATUS_IN,
    WARRANT_ISSUE,
    NOTICES_SENT,
    BASELINE,
)

_IDENTITY_LIMIT = 64
_TARGET_LIMIT = 128
_VIA_LIMIT = 2000


def login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment
        return "unknown"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and through what: an API request line or a CLI command."""

    who: str  # as `identity` holds it: `id/admin:WA`, `cli/alice`
    via: str
    ori: str | None = None
    client: str | None = None  # the client address, over HTTP
    status: int = 0  # the HTTP status a done act is answered with; 0: not over HTTP

    @classmethod
    def local(cls, via: str) -> Actor:
        """Someone working on the database directly, as this OS user."""
        return cls(f"cli/{login()}", via)


def _storable(text: str) -> str:
    # PostgreSQL refuses NUL in text; a reader still sees where it was.
    return text.replace("\x00", "\u2400")


class Act:
    """One admin act in the making; recorded once, as done or refused."""

    def __init__(
        self, actor: Actor, name: str, *, target: str | None = None, state: str | None = None
    ) -> None:
        self.id = new_message_id()
        self.actor = actor
        self.name = name
        self.target = target
        self.state = state
        self.details: dict[str, Any] = {}
        self.recorded = False

    def about(self, target: str | None, state: str | None) -> None:
        """What the act turned out to be done to, once that is known."""
        self.target, self.state = target, state

    def note(self, **details: Any) -> None:
        self.details.update(details)

    def also(self, target: str | None, state: str | None, **details: Any) -> Act:
        """A sibling act of the same actor and name, for another target (one
        per state, so each state's admin reads the part about its state)."""
        sibling = Act(self.actor, self.name, target=target, state=state)
        sibling.note(**details)
        return sibling

    def record(self, conn: Connection) -> None:
        """Append the act as done, in `conn`'s transaction: the one making the change."""
        record_all(conn, [self])

    def commit(self, engine: Engine) -> None:
        """Append the act as done in a transaction of its own (a change that
        another module committed)."""
        with chain.transaction(engine) as conn:
            self.record(conn)

    def refuse(self, engine: Engine, err: SwitchError) -> None:
        """Record the act as refused; a failure to is logged, not raised, so
        the refusal itself still reaches the caller."""
        if self.recorded:  # done, then failed after its commit: a second record says so
            self.id = new_message_id()
        error = {"code": err.code, "message": err.message}
        row = self.row(REFUSED, err.http_status, {**self.details, "error": error})
        try:
            with chain.transaction(engine) as conn:
                chain.append(conn, [("audit_records", row)])
        except Exception as exc:  # the audit is away: the refusal still stands
            # One line, no traceback: this also runs in CLI verbs.
            log.warning("refused admin act %s not audited: %s", self.name, exc)
            return
        self.recorded = True

    def row(self, outcome: str, status: int, details: dict[str, Any]) -> chain.Row:
        """The act as an `audit_records` row."""
        actor = self.actor
        return {
            "id": self.id,
            "received_at": datetime.now(UTC),
            "identity": _storable(actor.who)[:_IDENTITY_LIMIT],
            "sender_ori": actor.ori,
            "message_key": None,
            "control": None,
            "reason": None,
            "destinations": None,
            "fields": None,
            "outcome": outcome,
            "er_code": None,
            "http_status": status,
            "detail": json.dumps(details, sort_keys=True, default=str),
            "raw": _storable(actor.via)[:_VIA_LIMIT],
            "latency_ms": 0.0,
            "kind": ADMIN,
            "act": self.name,
            "target": _storable(self.target)[:_TARGET_LIMIT] if self.target else None,
            "state": self.state,
            "claimed_ori": None,
            "client": actor.client,
            "count": None,
        }


# What a warrant's act records of it: not its subject, which the registry holds.
_WARRANT_NOTED = ("kind", "form", "issued_to", "issued_by", "issued_at", "expires_at")


def warrant_issued(act: Act, warrant: Mapping[str, Any]) -> None:
    """Note on its act the warrant just issued (`Warrant.as_dict()`)."""
    act.about(warrant["id"], act.state)
    act.note(**{name: warrant[name] for name in _WARRANT_NOTED})


def record_all(conn: Connection, acts: Sequence[Act]) -> None:
    """Append acts as done, in `conn`'s transaction, in the order given."""
    rows = [("audit_records", act.row(DONE, act.actor.status, act.details)) for act in acts]
    chain.append(conn, rows)
    for act in acts:
        act.recorded = True


@contextmanager
def acting(
    engine: Engine,
    actor: Actor,
    name: str,
    *,
    target: str | None = None,
    state: str | None = None,
) -> Iterator[Act]:
    """An act around the code that does it: refused when that raises a
    SwitchError; done, after the fact, when it returns without recording."""
    act = Act(actor, name, target=target, state=state)
    try:
        yield act
    except SwitchError as err:
        act.refuse(engine, err)
        raise
    if not act.recorded:
        act.commit(engine)
