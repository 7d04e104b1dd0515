"""Programmable records: drivers and vehicles a test or trainer puts into a
mock state, answered exactly as given.

A record is a flat mapping of DR/RR field prefixes to text. A query that
matches any programmed record is answered with those alone; only a query
that matches none falls through to the generated records. Matching follows
the simulated DMV's rules: DQ and KQ by OLN, else NAM with DOB (SEX and a
middle name narrow); DNQ by name; RQ by LIC (LIY and LIT narrow) or VIN;
RNQ by the owner's NAM.

A fixture file (YAML or JSON) has the API's shape::

    drivers:
      - {OLN: WDL0TEST0001, NAM: "DOE,JOHN", DOB: "19800101", SEX: M}
    vehicles:
      - {LIC: TEST123, VIN: 1HGCM82633A004352, NAM: "DOE,JOHN"}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from simulators.dmv import MAX_CANDIDATES
from simulators.dmv.formats import normalise_identifier
from simulators.dmv.queries import Subject, parse_dob, parse_name, parse_subject
from simulators.mockstate._errors import RecordsFileError, describe

Record = dict[str, str]
_PREFIX = re.compile(r"[A-Z][A-Z0-9]{1,3}")
DRIVER_KEYS = frozenset({"DQ", "DNQ", "KQ"})


def _fields(value: Any) -> Record:
    """Prefixes upper-cased; numbers (a DOB typed bare in JSON) become text."""
    if not isinstance(value, Mapping):
        raise ValueError("a record is a mapping of field prefixes to text")
    fields: Record = {}
    for name, text in value.items():
        prefix = str(name).strip().upper()
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"{name!r} is not a field prefix (2-4 letters or digits)")
        if isinstance(text, bool) or not isinstance(text, str | int | float):
            raise ValueError(f"{prefix}: want text, got {type(text).__name__}")
        fields[prefix] = str(text).strip()
    return fields


def _identity_fields(fields: Record) -> None:
    if "NAM" in fields and parse_name(fields["NAM"]) is None:
        raise ValueError(f"NAM {fields['NAM']!r}: want LAST,FIRST [MIDDLE]")
    dob = fields.get("DOB")
    if dob is not None and (len(dob) != 8 or parse_dob(dob, date.today()) is None):
        raise ValueError(f"DOB {dob!r}: want CCYYMMDD")
    if fields.get("SEX", "M") not in ("M", "F"):
        raise ValueError(f"SEX {fields['SEX']!r}: want M or F")


def _driver(fields: Record) -> Record:
    if not (fields.get("OLN") or fields.get("NAM")):
        raise ValueError("a driver needs OLN or NAM")
    _identity_fields(fields)
    return fields


def _vehicle(fields: Record) -> Record:
    if not (fields.get("LIC") or fields.get("VIN")):
        raise ValueError("a vehicle needs LIC or VIN")
    _identity_fields(fields)
    return fields


Driver = Annotated[Record, BeforeValidator(_fields), AfterValidator(_driver)]
Vehicle = Annotated[Record, BeforeValidator(_fields), AfterValidator(_vehicle)]


class RecordSet(BaseModel):
    """Programmed records, as the admin API and fixture files carry them."""

    model_config = ConfigDict(extra="forbid")

    drivers: list[Driver] = []
    vehicles: list[Vehicle] = []

    def __len__(self) -> int:
        return len(self.drivers) + len(self.vehicles)


def load_records(path: str | Path) -> RecordSet:
    """A fixture file: JSON, or YAML read with every value as text (so a bare
    `0123` stays `0123`, not the octal 83)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = (
            json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=yaml.BaseLoader)
        )
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise RecordsFileError(f"{path}: {exc}") from exc
    try:
        return RecordSet.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise RecordsFileError(f"{path}: {describe(exc)}") from exc


class ProgrammedRecords:
    """The records programmed into one mock state, and the matching."""

    def __init__(self, today: date | None = None) -> None:
        self.today = today or date.today()
        self.drivers: list[Record] = []
        self.vehicles: list[Record] = []

    def __len__(self) -> int:
        return len(self.drivers) + len(self.vehicles)

    def snapshot(self) -> RecordSet:
        return RecordSet(drivers=list(self.drivers), vehicles=list(self.vehicles))

    def add(self, records: RecordSet) -> None:
        self.drivers.extend(dict(r) for r in records.drivers)
        self.vehicles.extend(dict(r) for r in records.vehicles)

    def replace(self, records: RecordSet) -> None:
        self.clear()
        self.add(records)

    def clear(self) -> None:
        self.drivers.clear()
        self.vehicles.clear()

    def match(self, key: str, fields: Mapping[str, str]) -> tuple[Record, ...]:
        """The programmed records query `key` names; () when none."""
        if key in ("DQ", "KQ"):
            return tuple(r for r in self.drivers if self._identifies(r, fields))
        if key == "DNQ":
            found = self._named(self.drivers, fields)
        elif key == "RQ":
            found = [r for r in self.vehicles if _plate_or_vin(r, fields)]
        elif key == "RNQ":
            found = self._named(self.vehicles, fields)
        else:
            return ()
        return tuple(found[:MAX_CANDIDATES])

    def _identifies(self, record: Record, fields: Mapping[str, str]) -> bool:
        oln = normalise_identifier(fields.get("OLN", ""))
        if oln:
            return normalise_identifier(record.get("OLN", "")) == oln
        # As the DMV: a licence query by name needs a DOB.
        return bool(fields.get("DOB", "").strip()) and bool(self._named([record], fields))

    def _named(self, records: list[Record], fields: Mapping[str, str]) -> list[Record]:
        subject = parse_subject(fields, self.today)
        if subject is None:
            return []
        return [r for r in records if _fits(subject, r, self.today)]


def _fits(subject: Subject, record: Record, today: date) -> bool:
    name = parse_name(record.get("NAM", ""))
    if name is None or (name.last, name.first) != (subject.name.last, subject.name.first):
        return False
    if subject.dob is not None and parse_dob(record.get("DOB", ""), today) != subject.dob:
        return False
    if subject.sex is not None and record.get("SEX", "").upper() != subject.sex:
        return False
    asked, known = subject.name.middle, name.middle
    return not asked or not known or known.startswith(asked)


def _plate_or_vin(record: Record, fields: Mapping[str, str]) -> bool:
    vin = normalise_identifier(fields.get("VIN", ""))
    if vin and normalise_identifier(record.get("VIN", "")) == vin:
        return True
    plate = normalise_identifier(fields.get("LIC", ""))
    if not plate or normalise_identifier(record.get("LIC", "")) != plate:
        return False
    # LIY and LIT qualify a plate when both sides give them.
    for prefix in ("LIY", "LIT"):
        wanted = fields.get(prefix, "").strip().upper()
        if wanted and record.get(prefix) and wanted != record[prefix].upper():
            return False
    return True
