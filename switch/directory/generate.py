"""Writes the shipped directory, `data/agencies.json`, from the tables beside it.

    python -m switch.directory.generate           # rewrite the JSON
    python -m switch.directory.generate --check   # exit 1 if the JSON is stale

The output is deterministic: the same tables give the same bytes, and a test
holds the shipped file to that. ORI schemes (9 characters, the first two the
state where the agency or office sits):

    DMV           <ST>OLN0000                        WAOLN0000
    state police  <ST><initials>, padded with 0      WAWSP0000  NYNYSP000
    sheriff       <ST><county, 3 digits>0000         WA0170000
    other local   <ST><county><agency, 2 digits>00   WA0170100  (01, 02... in table order)
    federal       <ST><code><office, 2 digits>00     WAICE0100  (see `_federal_data`)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from switch.directory._directory import SHIPPED, Directory
from switch.directory._federal_data import LESC, OFFICE_LISTS
from switch.directory._local_data import LOCALS, REGIONS, County, Named
from switch.directory._state_data import STATE_AGENCIES
from switch.directory._task_force_data import TASK_FORCES
from switch.directory._validation import FIELDS, TAG_287G, TAG_CONTROL_TERMINAL
from switch.directory.jurisdictions import JURISDICTIONS, dmv_ori
from switch.directory.model import Agency

OUTPUT = Path(__file__).parent / SHIPPED

_SHERIFF_KIND = {"LA": "Parish"}  # Louisiana has parishes; everyone else here, counties
_POLICE_NAME = {"PR": "{} Municipal Police"}  # Puerto Rico's municipal police


def _pad(prefix: str) -> str:
    return prefix.ljust(9, "0")


def state_agencies() -> Iterator[Agency]:
    for state in JURISDICTIONS:
        dmv_name, initials, police_name = STATE_AGENCIES[state]
        yield Agency(dmv_ori(state), dmv_name, state, "NJ")
        yield Agency(_pad(state + initials), police_name, state, "SA", tags=(TAG_CONTROL_TERMINAL,))


def _members() -> dict[str, tuple[str, ...]]:
    """Each member's task forces (lead ORIs, sorted), from the leads' lists."""
    members: dict[str, list[str]] = {}
    for lead, oris in TASK_FORCES.items():
        for ori in oris:
            members.setdefault(ori, []).append(lead)
    return {ori: tuple(sorted(leads)) for ori, leads in members.items()}


def _county_agencies(
    state: str, county: County, members: dict[str, tuple[str, ...]]
) -> Iterator[Agency]:
    prefix = f"{state}{county.code:03d}"
    region = REGIONS.get(state, {}).get(county.code, county.name)
    if county.sheriff:
        kind = _SHERIFF_KIND.get(state, "County") if county.kind is None else county.kind
        name = f"{county.name} {kind}".strip()
        tags = (TAG_287G,) if county.g287 else ()
        ori = f"{prefix}0000"
        yield Agency(
            ori, f"{name} Sheriff's Office", state, "SO", tags=tags, county=county.name,
            region=region, task_forces=members.get(ori, ()),
        )  # fmt: skip
    pinned = {entry.number for entry in county.agencies if isinstance(entry, Named)}
    free = (number for number in range(1, 100) if number not in pinned)
    for entry in county.agencies:
        if isinstance(entry, str):
            entry = Named(_POLICE_NAME.get(state, "{} Police Department").format(entry))
        number = entry.number if entry.number is not None else next(free)
        ori = f"{prefix}{number:02d}00"
        yield Agency(
            ori, entry.name, state, entry.type, county=county.name, region=region,
            task_forces=members.get(ori, ()),
        )  # fmt: skip


def local_agencies() -> Iterator[Agency]:
    members = _members()
    for state in JURISDICTIONS:
        for county in LOCALS[state]:
            yield from _county_agencies(state, county, members)


def federal_agencies() -> Iterator[Agency]:
    yield LESC
    counts: Counter[tuple[str, str]] = Counter()
    for offices in OFFICE_LISTS:
        for state, city in offices.offices:
            counts[state, offices.code] += 1
            yield Agency(
                ori=f"{state}{offices.code}{counts[state, offices.code]:02d}00",
                name=offices.name.format(city),
                state=state,
                type="FE",
                department=offices.department,
                component=offices.component,
                tags=offices.tags,
            )


def build() -> Directory:
    """The shipped directory, validated like any other."""
    agencies = [*state_agencies(), *local_agencies(), *federal_agencies()]
    listed = {agency.ori for agency in agencies}
    # A member the tables misspell would silently serve on nothing.
    strays = sorted({ori for oris in TASK_FORCES.values() for ori in oris} - listed)
    if strays:
        raise ValueError(f"task-force members not in the directory: {', '.join(strays)}")
    return Directory(agencies, source="switch.directory.generate")


def render(agencies: Iterable[Agency]) -> str:
    """One agency per line, in ORI order, so a change reads as a one-line diff."""
    lines = [
        json.dumps({key: agency.as_dict()[key] for key in FIELDS}, ensure_ascii=False)
        for agency in sorted(agencies, key=lambda agency: agency.ori)
    ]
    return "[\n" + ",\n".join(f"  {line}" for line in lines) + "\n]\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m switch.directory.generate",
        description="Write the shipped agency directory deterministically.",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the JSON")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the file is stale"
    )
    args = parser.parse_args(argv)
    text = render(build())
    output: Path = args.output
    if args.check:
        current = output.read_bytes() if output.exists() else b""
        if current != text.encode("utf-8"):
            print(f"{output} is stale: run python -m switch.directory.generate", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(text.encode("utf-8"))
    print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
