"""The demo's scripted steps: who sends what to whom, and what to notice."""

from __future__ import annotations

from dataclasses import dataclass

from simulators.dmv import StateDMV


@dataclass(frozen=True, slots=True)
class Step:
    narration: str
    sender: str
    text: str


def _driver(state: str, index: int, seed: int) -> dict[str, str]:
    return dict(StateDMV(state, seed=seed).driver(index))


# The subject of the demo's warrants: a New York driver.
WARRANT_SUBJECT = ("NY", 7)


def scripted_steps(
    seed: int = 0, *, administrative: str = "AW-NONE", judicial: str = "JW-NONE"
) -> list[Step]:
    """The narrated flows; `administrative` and `judicial` are ids of warrants
    the demo issued to ICE's LESC for the New York driver."""
    ny = _driver(*WARRANT_SUBJECT, seed)
    wa = _driver("WA", 11, seed)
    tx = _driver("TX", 3, seed)
    return [
        Step(
            "A New York police officer runs a New York licence by number.",
            "NY0303000",
            f"DQ.NY0303000.NY.*DEMO1.TXTOLN/{ny['OLN']}",
        ),
        Step(
            "The same officer asks Washington about a driver by name, date of birth and sex.",
            "NY0303000",
            f"DQ.NY0303000.WA.*DEMO2.TXTNAM/{_nam(wa)}.DOB/{wa['DOB']}.SEX/{wa['SEX']}",
        ),
        Step(
            "ICE's Law Enforcement Support Center asks Washington for the same driver: "
            "Washington's policy refuses, and the ER names the rule and its reason.",
            "VTICE0900",
            f"DQ.VTICE0900.WA.*DEMO3.TXTNAM/{_nam(wa)}.DOB/{wa['DOB']}.SEX/{wa['SEX']}",
        ),
        Step(
            "ICE asks Texas, which has no rule: the record comes back, photo included.",
            "VTICE0900",
            f"DQ.VTICE0900.TX.*DEMO4.TXTOLN/{tx['OLN']}.IMQ/Y",
        ),
        Step(
            "HSI asks Massachusetts: its block names both ICE directorates, so HSI is refused too.",
            "NYHSI0200",
            f"DQ.NYHSI0200.MA.*DEMO5.TXTNAM/{_nam(wa)}.DOB/{wa['DOB']}.SEX/{wa['SEX']}",
        ),
        Step(
            "ICE asks New York citing its own I-200, an administrative warrant signed by an "
            "officer: the Green Light law wants a judge's signature, so New York refuses.",
            "VTICE0900",
            f"DQ.VTICE0900.NY.*DEMO6.TXTOLN/{ny['OLN']}.WRT/{administrative}",
        ),
        Step(
            "ICE asks again with a judicial warrant: New York answers, and a notice to the "
            "driver falls due within three business days.",
            "VTICE0900",
            f"DQ.VTICE0900.NY.*DEMO7.TXTOLN/{ny['OLN']}.WRT/{judicial}",
        ),
        Step(
            "A multi-state (NL) query: every state is asked; only hits come back.",
            "NY0303000",
            f"DQ.NY0303000.NL.*DEMO8.TXTNAM/{_nam(tx)}.DOB/{tx['DOB']}.SEX/{tx['SEX']}",
        ),
        Step(
            "A malformed message (DOB missing): the switch answers with an ER and routes nothing.",
            "NY0303000",
            f"DQ.NY0303000.WA.*DEMO9.TXTNAM/{_nam(wa)}.SEX/{wa['SEX']}",
        ),
        Step(
            "An administrative message from one agency to another lands in its mailbox.",
            "NY0303000",
            "AM.NY0303000.WAOLN0000.*DEMO10.TXTPLEASE CONFIRM LICENCE STATUS BY PHONE",
        ),
    ]


def _nam(record: dict[str, str]) -> str:
    # Records carry LAST,FIRST MIDDLE; a query names LAST,FIRST.
    last, _, rest = record["NAM"].partition(",")
    return f"{last},{rest.split(' ')[0]}"
