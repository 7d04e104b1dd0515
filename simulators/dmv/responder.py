"""One state's DMV: answers DQ, DNQ, KQ, RQ and RNQ from its synthetic records.

`StateDMV.answer(key, fields)` is the whole contract with the switch: the
query key and its fields in, the response key and the matching records out;
no records means NOT ON FILE. Records are derived on demand (`records`) and
the most recent ones kept in a bounded cache, so constructing a DMV costs
microseconds and a repeated OLN lookup a few more.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from simulators.dmv import formats, queries
from simulators.dmv.indexes import LazyIndex
from simulators.dmv.records import RecordMaker
from simulators.dmv.vehicles import is_vin
from switch.directory.jurisdictions import JURISDICTIONS, dmv_ori
from switch.errors import NotAllowed
from switch.messages.model import QUERY_KEYS, RESPONSE_KEYS

Record = Mapping[str, str]

# Name-only queries (DNQ, RNQ) can match a crowd of namesakes; a state
# returns the first few and the requester narrows with a DOB.
MAX_CANDIDATES = 5


@dataclass(frozen=True, slots=True)
class DMVAnswer:
    """A state's answer: the response key and its records; none is NOT ON FILE."""

    key: str
    records: tuple[Record, ...] = ()

    @property
    def not_on_file(self) -> bool:
        return not self.records


