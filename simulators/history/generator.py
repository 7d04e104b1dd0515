"""Queries drawn for a history: how many, from whom, to which state, with
which key, reason and warrant, at what moment. Pure: no database."""

from __future__ import annotations

import bisect
import json
import math
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from simulators.history.figures import (
    FEDERAL_OWN_STATE,
    FEDERAL_QUERIES,
    FEDERAL_WARRANTS,
    HOUR_WEIGHTS,
    IMAGE_SHARE,
    IMMIGRATION_WARRANTS,
    IN_STATE,
    KEYS,
    LESC,
    LESC_SHARE,
    LOCAL,
    LOCAL_TYPE_WEIGHTS,
    POPULATION,
    REASONS,
    REQUIRED,
    WEEKDAY_WEIGHTS,
)
from simulators.history.plan import HistoryError, HistoryPlan
from simulators.history.profiles import PATTERNS
from simulators.history.relays import IMMIGRATION, Original, Plant, Relays
from simulators.history.subjects import (
    FORMS,
    MIN_RESIDENTS,
    OLN_SHARE,
    fields_json,
    identifiers,
    subject_key,
)
from switch.directory import Directory
from switch.directory.model import Agency
from switch.messages.model import RESPONSE_KEYS, Message
from switch.policy import Facts, PolicyDecider

Row = tuple[Any, ...]
Request = tuple[Agency, str, str]  # requester, destination state, warrant level
IMAGE_KEYS = frozenset({"DQ", "DNQ", "KQ"})
US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR
# Licensed drivers per resident, roughly: how many people a state's queries name.
DRIVERS_PER_RESIDENT = 0.7


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, whole numbers summing exactly
    to `total` (largest remainder)."""
    scale = sum(weights)
    shares = [total * w / scale for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _Picker:
    """Weighted draws with the cumulative weights built once."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))

    def many(self, rng: random.Random, k: int) -> list[Any]:
        return rng.choices(self.items, cum_weights=self.cum, k=k)


