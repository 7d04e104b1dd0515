"""The simulated court registry behind the `WRT/` field.

Judicial warrants, court orders and court subpoenas are signed by a judge;
ICE's I-200 and I-205 are administrative, signed by an officer. A policy sees
what a cited warrant is worth to one message as a `WarrantLevel`:
`assess_warrant` decides it without I/O (`appraise_warrant` says why as well),
`WarrantRegistry.assess` (and `appraise`) reads the warrant and asks it.
"""

from switch.warrants._assess import Assessment, appraise_warrant, assess_warrant
from switch.warrants._model import FORMS, Warrant, WarrantError, WarrantKind, WarrantLevel
from switch.warrants._registry import WarrantRegistry

__all__ = [
    "FORMS",
    "Assessment",
    "Warrant",
    "WarrantError",
    "WarrantKind",
    "WarrantLevel",
    "WarrantRegistry",
    "appraise_warrant",
    "assess_warrant",
]