class StateDMV:
    """The simulated DMV of one jurisdiction, deterministic for a given seed."""

    def __init__(
        self,
        state: str,
        *,
        seed: int = 0,
        drivers: int = 10_000,
        vehicles: int | None = None,
        supports: Iterable[str] = QUERY_KEYS,
        shares_images: bool = True,
        today: date | None = None,
        cache_size: int = 1024,
    ) -> None:
        if state not in JURISDICTIONS:
            raise ValueError(f"unknown jurisdiction {state!r}")
        self.state = state
        self.ori = dmv_ori(state)
        self.seed = seed
        self.drivers = drivers
        self.vehicles = drivers if vehicles is None else vehicles
        self.supports: frozenset[str] = frozenset(supports)
        if not self.supports <= QUERY_KEYS:
            raise ValueError(f"not query keys: {sorted(self.supports - QUERY_KEYS)}")
        # 41 states share licence photos through Nlets; a DMV built with
        # shares_images=False answers IMQ/Y without the image.
        self.shares_images = shares_images
        self.today = date.today() if today is None else today
        _check_capacity(state, self.drivers, self.vehicles)

        self._maker = RecordMaker(state, seed=seed, drivers=drivers, today=self.today)
        # Per instance, not on the method, so a DMV's cache dies with it.
        self._driver = functools.lru_cache(maxsize=cache_size)(self._derive_driver)
        self._vehicle = functools.lru_cache(maxsize=cache_size)(self._derive_vehicle)
        self._by_name = LazyIndex(drivers, self._maker.name)
        self._by_owner = LazyIndex(self.vehicles, self._maker.owner)
        self._answerers: Mapping[str, Callable[[Mapping[str, str]], tuple[Record, ...]]] = {
            "DQ": self._licence,
            "DNQ": self._licence_by_name,
            "KQ": self._history,
            "RQ": self._registration,
            "RNQ": self._registration_by_owner,
        }

    @property
    def indexed(self) -> bool:
        """Whether name and owner lookups are ready without a scan."""
        return self._by_name.built and self._by_owner.built

    def warm(self) -> None:
        """Build the name and owner indexes now rather than on first use."""
        self._by_name.get(("", ""))
        self._by_owner.get(-1)

    def __repr__(self) -> str:
        return f"StateDMV({self.state!r}, seed={self.seed}, drivers={self.drivers})"

    # -- records ---------------------------------------------------------------

    def driver(self, index: int) -> Record:
        """Driver `index` as a DR carries it; `driver(42)["OLN"]` makes a hit."""
        if not 0 <= index < self.drivers:
            raise IndexError(f"{self.state} has drivers 0..{self.drivers - 1}")
        return self._driver(index)

    def vehicle(self, index: int) -> Record:
        """Vehicle `index` as an RR carries it, owner's name and address included."""
        if not 0 <= index < self.vehicles:
            raise IndexError(f"{self.state} has vehicles 0..{self.vehicles - 1}")
        return self._vehicle(index)

    def history(self, index: int) -> tuple[str, ...]:
        """Driver `index`'s history entries, newest first: `CCYYMMDD EVENT`."""
        return self._maker.history(index, self.driver(index)["STS"])

    def owner_of(self, vehicle: int) -> int:
        """The driver index of vehicle `vehicle`'s registered owner."""
        self.vehicle(vehicle)  # bounds check
        return self._maker.owner(vehicle)

    def vehicles_of(self, driver: int) -> tuple[int, ...]:
        """The vehicles registered to driver `driver`; many own none, some several."""
        return self._by_owner.get(driver)

    def _derive_driver(self, index: int) -> Record:
        return MappingProxyType(self._maker.driver(index))

    def _derive_vehicle(self, index: int) -> Record:
        owner = self._driver(self._maker.owner(index))
        return MappingProxyType(self._maker.vehicle(index, owner))

    # -- answering -------------------------------------------------------------

    def answer(self, key: str, fields: Mapping[str, str]) -> DMVAnswer:
        """Answer query `key`; field values that match nothing give NOT ON FILE.

        Raises `NotAllowed` (ER .02.) for a key this state does not answer.
        """
        if key not in self.supports:
            raise NotAllowed(f"{self.state} DMV does not answer {key}")
        return DMVAnswer(RESPONSE_KEYS[key], self._answerers[key](fields))

    def _licence(self, fields: Mapping[str, str]) -> tuple[Record, ...]:
        return self._with_images(self._identified(fields), fields)

    def _licence_by_name(self, fields: Mapping[str, str]) -> tuple[Record, ...]:
        found = self._named(fields)[:MAX_CANDIDATES]
        return self._with_images(found, fields)

    def _history(self, fields: Mapping[str, str]) -> tuple[Record, ...]:
        found = self._identified(fields)
        records = tuple(
            MappingProxyType(
                {**self._driver(i), **{f"HS{n}": e for n, e in enumerate(self.history(i), 1)}}
            )
            for i in found
        )
        return self._add_images(records, fields)

    def _registration(self, fields: Mapping[str, str]) -> tuple[Record, ...]:
        found = [i for i in (self._by_plate(fields), self._by_vin(fields)) if i is not None]
        return tuple(self._vehicle(i) for i in dict.fromkeys(found))

    def _by_plate(self, fields: Mapping[str, str]) -> int | None:
        plate = formats.normalise_identifier(fields.get("LIC", ""))
        index = self._maker.plate_format.decode(plate) if plate else None
        if index is None or index >= self.vehicles:
            return None
        # LIY and LIT qualify a plate: the same plate number of another year
        # or type is not the vehicle asked for.
        record = self._vehicle(index)
        for prefix in ("LIY", "LIT"):
            wanted = fields.get(prefix, "").strip().upper()
            if wanted and wanted != record[prefix]:
                return None
        return index

    def _by_vin(self, fields: Mapping[str, str]) -> int | None:
        vin = formats.normalise_identifier(fields.get("VIN", ""))
        if not is_vin(vin):
            return None
        # The serial carries the index; the rest of the VIN must match too.
        index = self._maker.vin_serial_format.decode(vin[-7:])
        if index is None or index >= self.vehicles or self._vehicle(index)["VIN"] != vin:
            return None
        return index

    def _registration_by_owner(self, fields: Mapping[str, str]) -> tuple[Record, ...]:
        owned = (v for owner in self._named(fields) for v in self._by_owner.get(owner))
        return tuple(self._vehicle(v) for v in itertools.islice(owned, MAX_CANDIDATES))

    def _identified(self, fields: Mapping[str, str]) -> tuple[int, ...]:
        """Drivers a DQ or KQ names: by OLN, else by NAM with DOB (and SEX)."""
        oln = formats.normalise_identifier(fields.get("OLN", ""))
        if oln:
            index = self._maker.oln_format.decode(oln)
            return (index,) if index is not None and index < self.drivers else ()
        if not fields.get("DOB", "").strip():
            return ()  # a licence query by name needs a DOB; DNQ is the name-only query
        return self._named(fields)[:MAX_CANDIDATES]

    def _named(self, fields: Mapping[str, str]) -> tuple[int, ...]:
        subject = queries.parse_subject(fields, self.today)
        if subject is None:
            return ()
        namesakes = self._by_name.get((subject.name.last, subject.name.first))
        return tuple(i for i in namesakes if queries.matches(subject, self._maker.identity(i)))

    def _with_images(self, found: Iterable[int], fields: Mapping[str, str]) -> tuple[Record, ...]:
        return self._add_images(tuple(self._driver(i) for i in found), fields)

    def _add_images(
        self, records: tuple[Record, ...], fields: Mapping[str, str]
    ) -> tuple[Record, ...]:
        if not (self.shares_images and fields.get("IMQ", "").strip().upper() == "Y"):
            return records
        return tuple(MappingProxyType({**r, "IMG": placeholder_image(r)}) for r in records)


def placeholder_image(record: Record) -> str:
    """A stand-in for the licence photo: `JPEG;` and 12 hex of a SHA-256.

    Hashed from who the person is (name, DOB, sex, licence number), not the
    whole record, so the photo stays the same when a status or expiry date
    changes; short enough to log.
    """
    text = ".".join(f"{p}/{record[p]}" for p in ("NAM", "DOB", "SEX", "OLN"))
    return f"JPEG;{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def _check_capacity(state: str, drivers: int, vehicles: int) -> None:
    # Every record needs its own identifier; capacities come from the
    # patterns alone, so the check builds no format.
    oln = formats.capacity(formats.OLN_PATTERNS.get(state, formats.DEFAULT_OLN_PATTERN))
    plate = formats.capacity(formats.PLATE_PATTERNS.get(state, formats.DEFAULT_PLATE_PATTERN))
    vin = formats.capacity(formats.VIN_SERIAL_PATTERN)
    if not 1 <= drivers <= oln:
        raise ValueError(f"{state}: drivers must be 1..{oln}, got {drivers}")
    if not 0 <= vehicles <= min(plate, vin):
        raise ValueError(f"{state}: vehicles must be 0..{min(plate, vin)}, got {vehicles}")
