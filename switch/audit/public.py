"""The public shapes of a message and its outcomes: what the POST reply,
`GET /v1/messages/{id}`, `GET /v1/audit` and `/v1/events` carry, and what the
client reads back.

    ReplyPublic           POST /v1/messages (built by hand in switch.core.replies)
      FlowEvent           one message on /v1/events (with a CitedWarrantPublic)
    MessagePublic         GET /v1/messages/{id}
      AuditRecordPublic   one record of GET /v1/audit (with an AdminActPublic)

Each holds outcomes (`OutcomeView`): an `OutcomePublic`, whole, or an
`OutcomeWithheld`, which says only that the message was routed to that
destination. Which one a reader gets is `switch.access.visibility`'s to decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, WithJsonSchema

# Outcomes are per state; a destination is a state or an ORI, and an ORI
# starts with its state (the directory refuses one that does not).
STATE_CHARS = 2


class ResponsePublic(BaseModel):
    """A destination's answer (DR, RR, ER, SM...). `fields` is its first
    record, empty for NOT ON FILE; `records` every record, given only when
    there are more than one."""

    key: str
    text: str
    fields: dict[str, str] = Field(default_factory=dict)
    records: list[dict[str, str]] | None = None


class OutcomePublic(BaseModel):
    """One destination's outcome, whole: what its policy decided and why,
    what came back. `state` and `warrant` (the level the court registry gave
    the cited WRT/) are the audit's; the POST reply leaves them out, and
    `redacted`, `obligations`, `warrant_wanted` and `refused_by` when they are
    empty. `obligations_words` says each obligation in words; `warrant_wanted`,
    the warrant levels the deciding rules name (what a deny wanted)."""

    destination: str
    state: str | None = None
    decision: Literal["permit", "deny"]
    rule: str | None = None
    reason: str | None = None
    policy_version: str | None = None
    warrant: str | None = None
    status: str = Field(
        description="answered | rejected | no_response | out_of_service | delivered | fault"
    )
    latency_ms: float | None = None
    response: ResponsePublic | None = None
    redacted: list[str] = Field(default_factory=list)
    obligations: list[str] = Field(default_factory=list)
    refused_by: Literal["nlets", "state-switch", "dmv"] | None = Field(
        default=None,
        description="Who refused the query on the state's policy (the policy's enforced_at): "
        "Nlets (an ER from NL0000000), the state's own switch (an ER from its control "
        "terminal) or the DMV (its answer, no record); absent when it was not refused",
    )
    obligations_words: list[str] = Field(default_factory=list)
    warrant_wanted: list[str] = Field(default_factory=list)

    @property
    def at_state(self) -> str:
        return self.state or self.destination[:STATE_CHARS]


class OutcomeWithheld(BaseModel):
    """Another state's outcome, as a reader outside that state sees it: the
    message was routed there, and nothing of what came of it."""

    destination: str
    state: str | None = None
    status: Literal["routed"] = "routed"

    @property
    def at_state(self) -> str:
        return self.state or self.destination[:STATE_CHARS]


def _outcome_kind(value: Any) -> str:
    # A whole outcome always has a decision; a withheld one never does.
    if isinstance(value, Mapping):
        return "whole" if "decision" in value else "withheld"
    return "withheld" if isinstance(value, OutcomeWithheld) else "whole"


# Either outcome, as a field's type (pydantic reads JSON into the right one).
OutcomeView = Annotated[
    Annotated[OutcomePublic, Tag("whole")] | Annotated[OutcomeWithheld, Tag("withheld")],
    Discriminator(_outcome_kind),
]


class SummaryPublic(BaseModel):
    """An NL query's states by what came of them (NO HITs are not results)."""

    hit: list[str] = Field(default_factory=list)
    no_hit: list[str] = Field(default_factory=list)
    no_response: list[str] = Field(default_factory=list)
    denied: list[str] = Field(default_factory=list)

    def states(self) -> set[str]:
        return {*self.hit, *self.no_hit, *self.no_response, *self.denied}


class ErrorPublic(BaseModel):
    """Why the hub refused a message: an Nlets ER code (`.22.`) or a word."""

    code: str
    message: str
    er_text: str | None = None


class ReplyPublic(BaseModel):
    """The answer to `POST /v1/messages`: every outcome (an NL query's NO
    HITs only in `summary`), or `error` and no outcomes when it was refused."""

    id: str
    key: str | None = None
    ori: str | None = None
    results: list[OutcomeView] = Field(default_factory=list)
    summary: SummaryPublic | None = None
    priority: str | None = Field(
        None,
        description="low: a DQ or RQ sent to a region code without the G (DQG, RQG),"
        " sent to the region's states one at a time (switch.core.router.LOW)",
    )
    error: ErrorPublic | None = None


