"""The ORION-like agency directory: who is behind an ORI.

`Directory.load()` reads the directory shipped with the package (written by
`python -m switch.directory.generate`); `Directory.load(path)` reads another,
e.g. the one `SWITCH_DIRECTORY` names. Either is validated whole at load and
refused with a `DirectoryError` naming the file, the entry and the reason.
"""

from __future__ import annotations

from switch.directory._directory import Directory
from switch.directory._validation import (
    COMPONENT_DEPARTMENTS,
    FEDERAL_OFFICE_STATES,
    TAG_287G,
    TAG_CONTROL_TERMINAL,
    DirectoryError,
)
from switch.directory.jurisdictions import JURISDICTIONS, dmv_ori
from switch.directory.model import AGENCY_TYPES, Agency

__all__ = [
    "AGENCY_TYPES",
    "COMPONENT_DEPARTMENTS",
    "FEDERAL_OFFICE_STATES",
    "JURISDICTIONS",
    "TAG_287G",
    "TAG_CONTROL_TERMINAL",
    "Agency",
    "Directory",
    "DirectoryError",
    "dmv_ori",
]
