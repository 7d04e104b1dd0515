"""What the hub answers, as frozen dataclasses read from its JSON.

Each `from_json` keeps the hub's body in `raw`, so a field this client does
not model yet is still there for whoever needs it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Nlets ER codes look like `.22.`; the hub's other errors are words (`UNAUTHORIZED`).
_ER_CODE = re.compile(r"\.\d\d\.")


def _frozen(value: Any) -> Mapping[str, str]:
    return MappingProxyType({str(k): str(v) for k, v in dict(value or {}).items()})


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


@dataclass(frozen=True, slots=True)
class SwitchErrorInfo:
    """The hub's `{"error": {...}}`: an ER code (`.02.`) or a word (`UNAUTHORIZED`)."""

    code: str
    message: str
    er_text: str | None = None

    @property
    def is_er(self) -> bool:
        """An ER from NL0000000: the message itself was refused."""
        return _ER_CODE.fullmatch(self.code) is not None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> SwitchErrorInfo | None:
        error = body.get("error")
        if not isinstance(error, Mapping):
            return None
        er_text = error.get("er_text")
        return cls(
            code=str(error.get("code", "")),
            message=str(error.get("message", "")),
            er_text=None if er_text is None else str(er_text),
        )


@dataclass(frozen=True, slots=True)
class Response:
    """A destination's answer (DR, RR, ER, SM, ...). `records` holds every
    record returned; `fields` is the first, or empty for NOT ON FILE."""

    key: str
    text: str
    fields: Mapping[str, str]
    records: tuple[Mapping[str, str], ...] = ()

    @property
    def hit(self) -> bool:
        return bool(self.records)

    @property
    def sender(self) -> str | None:
        """The ORI that sent the answer (the end of the text's third line):
        a DMV, NL0000000, or a state's switch that refused the query."""
        lines = self.text.split("\n")
        words = lines[2].split() if len(lines) > 2 else []
        return words[-1] if words else None

    @classmethod
    def from_json(cls, body: Mapping[str, Any] | None) -> Response | None:
        if not body:
            return None
        fields = _frozen(body.get("fields"))
        records = tuple(_frozen(r) for r in body.get("records") or ())
        return cls(
            key=str(body.get("key", "")),
            text=str(body.get("text", "")),
            fields=fields,
            records=records or ((fields,) if fields else ()),
        )


@dataclass(frozen=True, slots=True)
class Result:
    """One destination's outcome: what policy decided and what came back.
    `state` and `warrant` (the court registry's level for the cited WRT/)
    come with a stored message, not with a reply."""

    destination: str
    decision: str  # permit | deny
    rule: str | None
    reason: str | None
    policy_version: str | None
    status: str  # answered | rejected | no_response | out_of_service | delivered | fault
    latency_ms: float
    response: Response | None
    redacted: tuple[str, ...] = ()
    obligations: tuple[str, ...] = ()
    state: str | None = None
    warrant: str | None = None
    # Who refused it on the state's policy: nlets | state-switch | dmv.
    refused_by: str | None = None

    @property
    def permitted(self) -> bool:
        return self.decision == "permit"

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Result:
        return cls(
            destination=str(body["destination"]),
            decision=str(body["decision"]),
            rule=body.get("rule"),
            reason=body.get("reason"),
            policy_version=body.get("policy_version"),
            status=str(body["status"]),
            latency_ms=float(body.get("latency_ms") or 0.0),
            response=Response.from_json(body.get("response")),
            redacted=_strings(body.get("redacted")),
            obligations=_strings(body.get("obligations")),
            state=body.get("state"),
            warrant=body.get("warrant"),
            refused_by=body.get("refused_by"),
        )


@dataclass(frozen=True, slots=True)
class Withheld:
    """Another state's outcome as an admin outside that state reads it: the
    message was routed there (`status` is `routed`), and nothing more."""

    destination: str
    state: str | None
    status: str = "routed"


def _outcome(body: Mapping[str, Any]) -> Result | Withheld:
    # A whole outcome always has a decision; a withheld one never does.
    if "decision" in body:
        return Result.from_json(body)
    return Withheld(destination=str(body["destination"]), state=body.get("state"))


@dataclass(frozen=True, slots=True)
class Reply:
    """The hub's answer to one message.

    `error` is set (and `results` empty) when the hub refused the message with
    an ER; `summary` only for a multi-state (NL) query: `hit`, `no_hit`,
    `no_response`, `denied`, each a tuple of states.
    """

    id: str | None
    key: str | None
    ori: str | None
    results: tuple[Result, ...]
    summary: Mapping[str, tuple[str, ...]] | None
    status_code: int
    error: SwitchErrorInfo | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def accepted(self) -> bool:
        """wait=0: the hub took the message; outcomes go to the mailbox."""
        return self.status_code == 202

    @classmethod
    def from_json(cls, status_code: int, body: Mapping[str, Any]) -> Reply:
        summary = body.get("summary")
        return cls(
            id=body.get("id"),
            key=body.get("key"),
            ori=body.get("ori"),
            results=tuple(Result.from_json(r) for r in body.get("results") or ()),
            summary=None
            if summary is None
            else MappingProxyType({str(k): _strings(v) for k, v in summary.items()}),
            status_code=status_code,
            error=SwitchErrorInfo.from_json(body),
            raw=MappingProxyType(dict(body)),
        )


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message as the audit holds it (`GET /v1/messages/{id}`): whole for
    its sender; an admin outside a destination's state gets that
    destination's outcome as `Withheld`."""

    id: str
    key: str | None
    ori: str | None
    control: str | None
    destinations: tuple[str, ...]
    fields: Mapping[str, str]
    outcome: str  # routed | accepted | rejected
    er_code: str | None
    http_status: int | None
    received_at: str | None
    results: tuple[Result | Withheld, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> StoredMessage:
        return cls(
            id=str(body["id"]),
            key=body.get("key"),
            ori=body.get("ori"),
            control=body.get("control"),
            destinations=_strings(body.get("destinations")),
            fields=_frozen(body.get("fields")),
            outcome=str(body.get("outcome", "")),
            er_code=body.get("er_code"),
            http_status=body.get("http_status"),
            received_at=body.get("received_at"),
            results=tuple(_outcome(r) for r in body.get("results") or ()),
            raw=MappingProxyType(dict(body)),
        )


@dataclass(frozen=True, slots=True)
class MailboxItem:
    """Something delivered to an ORI: an AM, or a late outcome of a wait=0 message."""

    seq: int
    message_id: str
    key: str
    text: str
    created_at: str | None
    result: Result | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> MailboxItem:
        result = body.get("result")
        return cls(
            seq=int(body["seq"]),
            message_id=str(body["message_id"]),
            key=str(body["key"]),
            text=str(body.get("text", "")),
            created_at=body.get("created_at"),
            result=Result.from_json(result) if isinstance(result, Mapping) else None,
            raw=MappingProxyType(dict(body)),
        )


@dataclass(frozen=True, slots=True)
class Mailbox:
    ori: str
    items: tuple[MailboxItem, ...]

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Mailbox:
        return cls(
            ori=str(body["ori"]),
            items=tuple(MailboxItem.from_json(i) for i in body.get("items") or ()),
        )
