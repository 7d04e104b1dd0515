"""What a warrant is: its kind, its form, who it was issued to and for whom."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Literal

from switch.errors import SwitchError

WarrantKind = Literal["judicial", "administrative"]
# What the registry says of a message's `WRT/`: nothing cited, cited but
# worthless (unknown, expired, another agency's, another person's), or the
# kind of a warrant that holds.
WarrantLevel = Literal["none", "cited", "administrative", "judicial"]

# Judicial paper is signed by a judge; ICE's I-200/I-205 by an immigration
# officer, which is why they do not satisfy a judicial-warrant rule.
FORMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "judicial": ("warrant", "court-order", "subpoena"),
        "administrative": ("I-200", "I-205"),
    }
)


class WarrantError(SwitchError):
    """A warrant the registry refuses to issue: bad subject, ORI, kind, form or term."""

    http_status = 422
    code = "INVALID_WARRANT"


@dataclass(frozen=True, slots=True)
class Warrant:
    """One entry of the simulated court registry.

    The subject is either a licence number (`subject_oln`) or a name and date
    of birth (`subject_name` as `LAST,FIRST`, `subject_dob`), never both.
    """

    id: str
    kind: WarrantKind
    form: str
    issued_to: str
    issued_by: str
    subject_oln: str | None
    subject_name: str | None
    subject_dob: date | None
    issued_at: datetime
    expires_at: datetime

    @property
    def subject(self) -> str:
        if self.subject_oln is not None:
            return f"OLN/{self.subject_oln}"
        dob = self.subject_dob.strftime("%Y%m%d") if self.subject_dob else ""
        return f"NAM/{self.subject_name}.DOB/{dob}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "form": self.form,
            "issued_to": self.issued_to,
            "issued_by": self.issued_by,
            "subject_oln": self.subject_oln,
            "subject_name": self.subject_name,
            "subject_dob": self.subject_dob.strftime("%Y%m%d") if self.subject_dob else None,
            "issued_at": self.issued_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }
