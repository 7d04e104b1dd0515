"""What a message is, independent of its text or JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

SWITCH_ORI = "NL0000000"
MULTI_STATE = "NL"
MAX_DESTINATIONS = 5

# Query key -> the key of the state's answer.
RESPONSE_KEYS: Mapping[str, str] = MappingProxyType(
    {"DQ": "DR", "DNQ": "DNR", "RQ": "RR", "RNQ": "RNR", "KQ": "KR"}
)
QUERY_KEYS: frozenset[str] = frozenset(RESPONSE_KEYS)
# Keys an agency may send. AM is free text to another ORI's mailbox.
INPUT_KEYS: frozenset[str] = QUERY_KEYS | {"AM"}
# Keys only the switch or a state sends.
OUTPUT_KEYS: frozenset[str] = frozenset(RESPONSE_KEYS.values()) | {"ER", "SM"}
# The regional forms an agency may send (to a region code, a state or NL):
# Nlets rewrites each to its plain key for every state it reaches, so no
# state and no policy ever sees them; the sender gets a DR or RR back.
REGIONAL_KEYS: Mapping[str, str] = MappingProxyType({"DQG": "DQ", "RQG": "RQ"})
# The forms a message arrives in: legacy text, JSON, Nlets XML 4.00.
FORMS: tuple[str, ...] = ("text", "json", "xml")


def _frozen(fields: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(fields))


@dataclass(frozen=True, slots=True)
class Message:
    """An input message: what an agency sends to the switch.

    `fields` keeps the order in which the sender wrote the prefixes, so a
    message renders back to the text it was parsed from. For `AM` the free
    text is the single field `TXT`.

    A regional key (`DQG`, `RQG`) is rewritten on construction, as Nlets
    rewrites it: `key` is the plain key every state and policy sees and
    `regional` says it was sent in the G form, which `sent_key` and
    `render` give back.
    """

    key: str
    ori: str
    destinations: tuple[str, ...]
    fields: Mapping[str, str] = field(default_factory=dict)
    control: str | None = None
    regional: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", _frozen(self.fields))
        plain = REGIONAL_KEYS.get(self.key)
        if plain is not None:
            object.__setattr__(self, "key", plain)
            object.__setattr__(self, "regional", True)

    @property
    def sent_key(self) -> str:
        """The key as the sender wrote it: DQG for a regional DQ."""
        return f"{self.key}G" if self.regional else self.key

    @property
    def reason(self) -> str:
        """The declared RSN code, or `none`: a request need not say why."""
        return self.fields.get("RSN", "none")

    @property
    def wants_image(self) -> bool:
        return self.fields.get("IMQ", "N") == "Y"

    @property
    def warrant_id(self) -> str | None:
        return self.fields.get("WRT")


@dataclass(frozen=True, slots=True)
class OutputMessage:
    """A message the switch delivers: a state's answer, an ER or an SM.

    Rendered with the Nlets output header: key and receiving ORI, the input
    and output message numbers with time and date, the sender, the control
    field echoed, then `TXT` and the body.
    """

    key: str
    to: str
    sender: str
    body: str
    timestamp: datetime
    input_number: int = 0
    output_number: int = 0
    control: str | None = None
    records: tuple[Mapping[str, str], ...] = ()
    # A response that refuses, in the answering agency's own words (a DMV
    # enforcing its state's policy): its body is its whole text, never
    # NOT ON FILE, which would tell the sender there is no such record.
    refusal: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "records", tuple(_frozen(r) for r in self.records))
