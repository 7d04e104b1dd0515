"""Traffic profiles: who sends what to whom, as an endless, seeded stream of
(sender ORI, message text).

A profile is a set of sender groups, each a share of the traffic, a pool of
agencies from the directory, how often they query their own state and a
mix of query forms. Group shares hold exactly over every block of
`BLOCK` arrivals (a shuffled deck, not independent draws), so even a short
run shows each group at its share; everything else is drawn from one
`random.Random(seed)`. Most queries name a real driver or vehicle of the
simulated DMVs (`StateDMV`), so they hit; the rest name someone past the
end of a state's records and come back NOT ON FILE.

Shipped profiles:

- `national`: local and state police, mostly querying their own state.
- `letter-2025`: the federal share of DMV queries in the 2025 letter, scaled
  up so it shows; ICE and HSI query states that block them and states that
  do not.
- `outage`: `national` with more multi-state (NL) and out-of-state
  queries. It breaks nothing by itself: run it while some states are down
  or slowed (the simulators' fault switches), and the summary shows their
  `no_response` and `out_of_service` outcomes and NL queries that still
  answer from every other state.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from simulators.dmv import Record, StateDMV
from switch.directory import Agency, Directory

# INVARIANT: every group's share holds exactly over each block of this many arrivals.
BLOCK = 1000

# ICE and HSI's DMV queries through Nlets in the year before 1 Oct 2025, out
# of about 290 million (the letter of 12 Nov 2025): 0.10% and 0.21%, too few
# to see in a short run, so `letter-2025` scales them up keeping the ratio.
LETTER_ICE_QUERIES = 292_114
LETTER_HSI_QUERIES = 605_116
LETTER_ICE_SHARE = 0.05
LETTER_HSI_SHARE = LETTER_ICE_SHARE * LETTER_HSI_QUERIES / LETTER_ICE_QUERIES

Arrival = tuple[str, str]  # (sender ORI, message text)

# Query forms a group mixes: the key and how the subject is named.
FORMS = ("DQ", "DQ-NAME", "DNQ", "KQ", "RQ", "RQ-VIN", "NL")

_POLICE = ("PD", "SO", "SA")


@dataclass(frozen=True, slots=True)
class SenderGroup:
    name: str
    share: float
    members: Callable[[Agency], bool] = field(repr=False)
    home: float  # chance a query goes to the sender's own state
    forms: Mapping[str, float]
    hit: float = 0.9  # chance a query names a real record


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    summary: str
    groups: tuple[SenderGroup, ...]

    def pools(
        self, directory: Directory, allowed: Collection[str] | None = None
    ) -> dict[str, list[Agency]]:
        """Each group's senders, in ORI order; only `allowed` ORIs when given.

        Raises ValueError when a group with a share has no sender left.
        """
        pools: dict[str, list[Agency]] = {}
        for group in self.groups:
            pool = [
                a for a in directory if group.members(a) and (allowed is None or a.ori in allowed)
            ]
            if not pool and group.share > 0:
                raise ValueError(f"profile {self.name}: no sender for group {group.name}")
            pools[group.name] = pool
        return pools

    def senders(self, directory: Directory) -> list[str]:
        """Every ORI the profile may send as, sorted: the keys it needs."""
        return sorted({a.ori for pool in self.pools(directory).values() for a in pool})

    def messages(
        self,
        directory: Directory,
        *,
        seed: int = 0,
        dmv_seed: int = 0,
        population: int = 10_000,
        allowed: Collection[str] | None = None,
    ) -> Iterator[Arrival]:
        """Endless arrivals, the same for the same arguments.

        `dmv_seed` and `population` must be the hub's simulator seed and
        drivers per state for the queries meant to hit to hit.
        """
        return _Stream(self, directory, seed, dmv_seed, population, allowed)


class _Stream(Iterator[Arrival]):
    def __init__(
        self,
        profile: Profile,
        directory: Directory,
        seed: int,
        dmv_seed: int,
        population: int,
        allowed: Collection[str] | None,
    ) -> None:
        self._groups = {g.name: g for g in profile.groups}
        self._pools = profile.pools(directory, allowed)
        self._deck = _Deck({g.name: g.share for g in profile.groups}, random.Random(seed))
        self._rng = random.Random(seed + 1)
        self._states = directory.states()
        self._dmv_seed = dmv_seed
        self._population = population
        # Twice the hub's records: indices past `population` make the misses.
        self._dmvs: dict[str, StateDMV] = {}
        self._number = 0

    def __next__(self) -> Arrival:
        rng = self._rng
        group = self._groups[self._deck.deal()]
        sender = rng.choice(self._pools[group.name])
        form = _pick(rng, group.forms)
        self._number += 1
        control = f"*T{self._number % 10**8:08d}."
        if form == "NL":
            dest = "NL"
            state = rng.choice(self._states)
        else:
            home = sender.state in self._states and rng.random() < group.home
            dest = state = sender.state if home else rng.choice(self._states)
        index = rng.randrange(self._population)
        if rng.random() >= group.hit:
            index += self._population
        header = f"{_KEYS[form]}.{sender.ori}.{dest}.{control}TXT"
        return sender.ori, header + self._fields(form, state, index, rng)

    def _dmv(self, state: str) -> StateDMV:
        dmv = self._dmvs.get(state)
        if dmv is None:
            dmv = self._dmvs[state] = StateDMV(
                state, seed=self._dmv_seed, drivers=2 * self._population
            )
        return dmv

    def _fields(self, form: str, state: str, index: int, rng: random.Random) -> str:
        dmv = self._dmv(state)
        if form in ("RQ", "RQ-VIN"):
            vehicle = dmv.vehicle(index)
            return f"VIN/{vehicle['VIN']}" if form == "RQ-VIN" else f"LIC/{vehicle['LIC']}"
        driver = dmv.driver(index)
        if form == "DNQ":
            text = f"NAM/{_surname_first(driver)}"
        elif form in ("DQ-NAME", "NL"):
            text = f"NAM/{_surname_first(driver)}.DOB/{driver['DOB']}.SEX/{driver['SEX']}"
        else:
            text = f"OLN/{driver['OLN']}"
        if form != "KQ" and rng.random() < 0.1:
            text += ".IMQ/Y"
        if rng.random() < 0.3:
            text += f".RSN/{rng.choice('NFVTS')}"
        return text


_KEYS = {
    "DQ": "DQ",
    "DQ-NAME": "DQ",
    "DNQ": "DNQ",
    "KQ": "KQ",
    "RQ": "RQ",
    "RQ-VIN": "RQ",
    "NL": "DQ",
}


def _surname_first(driver: Record) -> str:
    # NAM is LAST,FIRST MIDDLE; a query names LAST,FIRST as officers type it.
    last, _, given = driver["NAM"].partition(",")
    return f"{last},{given.split()[0]}"


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Deck:
    """Deals names in proportion to their weights: each block of BLOCK cards
    holds every name's share (largest remainder), shuffled."""

    def __init__(self, weights: Mapping[str, float], rng: random.Random) -> None:
        total = sum(weights.values())
        exact = {name: BLOCK * w / total for name, w in weights.items()}
        counts = {name: int(x) for name, x in exact.items()}
        short = BLOCK - sum(counts.values())
        for name in sorted(exact, key=lambda n: counts[n] - exact[n])[:short]:
            counts[name] += 1
        self._block = [name for name, n in counts.items() for _ in range(n)]
        self._rng = rng
        self._cards: list[str] = []

    def deal(self) -> str:
        if not self._cards:
            self._cards = self._block[:]
            self._rng.shuffle(self._cards)
        return self._cards.pop()


