"""Named sets of history settings: the side doors a history plants, and how often.

`letter-2025` is the shipped profile: the year the letter of 12 Nov 2025
describes, with the relays public reporting describes (SPEC.md, "Where
blocks happen, and side doors"). Each share is of the eligible refusals: the
federal immigration queries (ICE-ERO, ICE-HSI, CBP) about a person that the
person's state refused; for the HSI relay, the refused ICE-ERO ones only.
The shares are assumptions, named here; no public figure gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

PATTERN_287G = "287g-relay"
PATTERN_HSI = "hsi-for-ero"
PATTERN_LOCAL = "local-for-federal"
PATTERN_LOOK_ALIKE = "look-alike"
PATTERNS = (PATTERN_287G, PATTERN_HSI, PATTERN_LOCAL, PATTERN_LOOK_ALIKE)


class ProfileError(ValueError):
    """A profile or a share that cannot be used."""


@dataclass(frozen=True, slots=True)
class HistoryProfile:
    """What a history plants beside its background queries."""

    name: str
    # A 287(g)-tagged sheriff queries the person minutes to hours after the refusal.
    relay_287g: float = 0.0
    # A permitted-or-not HSI query follows a refused ICE-ERO query (same state's office first).
    relay_hsi: float = 0.0
    # A police department on or beside a federal task force queries the person.
    relay_local: float = 0.0
    # Of those local lookups, the share whose WRT names immigration (e.g. ICE-WARRANT);
    # the rest give no reason at all.
    local_reason: float = 0.0
    # An unrelated PD in the person's state queries them the same day for a traffic stop.
    look_alike: float = 0.0

    def __post_init__(self) -> None:
        for spec in fields(self):
            if spec.name == "name":
                continue
            value = getattr(self, spec.name)
            if not 0 <= value <= 1:
                raise ProfileError(f"{spec.name.replace('_', '-')} {value} must be from 0 to 1")
        relays = self.relay_287g + self.relay_hsi + self.relay_local
        if relays > 1 + 1e-9:
            raise ProfileError(
                f"the relay shares add up to {relays:g}: a refusal is relayed at most once, "
                "so relay-287g + relay-hsi + relay-local must be at most 1"
            )

    def with_shares(
        self,
        *,
        relay_287g: float | None = None,
        relay_hsi: float | None = None,
        relay_local: float | None = None,
        local_reason: float | None = None,
        look_alike: float | None = None,
    ) -> HistoryProfile:
        """This profile with the shares given (None keeps the profile's)."""
        given = {
            "relay_287g": relay_287g, "relay_hsi": relay_hsi, "relay_local": relay_local,
            "local_reason": local_reason, "look_alike": look_alike,
        }  # fmt: skip
        chosen: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
        return replace(self, **chosen) if chosen else self

    @property
    def plants(self) -> bool:
        return bool(self.relay_287g or self.relay_hsi or self.relay_local or self.look_alike)


# The year as the letter describes it. With no relays at all, a history is
# the background only (`HistoryProfile("none")`).
LETTER_2025 = HistoryProfile(
    name="letter-2025",
    relay_287g=0.15,
    relay_hsi=0.2,
    relay_local=0.15,
    local_reason=0.5,
    look_alike=0.15,
)
PROFILES = {LETTER_2025.name: LETTER_2025}


def profile(name: str) -> HistoryProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ProfileError(
            f"no history profile {name!r}; known: {', '.join(sorted(PROFILES))}"
        ) from None
