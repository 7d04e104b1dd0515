"""One option's column: what it still answers, what cooperation it keeps,
what it owes, and who it changes things for, counted from decision classes.

The counts are added a class at a time (a class is many queries the option
cannot tell apart), so a column costs one evaluation per class, never one
per query.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from switch.directory.model import Agency
from switch.impact.proxies_score import PATTERNS
from switch.policy import Decision

IMMIGRATION = ("ICE-ERO", "ICE-HSI", "CBP")
# The letter's "serious crimes": what a requester declares (RSN V violent,
# N narcotics, F felony, S sex offence), and the federal components whose work
# is criminal rather than immigration enforcement.
SERIOUS_REASONS = ("V", "N", "F", "S")
CRIMINAL_COMPONENTS = ("FBI", "DEA", "ATF", "USMS")


@dataclass(slots=True)
class Split:
    """Queries asked, and how many the option answers."""

    asked: int = 0
    answered: int = 0

    @property
    def refused(self) -> int:
        return self.asked - self.answered

    def add(self, n: int, answered: bool) -> None:
        self.asked += n
        if answered:
            self.answered += n

    def as_dict(self) -> dict[str, int]:
        return {"asked": self.asked, "answered": self.answered, "refused": self.refused}


def _splits(names: tuple[str, ...]) -> dict[str, Split]:
    return {name: Split() for name in names}


def percent(part: int, whole: int) -> float | None:
    """One decimal; None where there is nothing to take a share of."""
    return None if whole == 0 else round(100 * part / whole, 1)


@dataclass(slots=True)
class Column:
    name: str
    source: str
    version: str
    title: str
    immigration: Split = field(default_factory=Split)
    by_component: dict[str, Split] = field(default_factory=lambda: _splits(IMMIGRATION))
    relays: Split = field(default_factory=Split)
    relays_by_pattern: dict[str, Split] = field(default_factory=lambda: _splits(PATTERNS))
    serious: Split = field(default_factory=Split)  # either of the two below, counted once
    serious_by_reason: dict[str, Split] = field(default_factory=lambda: _splits(SERIOUS_REASONS))
    serious_by_component: dict[str, Split] = field(
        default_factory=lambda: _splits(CRIMINAL_COMPONENTS)
    )
    notices_owed: int = 0
    reports_owed: int = 0
    flagged_for_review: int = 0
    owing_agencies: set[str] = field(default_factory=set)
    # ORI -> queries the in-force policy answers and this option refuses (lost),
    # or the reverse (gained).
    lost: Counter[str] = field(default_factory=Counter)
    gained: Counter[str] = field(default_factory=Counter)

    def add(self, agency: Agency, reason: str, n: int, decision: Decision, before: bool) -> None:
        """`n` queries from `agency` declaring `reason`, decided so by this
        option; `before`: whether the policy in force answers them."""
        answered = decision.permitted
        component = agency.component or ""
        if component in self.by_component:
            self.immigration.add(n, answered)
            self.by_component[component].add(n, answered)
        by_reason = self.serious_by_reason.get(reason)
        by_component = self.serious_by_component.get(component)
        if by_reason is not None:
            by_reason.add(n, answered)
        if by_component is not None:
            by_component.add(n, answered)
        if by_reason is not None or by_component is not None:
            self.serious.add(n, answered)
        if answered:
            self._owe(agency.ori, n, decision)
        if answered != before:
            (self.gained if answered else self.lost)[agency.ori] += n

    def _owe(self, ori: str, n: int, decision: Decision) -> None:
        kinds = {o.kind for o in decision.obligations}
        if "notify_subject" in kinds:
            self.notices_owed += n
        if "report" in kinds:
            self.reports_owed += n
        if "flag_for_review" in kinds:
            self.flagged_for_review += n
        if kinds:
            self.owing_agencies.add(ori)

    def add_relay(self, pattern: str, answered: bool) -> None:
        """A query the detector flags as made for a refused requester."""
        self.relays.add(1, answered)
        self.relays_by_pattern[pattern].add(1, answered)

    @property
    def affected(self) -> list[str]:
        """Every agency whose answers the option changes, most changed first."""
        change = self.lost + self.gained
        return sorted(change, key=lambda ori: (-change[ori], ori))

    def letter_test(self) -> dict[str, float | None]:
        """ "Block immigration enforcement while still allowing cooperation on
        serious crimes", as shares: the numbers, not a verdict."""
        return {
            "immigration_blocked_pct": percent(self.immigration.refused, self.immigration.asked),
            "relays_blocked_pct": percent(self.relays.refused, self.relays.asked),
            "serious_crime_kept_pct": percent(self.serious.answered, self.serious.asked),
        }