def _police(agency: Agency) -> bool:
    return agency.component is None and agency.type in _POLICE


def _local(agency: Agency) -> bool:
    return agency.component is None and agency.type in ("PD", "SO")


def _state_police(agency: Agency) -> bool:
    return agency.component is None and agency.type == "SA"


def _component(name: str) -> Callable[[Agency], bool]:
    def member(agency: Agency) -> bool:
        return agency.component == name

    member.__name__ = f"component_{name}"
    return member


_POLICE_FORMS = MappingProxyType(
    {"DQ": 40, "DQ-NAME": 12, "DNQ": 5, "KQ": 7, "RQ": 30, "RQ-VIN": 3, "NL": 3}
)
_FEDERAL_FORMS = MappingProxyType(
    {"DQ": 35, "DQ-NAME": 30, "DNQ": 8, "KQ": 5, "RQ": 18, "RQ-VIN": 2, "NL": 2}
)
_OUTAGE_FORMS = MappingProxyType(
    {"DQ": 35, "DQ-NAME": 10, "DNQ": 5, "KQ": 5, "RQ": 30, "RQ-VIN": 3, "NL": 12}
)

NATIONAL = Profile(
    name="national",
    summary="local and state police across all states, mostly querying their own state",
    groups=(
        SenderGroup("local", 0.8, _local, home=0.85, forms=_POLICE_FORMS),
        SenderGroup("state police", 0.2, _state_police, home=0.8, forms=_POLICE_FORMS),
    ),
)

LETTER_2025 = Profile(
    name="letter-2025",
    summary=(
        f"ICE {LETTER_ICE_SHARE:.1%} and HSI {LETTER_HSI_SHARE:.1%} of queries "
        "(the 2025 letter's 292,114 : 605,116, scaled up), CBP 3%, the rest local; "
        "federal queries reach every state, the blocking ones included"
    ),
    groups=(
        SenderGroup("ICE-ERO", LETTER_ICE_SHARE, _component("ICE-ERO"), 0.3, _FEDERAL_FORMS),
        SenderGroup("ICE-HSI", LETTER_HSI_SHARE, _component("ICE-HSI"), 0.3, _FEDERAL_FORMS),
        SenderGroup("CBP", 0.03, _component("CBP"), 0.3, _FEDERAL_FORMS),
        SenderGroup(
            "police",
            1.0 - LETTER_ICE_SHARE - LETTER_HSI_SHARE - 0.03,
            _police,
            home=0.85,
            forms=_POLICE_FORMS,
        ),
    ),
)

OUTAGE = Profile(
    name="outage",
    summary=(
        "national traffic with more NL and out-of-state queries, "
        "to run while some states are down or slowed"
    ),
    groups=(
        SenderGroup("local", 0.8, _local, home=0.6, forms=_OUTAGE_FORMS),
        SenderGroup("state police", 0.2, _state_police, home=0.5, forms=_OUTAGE_FORMS),
    ),
)

PROFILES: Mapping[str, Profile] = MappingProxyType(
    {p.name: p for p in (NATIONAL, LETTER_2025, OUTAGE)}
)


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"no profile {name!r}; profiles: {', '.join(PROFILES)}") from None