class RelayPublic(BaseModel):
    """A query the hub flagged as likely made for a federal immigration
    requester refused at `state` (switch.core.relays): the pattern, the
    detector's score and evidence, and the refused original. Only on the
    live flow, and only to the admins of `state` or of the switch: the
    sender is never told."""

    state: str
    pattern: str = Field(description="287g-relay | hsi-for-ero | local-for-federal")
    score: int
    refused_id: str
    refused_ori: str
    refused_component: str
    minutes_after: int
    evidence: list[str] = Field(default_factory=list)
    summary: str


class CitedWarrantPublic(BaseModel):
    """The warrant a message cites (`WRT/`), as the court registry holds it:
    its form (I-200, I-205, warrant, court-order, subpoena), its kind, who
    signed it (a judge or an officer), and what it counted as for this
    message (`level`; None: the registry could not be asked). Form and kind
    are absent when the registry holds no such warrant."""

    id: str
    level: str | None = None
    form: str | None = None
    kind: str | None = None
    issued_by: str | None = None
    signed_by: Literal["judge", "officer"] | None = None


class FlowEvent(ReplyPublic):
    """One message on the live flow, after it is audited: the reply, and the
    text as sent, the sender's directory entry and the HTTP status."""

    # The hub's event may carry more than this: only what is named here is
    # sent (pydantic drops unknown keys), so a key added to it leaks nothing.

    seq: int
    type: str = "message"
    # Any reader may see it: it names a process of the switch, no state's data.
    hub: str | None = Field(
        default=None, description="The hub that carried the message (SWITCH_HUB_NAME)"
    )
    at: str | None = None
    text: str | None = None
    sender: dict[str, Any] = Field(default_factory=dict)
    status_code: int | None = None
    forwarded: bool = False
    # Inline in the schema: no route answers with a RelayPublic, so no
    # `#/components/schemas` entry is there for a reference to resolve to.
    relays: Annotated[
        list[RelayPublic],
        WithJsonSchema({"type": "array", "items": RelayPublic.model_json_schema()}),
    ] = Field(default_factory=list)
    # The message's own (as its text is): a reader who may see the message may see it.
    warrant: Annotated[
        CitedWarrantPublic | None,
        WithJsonSchema({"anyOf": [CitedWarrantPublic.model_json_schema(), {"type": "null"}]}),
    ] = None


class MessagePublic(BaseModel):
    """A message as the audit holds it: who sent what, where, and each
    destination's outcome."""

    id: str
    received_at: str | None = None
    ori: str | None = None
    key: str | None = None
    control: str | None = None
    destinations: list[str] = Field(default_factory=list)
    fields: dict[str, str] = Field(default_factory=dict)
    outcome: str = Field(description="routed | accepted | rejected")
    er_code: str | None = None
    http_status: int | None = None
    detail: str | None = None
    latency_ms: float | None = None
    results: list[OutcomeView] = Field(default_factory=list)


class AdminActPublic(BaseModel):
    """An admin act (switch.audit.acts): what was done, to what, the state it
    is about (None: the whole switch), and its details (a policy's version
    and SHA-256, the keys marked, the error that refused it...)."""

    name: str
    target: str | None = None
    state: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class AuditRecordPublic(MessagePublic):
    """One record of `GET /v1/audit`: the message, its place in the audit,
    the key that sent it and the bytes as received; or an admin act."""

    seq: int
    identity: str | None = None
    raw: str | None = None
    kind: Literal["message", "admin"] = "message"
    act: AdminActPublic | None = None
    claimed_ori: str | None = Field(
        default=None, description="the ORI a refused header claimed, when not the key's"
    )
    client: str | None = Field(default=None, description="a refused request's client address")
    count: int = Field(default=1, description="requests an aggregated refusal record stands for")
    form: Literal["text", "json", "xml"] | None = Field(
        default=None,
        description="the form the message arrived in; null for acts, refusals before a body "
        "was read, and records from before forms were kept",
    )


class AuditPagePublic(BaseModel):
    records: list[AuditRecordPublic]
    next: str | None = Field(description="cursor for the following page; null on the last")


__all__ = [
    "AdminActPublic",
    "AuditPagePublic",
    "AuditRecordPublic",
    "CitedWarrantPublic",
    "ErrorPublic",
    "FlowEvent",
    "MessagePublic",
    "OutcomePublic",
    "OutcomeView",
    "OutcomeWithheld",
    "ReplyPublic",
    "ResponsePublic",
    "SummaryPublic",
]
