"""The side doors a history plants after a refusal, and who walks through them.

After each refused federal immigration query about a person (the original),
`Relays.after` may plant one relay (a band of one draw: 287(g) sheriff, HSI
for ERO, or a local police lookup) and, independently, one innocent
look-alike. Each plant is an ordinary query: the generator decides it by the
state's policy and audits it like any other. Only the ground truth knows why
it was made.

The draws use their own random stream, so the background queries of a seed
are the same whatever the shares.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from simulators.history.profiles import (
    PATTERN_287G,
    PATTERN_HSI,
    PATTERN_LOCAL,
    PATTERN_LOOK_ALIKE,
    HistoryProfile,
)
from simulators.history.subjects import SHORT_DOB_SHARE, identifiers, name, short_dob
from switch.directory import TAG_287G, Directory
from switch.directory.model import Agency

# The components whose refusals the side doors get around.
IMMIGRATION = frozenset({"ICE-ERO", "ICE-HSI", "CBP"})
US_PER_MINUTE = 60_000_000
# How long after the refusal each relay comes, minutes (log-uniform between).
DELAYS = {
    PATTERN_287G: (5, 8 * 60),
    PATTERN_HSI: (2, 4 * 60),
    PATTERN_LOCAL: (10, 12 * 60),
}
# What a local officer writes where the switch lets them cite a warrant.
IMMIGRATION_REASONS = ("ICE-WARRANT", "ICE-DETAINER", "IMMIGRATION-HOLD", "ICE-REQUEST")


@dataclass(frozen=True, slots=True)
class Original:
    """A refused federal immigration query about a person."""

    id: str
    at_us: int  # microseconds since the plan's start
    agency: Agency
    state: str
    form: str  # oln, name or name-dob (subjects.FORMS)
    resident: int


@dataclass(frozen=True, slots=True)
class Plant:
    """A query to plant: who asks, of which state, with which fields, when."""

    pattern: str
    original: Original
    agency: Agency
    key: str
    members: str  # the identifying fields, as JSON members
    extra: dict[str, str]  # RSN, WRT: after the identifiers
    reason: str  # RSN code or "none"
    warrant: str  # the level the hub would assess: "cited" for a WRT it cannot find
    at_us: int


class Relays:
    """Who may relay, drawn once from the directory."""

    def __init__(self, profile: HistoryProfile, directory: Directory, seed: int) -> None:
        self.profile = profile
        self._rng = random.Random(f"relays:{seed}")
        self._sheriffs = [a for a in directory.filter(tag=TAG_287G) if a.type == "SO"]
        self._hsi = directory.filter(component="ICE-HSI")
        self._hsi_by_state: dict[str, list[Agency]] = {}
        for office in self._hsi:
            self._hsi_by_state.setdefault(office.state, []).append(office)
        self._partners = _partner_departments(directory)
        self._bystanders: dict[str, list[Agency]] = {}
        for state in directory.states():
            pds = [a for a in directory.filter(state=state, type="PD")]
            self._bystanders[state] = [a for a in pds if not a.task_forces] or pds
        bands = [
            (PATTERN_287G, profile.relay_287g if self._sheriffs else 0.0),
            (PATTERN_HSI, profile.relay_hsi if self._hsi else 0.0),
            (PATTERN_LOCAL, profile.relay_local if self._partners else 0.0),
        ]
        self._bands = [(pattern, share) for pattern, share in bands if share]

    def after(self, original: Original, end_us: int) -> list[Plant]:
        """What follows this refusal (often nothing); each before `end_us`."""
        rng = self._rng
        plants: list[Plant] = []
        draw = rng.random()
        for pattern, share in self._bands:
            if draw < share:
                plant = self._relay(pattern, original, end_us)
                if plant is not None:
                    plants.append(plant)
                break
            draw -= share
        if rng.random() < self.profile.look_alike:
            plant = self._look_alike(original, end_us)
            if plant is not None:
                plants.append(plant)
        return plants

    def _relay(self, pattern: str, original: Original, end_us: int) -> Plant | None:
        rng = self._rng
        low, high = DELAYS[pattern]
        at_us = original.at_us + int(
            math.exp(rng.uniform(math.log(low), math.log(high))) * US_PER_MINUTE
        )
        extra: dict[str, str] = {}
        warrant = "none"
        if pattern == PATTERN_287G:
            agency = rng.choice(self._sheriffs)
        elif pattern == PATTERN_HSI:
            if original.agency.component != "ICE-ERO":
                return None  # the HSI band follows only refused ERO queries
            # HSI in the refused field office's state first: the annual agreements are local.
            agency = rng.choice(self._hsi_by_state.get(original.agency.state) or self._hsi)
        else:
            agency = self._partner(original.agency)
            if rng.random() < self.profile.local_reason:
                extra["WRT"] = rng.choice(IMMIGRATION_REASONS)
                warrant = "cited"  # an id the court registry does not know
        return self._plant(pattern, original, agency, extra, "none", warrant, at_us, end_us)

    def _partner(self, federal: Agency) -> Agency:
        """A partner department in the refused office's state if there is
        one (task forces are led in-state), else anywhere."""
        near = [a for a in self._partners if a.state == federal.state]
        return self._rng.choice(near or self._partners)

    def _look_alike(self, original: Original, end_us: int) -> Plant | None:
        pool = self._bystanders.get(original.state)
        if not pool:
            return None
        rng = self._rng
        # The same day (UTC), before or after the refusal: a traffic stop.
        day_start = original.at_us - original.at_us % (24 * 60 * US_PER_MINUTE)
        at_us = day_start + int(rng.random() * 24 * 60 * US_PER_MINUTE)
        agency = rng.choice(pool)
        return self._plant(
            PATTERN_LOOK_ALIKE, original, agency, {"RSN": "T"}, "T", "none", at_us, end_us
        )

    def _plant(
        self,
        pattern: str,
        original: Original,
        agency: Agency,
        extra: dict[str, str],
        reason: str,
        warrant: str,
        at_us: int,
        end_us: int,
    ) -> Plant:
        # A DQ in the form the original named the person in; a second typist
        # may write the DOB short (the same date, so NAM+DOB still links).
        # A DQ by name needs SEX too, whatever the original (an RNQ) carried.
        form = "name" if original.form == "name-dob" else original.form
        members = identifiers(original.state, original.resident, form)
        if form != "oln" and self._rng.random() < SHORT_DOB_SHARE:
            _, dob, _ = name(original.resident)
            members = members.replace(f'"DOB": "{dob}"', f'"DOB": "{short_dob(dob)}"')
        at_us = min(at_us, end_us - 1)
        return Plant(pattern, original, agency, "DQ", members, extra, reason, warrant, at_us)


def _partner_departments(directory: Directory) -> list[Agency]:
    """Police departments on a federal task force, or in a county where a
    task-force member sits (a partner county)."""
    members = [a for a in directory if a.task_forces]
    counties = {(a.state, a.county) for a in members if a.county}
    return [
        a
        for a in directory
        if a.type == "PD" and (a.task_forces or (a.state, a.county) in counties)
    ]
