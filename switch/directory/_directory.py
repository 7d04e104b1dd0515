"""The directory: every agency the switch knows, looked up by ORI, state or component."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from switch.directory._validation import (
    TAG_CONTROL_TERMINAL,
    DirectoryError,
    agency_from_json,
    check_agencies,
)
from switch.directory.jurisdictions import JURISDICTIONS, dmv_ori
from switch.directory.model import Agency

SHIPPED = "data/agencies.json"


class Directory:
    """An immutable, validated set of agencies.

    Building one checks every rule in `_validation`; a `Directory` that exists
    is well formed: ORIs unique and well shaped, one DMV per jurisdiction, at
    most one control terminal per state. Iteration is in ORI order.
    """

    __slots__ = ("_agencies", "_by_ori", "_by_state", "_terminals", "source")

    def __init__(self, agencies: Iterable[Agency], *, source: str = "<directory>") -> None:
        listed = list(agencies)
        check_agencies(listed, source=source)
        self.source = source
        self._agencies = tuple(sorted(listed, key=lambda agency: agency.ori))
        self._by_ori = {agency.ori: agency for agency in self._agencies}
        self._by_state: dict[str, list[Agency]] = {}
        self._terminals: dict[str, Agency] = {}
        for agency in self._agencies:
            self._by_state.setdefault(agency.state, []).append(agency)
            if TAG_CONTROL_TERMINAL in agency.tags:
                self._terminals[agency.state] = agency

    @classmethod
    def load(cls, path: str | Path | None = None) -> Directory:
        """The directory in `path`, or the one shipped with the package."""
        if path is None:
            resource = resources.files("switch.directory").joinpath(SHIPPED)
            return cls.from_json(resource.read_text(encoding="utf-8"), source=str(resource))
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DirectoryError(source, f"cannot read the directory: {exc}") from exc
        return cls.from_json(text, source=source)

    @classmethod
    def from_json(cls, text: str, *, source: str = "<json>") -> Directory:
        """A directory from the text of a JSON array of agency objects."""
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DirectoryError(
                source, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from exc
        if not isinstance(raw, list):
            raise DirectoryError(source, "the directory must be a JSON array of agencies")
        agencies = [
            agency_from_json(entry, source=source, index=index) for index, entry in enumerate(raw)
        ]
        return cls(agencies, source=source)

    def with_agencies(self, *agencies: Agency) -> Directory:
        """A new directory with these agencies added; for tests and mock agencies."""
        return Directory([*self._agencies, *agencies], source=self.source)

    def __len__(self) -> int:
        return len(self._agencies)

    def __iter__(self) -> Iterator[Agency]:
        return iter(self._agencies)

    def __contains__(self, ori: object) -> bool:
        return isinstance(ori, str) and ori.upper() in self._by_ori

    def __repr__(self) -> str:
        return f"<Directory {self.source}: {len(self)} agencies>"

    def get(self, ori: str) -> Agency | None:
        return self._by_ori.get(ori.upper())

    def dmv(self, state: str) -> Agency:
        """The state's DMV; KeyError if `state` is not a jurisdiction."""
        agency = self._by_ori.get(dmv_ori(state.upper()))
        if agency is None:
            raise KeyError(f"no DMV for {state!r}: not a jurisdiction")
        return agency

    def control_terminal(self, state: str) -> Agency:
        """The agency tagged `control-terminal` for the state; KeyError if none."""
        agency = self._terminals.get(state.upper())
        if agency is None:
            raise KeyError(f"no control terminal for {state!r}")
        return agency

    def by_state(self, state: str) -> list[Agency]:
        return list(self._by_state.get(state.upper(), ()))

    def filter(
        self,
        *,
        component: str | None = None,
        state: str | None = None,
        type: str | None = None,
        department: str | None = None,
        tag: str | None = None,
    ) -> list[Agency]:
        """Agencies matching every criterion given; component ignores case."""
        wanted_component = component.casefold() if component is not None else None
        pool = self._agencies if state is None else self._by_state.get(state.upper(), [])
        return [
            agency
            for agency in pool
            if (wanted_component is None or (agency.component or "").casefold() == wanted_component)
            and (type is None or agency.type == type.upper())
            and (department is None or agency.department == department.upper())
            and (tag is None or tag in agency.tags)
        ]

    def components(self) -> list[str]:
        """The federal components present, sorted."""
        return sorted({agency.component for agency in self._agencies if agency.component})

    def states(self) -> list[str]:
        """The jurisdictions whose DMVs answer through the switch, sorted."""
        return sorted(JURISDICTIONS)
