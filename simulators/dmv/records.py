"""Deterministic synthetic drivers and vehicles, derived on demand from an index.

Nothing is stored: record `i` of a state is a pure function of (seed, state,
i) and `today`, so a DMV of any size starts instantly and the same seed
always yields the same people. A BLAKE2b digest of
`"<seed>:<state>:<kind>:<i>"` seeds everything: its bits give the identity
(name, sex, date of birth) directly, which is cheap enough to scan a whole
state for a name query; the rest of the record comes from a `random.Random`
seeded with the same digest.

Identifying fields (name, DOB, OLN, plate, VIN, model year) ignore the date;
expiry dates, statuses and history are laid out around `today`, so a licence
marked VALID is not long expired when the simulator runs years from now.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import cached_property
from itertools import accumulate
from typing import Generic, NamedTuple, TypeVar

from simulators.dmv import names, places, vehicles
from simulators.dmv.formats import (
    VIN_CHARACTERS,
    NumberFormat,
    oln_format,
    plate_format,
    vin_serial_format,
)

T = TypeVar("T")


class _Weighted(NamedTuple, Generic[T]):
    values: tuple[T, ...]
    cumulative: tuple[int, ...]


def _weights(table: Sequence[tuple[T, int]]) -> _Weighted[T]:
    return _Weighted(tuple(v for v, _ in table), tuple(accumulate(w for _, w in table)))


# Drivers are born 1940-2009: everyone is at least 16 in 2025.
_FIRST_DOB = date(1940, 1, 1).toordinal()
_DOB_DAYS = date(2009, 12, 31).toordinal() - _FIRST_DOB + 1

# The SSA never issues area number 000 (nor 666 or 900-999), and the IRS
# uses 9xx for ITINs; a 000 SSN therefore belongs to no real person and is
# not mistaken for a taxpayer number either.
SYNTHETIC_SSN_AREA = "000"

# Ordinary licence class where it is not C.
_ORDINARY_CLASS = {"CT": "D", "IL": "D", "MA": "D", "NJ": "D", "NY": "D", "OH": "D"}

_RACES = _weights((("W", 60), ("B", 13), ("A", 6), ("I", 1), ("U", 20)))
_EYES = _weights((("BRO", 45), ("BLU", 27), ("HAZ", 10), ("GRN", 9), ("GRY", 3), ("BLK", 6)))
_HAIR = _weights(
    (("BRO", 40), ("BLK", 25), ("BLN", 12), ("RED", 3), ("GRY", 10), ("WHI", 5), ("BAL", 5))
)
_ADULT_TYPES = _weights((("DL", 84), ("ID", 8), ("CDL", 6), ("LP", 2)))
_DRIVER_STATUSES = _weights(
    (("VALID", 85), ("SUSPENDED", 6), ("REVOKED", 2), ("EXPIRED", 5), ("CANCELLED", 2))
)
_VEHICLE_STATUSES = _weights((("VALID", 90), ("EXPIRED", 7), ("SUSPENDED", 2), ("CANCELLED", 1)))
_HISTORY_LENGTHS = _weights(((0, 50), (1, 25), (2, 13), (3, 8), (4, 4)))
_MAKES = _weights(tuple((make, make.weight) for make in vehicles.MAKES))
_COLOURS = _weights(vehicles.COLOURS)
_OFFENCES = (
    "SPEEDING 10 OVER", "SPEEDING 15 OVER", "SPEEDING 25 OVER", "FAILURE TO OBEY SIGNAL",
    "FAILURE TO YIELD", "IMPROPER LANE CHANGE", "NO PROOF OF INSURANCE", "SEAT BELT VIOLATION",
    "HANDHELD PHONE WHILE DRIVING", "AT FAULT COLLISION", "RECKLESS DRIVING", "DUI",
    "FAILURE TO APPEAR",
)  # fmt: skip


class Identity(NamedTuple):
    """What a name query matches on, derivable without the rest of the record."""

    last: str
    first: str
    middle: str
    sex: str
    dob: date

    @property
    def name(self) -> str:
        """NCIC order: `LAST,FIRST MIDDLE`."""
        given = f"{self.first} {self.middle}" if self.middle else self.first
        return f"{self.last},{given}"


class RecordMaker:
    """Derives one jurisdiction's drivers and vehicles; caches nothing."""

    def __init__(self, state: str, *, seed: int, drivers: int, today: date) -> None:
        self.state = state
        self.seed = seed
        self.drivers = drivers
        self.today = today

    # Built on first use: constructing a maker for every state costs nothing.
    @cached_property
    def oln_format(self) -> NumberFormat:
        return oln_format(self.state, self.seed)

    @cached_property
    def plate_format(self) -> NumberFormat:
        return plate_format(self.state, self.seed)

    @cached_property
    def vin_serial_format(self) -> NumberFormat:
        return vin_serial_format(self.state, self.seed)

    @cached_property
    def _hashers(self) -> dict[str, hashlib.blake2b]:
        # Hashing "<seed>:<state>:<kind>:" once and copying the state per
        # record halves the cost of a digest, which the name index pays 10,000
        # times.
        return {
            kind: hashlib.blake2b(f"{self.seed}:{self.state}:{kind}:".encode(), digest_size=16)
            for kind in "DHV"
        }

    def _digest(self, kind: str, index: int) -> int:
        hasher = self._hashers[kind].copy()
        hasher.update(str(index).encode())
        return int.from_bytes(hasher.digest(), "big")

    # Identity bits of the "D" digest: 0 sex, 1-16 first name, 17-32 middle
    # name, 33-35 whether there is a middle name, 36-51 surname, 52- DOB.

    def name(self, index: int) -> tuple[str, str]:
        """(LAST, FIRST) of driver `index`: what the name index is keyed on."""
        bits = self._digest("D", index)
        given = names.FEMALE_FIRST_NAMES if bits & 1 else names.MALE_FIRST_NAMES
        return (
            names.LAST_NAMES[_skewed((bits >> 36) & 0xFFFF, len(names.LAST_NAMES))],
            given[_skewed((bits >> 1) & 0xFFFF, len(given))],
        )

    def identity(self, index: int) -> Identity:
        bits = self._digest("D", index)
        female = bits & 1
        given = names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES
        first = given[_skewed((bits >> 1) & 0xFFFF, len(given))]
        middle = given[_skewed((bits >> 17) & 0xFFFF, len(given))] if (bits >> 33) & 7 else ""
        return Identity(
            last=names.LAST_NAMES[_skewed((bits >> 36) & 0xFFFF, len(names.LAST_NAMES))],
            first=first,
            middle="" if middle == first else middle,
            sex="F" if female else "M",
            dob=date.fromordinal(_FIRST_DOB + (bits >> 52) % _DOB_DAYS),
        )

    def driver(self, index: int) -> dict[str, str]:
        who = self.identity(index)
        rng = random.Random(self._digest("D", index))
        male = who.sex == "M"
        inches = round(min(max(rng.gauss(69.5 if male else 64.0, 3.0), 58), 80))
        pounds = round(min(max(rng.gauss(195 if male else 165, 35), 95), 400))
        hair = _weighted(rng, _HAIR)
        if hair == "BAL" and not male:
            hair = "GRY"
        age = self.today.year - who.dob.year
        licence = _weighted(rng, _ADULT_TYPES) if age >= 18 else rng.choice(("LP", "ID"))
        status = _weighted(rng, _DRIVER_STATUSES)
        if licence == "ID" and status in ("SUSPENDED", "REVOKED"):
            status = "VALID"  # an identification card carries no driving privilege
        years_left = rng.randint(-6, -1) if status == "EXPIRED" else rng.randint(1, 8)
        return {
            "NAM": who.name,
            "ADR": self._address(rng),
            "DOB": f"{who.dob:%Y%m%d}",
            "SEX": who.sex,
            "RAC": _weighted(rng, _RACES),
            "HGT": f"{inches // 12}{inches % 12:02d}",
            "WGT": f"{pounds:03d}",
            "EYE": _weighted(rng, _EYES),
            "HAI": hair,
            "SOC": f"{SYNTHETIC_SSN_AREA}{rng.randrange(1_000_000):06d}",
            "LTY": licence,
            "CLS": self._licence_class(rng, licence),
            "RST": rng.choice(("NONE", "NONE", "B")) if licence != "ID" else "NONE",
            "STS": status,
            "EXP": f"{_anniversary(who.dob, self.today.year + years_left):%Y%m%d}",
            "OLN": self.oln_format.encode(index),
        }

    def _address(self, rng: random.Random) -> str:
        city, zip3 = rng.choice(places.CITIES[self.state])
        street = f"{rng.choice(places.STREET_NAMES)} {rng.choice(places.STREET_SUFFIXES)}"
        unit = f" APT {rng.randint(1, 40)}" if rng.random() < 0.15 else ""
        number = rng.randint(1, 99) * 100 + rng.randint(0, 99)
        return f"{number} {street}{unit}, {city}, {self.state} {zip3}{rng.randrange(100):02d}"

    def _licence_class(self, rng: random.Random, licence: str) -> str:
        if licence == "ID":
            return "NONE"
        if licence == "CDL":
            return rng.choice(("A", "A", "B", "C"))
        if licence == "DL" and rng.random() < 0.03:
            return "M"
        return _ORDINARY_CLASS.get(self.state, "C")

    def history(self, index: int, status: str) -> tuple[str, ...]:
        """Driver-history entries, newest first: `CCYYMMDD EVENT`."""
        rng = random.Random(self._digest("H", index))
        length = _weighted(rng, _HISTORY_LENGTHS)
        if status in ("SUSPENDED", "REVOKED"):
            length = max(length, 1)
        days_ago = sorted(rng.sample(range(30, 3650), length))
        events = [rng.choice(_OFFENCES) for _ in days_ago]
        if status in ("SUSPENDED", "REVOKED"):
            events[0] = f"LICENSE {status}"
        return tuple(
            f"{self.today - timedelta(days=ago):%Y%m%d} {event}"
            for ago, event in zip(days_ago, events, strict=True)
        )

    def owner(self, vehicle: int) -> int:
        """The driver index of a vehicle's registered owner."""
        return self._digest("V", vehicle) % self.drivers

    def vehicle(self, index: int, owner: Mapping[str, str]) -> dict[str, str]:
        rng = random.Random(self._digest("V", index))
        make = _weighted(rng, _MAKES)
        model = rng.choice(make.models)
        year = rng.choice(vehicles.MODEL_YEARS)
        descriptor = "".join(rng.choice(VIN_CHARACTERS) for _ in range(5))
        serial = self.vin_serial_format.encode(index)
        status = _weighted(rng, _VEHICLE_STATUSES)
        days = -rng.randint(1, 400) if status in ("EXPIRED", "CANCELLED") else rng.randint(1, 730)
        expiry = self.today + timedelta(days=days)
        return {
            "LIC": self.plate_format.encode(index),
            "LIY": f"{expiry:%Y}",
            "LIT": model.plate_type,
            "VIN": vehicles.assemble_vin(make.wmi, descriptor, year, serial),
            "VYR": str(year),
            "VMA": make.code,
            "VMO": model.name,
            "VST": model.style,
            "VCO": _weighted(rng, _COLOURS),
            "NAM": owner["NAM"],
            "ADR": owner["ADR"],
            "EXP": f"{expiry:%Y%m%d}",
            "STS": status,
        }


def _skewed(bits16: int, size: int) -> int:
    # Squaring a uniform draw favours low ranks: the lists run from the most
    # common name down, so SMITH and JAMES come up often, as they should.
    return (bits16 * bits16 * size) >> 32


def _weighted(rng: random.Random, table: _Weighted[T]) -> T:
    # What rng.choices(values, cum_weights=...)[0] computes, without its
    # per-call set-up: a record makes a dozen of these draws.
    point = rng.random() * table.cumulative[-1]
    return table.values[bisect(table.cumulative, point, 0, len(table.cumulative) - 1)]


def _anniversary(born: date, year: int) -> date:
    """The birthday in `year`; 29 February falls on the 28th in common years."""
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 2, 28)
