"""The policy file's shape, as pydantic models.

This is the single source of the language's syntax: the loader validates
against it and `policies/schema.json` (for editors) is generated from it.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from switch.directory import COMPONENT_DEPARTMENTS
from switch.messages.model import INPUT_KEYS
from switch.policy.decision import EnforcedAt

Effect = Literal["permit", "deny"]
MessageKey = Literal["DQ", "DNQ", "RQ", "RNQ", "KQ", "AM"]
AgencyType = Literal["PD", "SO", "SA", "LE", "FE", "CJ", "NJ"]
Reason = Literal["N", "F", "V", "T", "S", "H", "none"]
WarrantLevel = Literal["none", "cited", "administrative", "judicial"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# What a DR (or RR) carries that a policy may withhold.
DRField = Literal[
    "NAM", "ADR", "DOB", "SEX", "RAC", "HGT", "WGT", "EYE", "HAI", "SOC",
    "LTY", "CLS", "RST", "STS", "EXP", "OLN", "IMG", "VIN", "LIC",
]  # fmt: skip

# The federal components a refusal is remembered by (the directory's own).
FederalComponent = Literal["ICE-ERO", "ICE-HSI", "CBP", "USSS", "FBI", "USMS", "DEA", "ATF"]

assert set(MessageKey.__args__) == INPUT_KEYS  # type: ignore[attr-defined]
assert set(FederalComponent.__args__) == set(COMPONENT_DEPARTMENTS)  # type: ignore[attr-defined]

# The longest memory a rule may ask for: the index keeps no more than this.
MAX_REFUSAL_HOURS = 720

ORI_PATTERN = r"^[A-Z0-9*?]{1,9}$"
STATE_PATTERN = r"^[A-Z]{2}$"
RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
_HOURS = re.compile(r"^([01][0-9]|2[0-4])-([01][0-9]|2[0-4])$")

Ori = Annotated[str, Field(pattern=ORI_PATTERN)]
State = Annotated[str, Field(pattern=STATE_PATTERN)]
Token = Annotated[str, Field(min_length=1, max_length=32)]


class TimeWindow(BaseModel):
    """When a rule applies, in the deciding state's local time."""

    model_config = ConfigDict(extra="forbid")

    weekdays: list[Weekday] | None = None
    hours: str | None = Field(default=None, description="HH-HH, start inclusive, end exclusive")

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = _HOURS.match(value)
        if not match or int(match[1]) >= int(match[2]):
            raise ValueError("hours must be HH-HH with start before end, e.g. 08-17")
        return value


class RefusedTo(BaseModel):
    """The subject was refused, at the deciding state, to a requester of one
    of these components within the last `within_hours`."""

    model_config = ConfigDict(extra="forbid")

    component: FederalComponent | list[FederalComponent]
    within_hours: float = Field(
        gt=0, le=MAX_REFUSAL_HOURS, description="How far back, in hours (at most 720: 30 days)"
    )

    @property
    def components(self) -> frozenset[str]:
        c = self.component
        return frozenset(c if isinstance(c, list) else [c])


class Condition(BaseModel):
    """Every key present must match (AND); a list matches any value (OR)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    requester_ori: Ori | list[Ori] | None = Field(default=None, alias="requester.ori")
    requester_state: State | list[State] | None = Field(default=None, alias="requester.state")
    requester_in_state: bool | None = Field(default=None, alias="requester.in_state")
    requester_type: AgencyType | list[AgencyType] | None = Field(
        default=None, alias="requester.type"
    )
    requester_department: Token | list[Token] | None = Field(
        default=None, alias="requester.department"
    )
    requester_component: Token | list[Token] | None = Field(
        default=None, alias="requester.component"
    )
    requester_tags: Token | list[Token] | None = Field(default=None, alias="requester.tags")
    message_key: MessageKey | list[MessageKey] | None = Field(default=None, alias="message.key")
    message_reason: Reason | list[Reason] | None = Field(default=None, alias="message.reason")
    message_image: bool | None = Field(default=None, alias="message.image")
    warrant: WarrantLevel | list[WarrantLevel] | None = None
    subject_refused_to: RefusedTo | None = Field(default=None, alias="subject.refused_to")
    time: TimeWindow | None = None
    not_: Condition | None = Field(default=None, alias="not")
    any: list[Condition] | None = Field(default=None, min_length=1)
    all: list[Condition] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not self.model_fields_set:
            raise ValueError("an empty condition matches everything; leave it out instead")
        return self


class NotifySubject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    within_business_days: int = Field(ge=0, le=60)


class NotifyObligation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notify_subject: NotifySubject


ObligationSpec = Literal["report", "flag_for_review"] | NotifyObligation


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=RULE_ID_PATTERN)
    effect: Effect
    reason: str | None = Field(default=None, max_length=300)
    description: str | None = None
    when: Condition | None = None
    unless: Condition | None = None
    redact: list[DRField] = Field(default_factory=list)
    obligations: list[ObligationSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _permit_only_extras(self) -> Rule:
        if self.effect == "deny" and (self.redact or self.obligations):
            raise ValueError("redact and obligations belong on permit rules")
        if self.effect == "deny" and not self.reason:
            raise ValueError("a deny rule must give a reason: the requester is told it")
        return self


class PolicyFile(BaseModel):
    """One jurisdiction's policy: `policies/<ST>.yaml`."""

    model_config = ConfigDict(extra="forbid", title="Switch state policy")

    state: State
    title: str = Field(min_length=1, max_length=200)
    source: str | None = Field(
        default=None, description="The law or action modelled, and where from"
    )
    default: Effect = "permit"
    combine: Literal["deny-overrides", "first-match"] = "deny-overrides"
    enforced_at: EnforcedAt = Field(
        default="nlets",
        description="Where a refusal happens: at Nlets (an ER from NL0000000), at the "
        "state's own switch (an ER from its control terminal) or at the DMV (its own answer)",
    )
    # Rule ids are unique too: the loader says so at the line of the second.
    rules: list[Rule] = Field(default_factory=list)