class HistoryGenerator:
    """The plan's audit rows, day by day in time order, each query decided
    once per distinct (state, requester, key, reason, image, warrant)."""

    def __init__(
        self,
        plan: HistoryPlan,
        directory: Directory,
        decider: PolicyDecider,
        *,
        postgres: bool = False,
    ) -> None:
        self.plan = plan
        self.decider = decider
        self.postgres = postgres
        states = [s for s in directory.states() if s in POPULATION]
        self._states = _Picker(states, [POPULATION[s] for s in states])
        # Federal offices sit in territories too (GU, VI) whose DMVs do not answer.
        self._answering = frozenset(states)
        self._keys = _Picker(list(KEYS), list(KEYS.values()))
        self._reasons = _Picker(list(REASONS), list(REASONS.values()))
        self._warrants = {
            kind: _Picker(list(w), list(w.values()))
            for kind, w in (("immigration", IMMIGRATION_WARRANTS), ("federal", FEDERAL_WARRANTS))
        }
        self._federal: dict[str, _Picker] = {}
        for component in FEDERAL_QUERIES:
            pool = directory.filter(component=component)
            if pool:
                self._federal[component] = _Picker(pool, [_federal_weight(a, pool) for a in pool])
            elif component in REQUIRED:
                raise HistoryError(f"the directory has no {component} agency")
        self._local = self._local_picker(directory, states)
        self.counts = plan.counts(list(self._federal))
        self._decided: dict[tuple[Any, ...], Row] = {}
        # About one resident per query a year that names a person (never fewer than
        # MIN_RESIDENTS), so most people are queried once and a few by chance again.
        self._residents = {
            s: max(MIN_RESIDENTS, round(POPULATION[s] * 1e6 * DRIVERS_PER_RESIDENT * plan.scale))
            for s in states
        }
        profile = plan.profile
        self._relays = Relays(profile, directory, plan.seed) if profile.plants else None
        # Planted rows draw ids and latencies from their own stream: the background stays put.
        self._plant_rng = random.Random(f"plants:{plan.seed}")
        self.planted: dict[str, int] = dict.fromkeys(PATTERNS, 0)
        # Background queries handed out so far (progress counts these against the plan).
        self.background = 0
        self.truth: list[dict[str, Any]] = []

    @staticmethod
    def _local_picker(directory: Directory, states: list[str]) -> _Picker:
        """Every state and local agency, weighted so that each state's share
        follows its population and the state police outweighs a city."""
        agencies: list[Agency] = []
        weights: list[float] = []
        for state in states:
            pool = [
                a
                for a in directory.by_state(state)
                if a.department is None and a.type in LOCAL_TYPE_WEIGHTS
            ]
            total = sum(LOCAL_TYPE_WEIGHTS[a.type] for a in pool)
            agencies.extend(pool)
            weights.extend(POPULATION[state] * LOCAL_TYPE_WEIGHTS[a.type] / total for a in pool)
        if not agencies:
            raise HistoryError("the directory has no state or local agency to query")
        return _Picker(agencies, weights)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def evaluations(self) -> int:
        return len(self._decided)

    def days(self) -> Iterator[list[Row]]:
        """Each day's queries as rows of STAGE_COLUMNS, in time order, with
        the plants that fall on that day among them."""
        rng = random.Random(self.plan.seed)
        first = self.plan.start.date()
        days = [first + timedelta(d) for d in range((self.plan.end - self.plan.start).days)]
        end_us = len(days) * US_PER_DAY
        weights = [_day_weight(d) for d in days]
        per_group = {g: apportion(n, weights) for g, n in self.counts.items()}
        hours = _Picker(range(24), HOUR_WEIGHTS)
        # Plants that fall on a later day than their refusal, by day.
        later: dict[int, list[Row]] = {}
        for index, day in enumerate(days):
            requests: list[Request] = []
            for group, counts in per_group.items():
                requests.extend(self._requests(rng, group, counts[index]))
            rng.shuffle(requests)
            draw = rng.random
            times = sorted(
                h * US_PER_HOUR + int(draw() * US_PER_HOUR) for h in hours.many(rng, len(requests))
            )
            originals: list[Original] = []
            rows = self._rows(rng, day, index, times, requests, originals)
            self.background += len(rows)
            for original in originals:
                for plant in self._relays.after(original, end_us) if self._relays else ():
                    row = self._planted(plant, first)
                    on = plant.at_us // US_PER_DAY
                    if on == index:
                        bisect.insort(rows, row)
                    else:
                        later.setdefault(on, []).append(row)
            for row in later.pop(index, ()):
                bisect.insort(rows, row)
            yield rows

    def _requests(self, rng: random.Random, group: str, n: int) -> list[Request]:
        draw = rng.random
        elsewhere = self._states.many(rng, n)
        if group == LOCAL:
            return [
                (a, a.state if draw() < IN_STATE else other, "none")
                for a, other in zip(self._local.many(rng, n), elsewhere, strict=True)
            ]
        kind = "immigration" if group in REQUIRED else "federal"
        answering = self._answering
        return [
            (a, a.state if draw() < FEDERAL_OWN_STATE and a.state in answering else other, w)
            for a, other, w in zip(
                self._federal[group].many(rng, n),
                elsewhere,
                self._warrants[kind].many(rng, n),
                strict=True,
            )
        ]

    def _rows(
        self,
        rng: random.Random,
        day: date,
        index: int,
        times: list[int],
        requests: list[Request],
        originals: list[Original],
    ) -> list[Row]:
        """The day's background rows; the refusals a relay may follow go to `originals`."""
        n = len(requests)
        draw, bits = rng.random, rng.getrandbits
        decided, decide = self._decided, self._decide
        residents = self._residents
        watch = self._relays is not None
        day_us = index * US_PER_DAY
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        midnight_ms = int(midnight.timestamp() * 1000)
        day_text = day.isoformat()
        postgres = self.postgres
        rows: list[Row] = []
        for (agency, state, warrant), key, reason, at_us in zip(
            requests, self._keys.many(rng, n), self._reasons.many(rng, n), times, strict=True
        ):
            image = key in IMAGE_KEYS and draw() < IMAGE_SHARE
            form = FORMS[key]
            if form == "either":
                form = "oln" if draw() < OLN_SHARE else "name"
            resident = int(draw() * residents[state])
            ori = agency.ori
            d = decided.get((state, ori, key, reason, image, warrant))
            if d is None:
                d = decide(agency, state, key, reason, image, warrant)
            at: Any
            if postgres:
                at = midnight + timedelta(microseconds=at_us)
            else:
                # SQLAlchemy's SQLite DateTime text: ORM reads and string ranges both work.
                s, us = divmod(at_us, 1_000_000)
                at = f"{day_text} {_CLOCK[s]}.{us:06d}"
            # Ids as the hub makes them: milliseconds then 80 random bits, so they sort by time.
            message_id = f"{midnight_ms + at_us // 1000:012x}{bits(80):020x}"
            rows.append(
                (
                    message_id, at, ori, key, reason, state,
                    "{" + identifiers(state, resident, form) + _TAILS[reason, image],
                    40.0 + draw() * 360.0 if d[0] == "permit" else 0.3,
                    warrant, int(image), *d,
                )
            )  # fmt: skip
            if watch and d[0] == "deny" and agency.component in IMMIGRATION and form != "plate":
                originals.append(
                    Original(message_id, day_us + at_us, agency, state, form, resident)
                )
        return rows

    def _planted(self, plant: Plant, first: date) -> Row:
        """A planted query's row, decided and written as any other's; its
        ground truth is kept apart, in `truth`."""
        rng = self._plant_rng
        agency, original = plant.agency, plant.original
        state = original.state
        day_index, at_us = divmod(plant.at_us, US_PER_DAY)
        day = first + timedelta(day_index)
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        key, reason, warrant = plant.key, plant.reason, plant.warrant
        d = self._decided.get((state, agency.ori, key, reason, False, warrant))
        if d is None:
            d = self._decide(agency, state, key, reason, False, warrant)
        at: Any
        if self.postgres:
            at = midnight + timedelta(microseconds=at_us)
        else:
            s, us = divmod(at_us, 1_000_000)
            at = f"{day.isoformat()} {_CLOCK[s]}.{us:06d}"
        midnight_ms = int(midnight.timestamp() * 1000)
        message_id = f"{midnight_ms + at_us // 1000:012x}{rng.getrandbits(80):020x}"
        self.planted[plant.pattern] += 1
        self.truth.append(
            {
                "pattern": plant.pattern,
                "original_id": original.id,
                "query_id": message_id,
                "state": state,
                "subject": subject_key(state, original.resident, original.form),
                "original_ori": original.agency.ori,
                "query_ori": agency.ori,
                "seconds_after": round((plant.at_us - original.at_us) / 1e6, 3),
            }
        )
        # INVARIANT: the same columns, in the same order, as `_rows` writes.
        return (
            message_id, at, agency.ori, key, reason, state,
            fields_json(plant.members, plant.extra),
            40.0 + rng.random() * 360.0 if d[0] == "permit" else 0.3,
            warrant, 0, *d,
        )  # fmt: skip

    def _decide(
        self, agency: Agency, state: str, key: str, reason: str, image: bool, warrant: str
    ) -> Row:
        fields = {"RSN": reason} if reason != "none" else {}
        if image:
            fields["IMQ"] = "Y"
        message = Message(key, agency.ori, (state,), fields)
        # Noon on the first day: the shipped policies test no time windows.
        at = self.plan.start + timedelta(hours=12)
        ruling = self.decider.ruling(state, Facts(agency, message, warrant, at))
        d, shadow = ruling.decision, ruling.shadow
        kinds = {o.kind for o in d.obligations}
        # In STAGE_COLUMNS order, from "decision" on.
        decided = (
            d.effect,
            d.rule,
            d.reason,
            d.version,
            "answered" if d.permitted else "rejected",
            RESPONSE_KEYS[key] if d.permitted else "ER",
            ",".join(d.redact) or None,
            json.dumps([str(o) for o in d.obligations]) if d.obligations else None,
            int("flag_for_review" in kinds),
            int("report" in kinds),
            shadow.effect if shadow else None,
            shadow.rule if shadow else None,
            shadow.version if shadow else None,
        )
        self._decided[state, agency.ori, key, reason, image, warrant] = decided
        return decided


def _federal_weight(agency: Agency, pool: Sequence[Agency]) -> float:
    # The LESC takes LESC_SHARE of ICE-ERO's queries; field offices share the rest.
    if agency.ori == LESC and len(pool) > 1:
        return LESC_SHARE * (len(pool) - 1) / (1 - LESC_SHARE)
    return 1.0


def _day_weight(day: date) -> float:
    # A little busier in summer than in winter.
    season = 1.0 + 0.06 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 105) / 365)
    return WEEKDAY_WEIGHTS[day.weekday()] * season


_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]
# What follows a query's identifiers in its fields: RSN and IMQ, closed.
_TAILS = {
    (reason, image): "".join(
        f', "{prefix}": "{value}"'
        for prefix, value in (
            ("RSN", reason if reason != "none" else None),
            ("IMQ", "Y" if image else None),
        )
        if value is not None
    )
    + "}"
    for reason in REASONS
    for image in (False, True)
}
