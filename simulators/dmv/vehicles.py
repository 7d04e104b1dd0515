"""What synthetic vehicles are made of, and how their VINs are assembled.

Make codes are NCIC's (`TOYT`, `FORD`, `HOND`), style codes NCIC's (`4D`
sedan, `UT` utility, `PK` pickup), colours NCIC's three-letter codes. Weights
are a rough US registration mix, so a plate query mostly finds the cars a
trainer expects to see.
"""

from __future__ import annotations

from typing import NamedTuple

from simulators.dmv.formats import VIN_CHARACTERS


class Model(NamedTuple):
    name: str
    style: str  # VST
    plate_type: str  # LIT: PC passenger, TK truck, MC motorcycle


class Make(NamedTuple):
    code: str  # VMA
    wmi: str  # world manufacturer identifier: the first three VIN characters
    weight: int
    models: tuple[Model, ...]


def _models(spec: str) -> tuple[Model, ...]:
    # "CAMRY 4D PC, RAV4 UT PC" -> models; a model name may contain spaces.
    models = []
    for item in spec.split(","):
        *name, style, plate_type = item.split()
        models.append(Model(" ".join(name), style, plate_type))
    return tuple(models)


MAKES: tuple[Make, ...] = (
    Make("TOYT", "4T1", 14, _models(
        "CAMRY 4D PC, COROLLA 4D PC, RAV4 UT PC, TACOMA PK TK, HIGHLANDER UT PC, "
        "TUNDRA PK TK, PRIUS HB PC, SIENNA VN PC")),
    Make("FORD", "1FA", 13, _models(
        "F150 PK TK, ESCAPE UT PC, EXPLORER UT PC, MUSTANG 2D PC, FUSION 4D PC, "
        "RANGER PK TK, EDGE UT PC, F250 PK TK")),
    Make("CHEV", "1G1", 12, _models(
        "SILVERADO PK TK, EQUINOX UT PC, MALIBU 4D PC, TAHOE UT PC, CAMARO 2D PC, "
        "TRAVERSE UT PC, COLORADO PK TK, IMPALA 4D PC")),
    Make("HOND", "1HG", 9, _models(
        "CIVIC 4D PC, ACCORD 4D PC, CRV UT PC, PILOT UT PC, ODYSSEY VN PC, HRV UT PC")),
    Make("NISS", "1N4", 7, _models(
        "ALTIMA 4D PC, ROGUE UT PC, SENTRA 4D PC, PATHFINDER UT PC, FRONTIER PK TK, "
        "MAXIMA 4D PC")),
    Make("JEEP", "1C4", 5, _models(
        "WRANGLER UT PC, GRAND CHEROKEE UT PC, CHEROKEE UT PC, COMPASS UT PC")),
    Make("HYUN", "5NP", 5, _models("ELANTRA 4D PC, SONATA 4D PC, TUCSON UT PC, SANTA FE UT PC")),
    Make("KIA", "KNA", 4, _models(
        "FORTE 4D PC, K5 4D PC, SORENTO UT PC, SOUL HB PC, SPORTAGE UT PC")),
    Make("SUBA", "JF1", 4, _models(
        "OUTBACK SW PC, FORESTER UT PC, IMPREZA 4D PC, CROSSTREK UT PC")),
    Make("DODG", "2C3", 3, _models(
        "CHARGER 4D PC, CHALLENGER 2D PC, DURANGO UT PC, GRAND CARAVAN VN PC")),
    Make("RAM", "1C6", 3, _models("1500 PK TK, 2500 PK TK")),
    Make("GMC", "1GT", 3, _models("SIERRA PK TK, ACADIA UT PC, TERRAIN UT PC, YUKON UT PC")),
    Make("VOLK", "3VW", 2, _models("JETTA 4D PC, PASSAT 4D PC, TIGUAN UT PC, GOLF HB PC")),
    Make("BMW", "WBA", 2, _models("330I 4D PC, 530I 4D PC, X3 UT PC, X5 UT PC")),
    Make("MERZ", "WDD", 2, _models("C300 4D PC, E350 4D PC, GLC UT PC, GLE UT PC")),
    Make("LEXS", "JTH", 2, _models("ES350 4D PC, RX350 UT PC, NX300 UT PC")),
    Make("MAZD", "JM1", 2, _models("MAZDA3 4D PC, MAZDA6 4D PC, CX5 UT PC, MX5 CV PC")),
    Make("TESL", "5YJ", 2, _models("MODEL 3 4D PC, MODEL Y UT PC, MODEL S 4D PC")),
    Make("AUDI", "WAU", 1, _models("A4 4D PC, Q5 UT PC")),
    Make("ACUR", "19U", 1, _models("TLX 4D PC, MDX UT PC, RDX UT PC")),
    Make("BUIC", "1G4", 1, _models("ENCLAVE UT PC, ENCORE UT PC")),
    Make("CADI", "1G6", 1, _models("ESCALADE UT PC, CTS 4D PC")),
    Make("CHRY", "2C4", 1, _models("PACIFICA VN PC, 300 4D PC")),
    Make("VOLV", "YV1", 1, _models("XC90 UT PC, S60 4D PC")),
    Make("HD", "1HD", 1, _models("SPORTSTER MC MC, ROAD KING MC MC, STREET GLIDE MC MC")),
)  # fmt: skip

COLOURS: tuple[tuple[str, int], ...] = (
    ("WHI", 25), ("BLK", 22), ("GRY", 17), ("SIL", 10), ("BLU", 10), ("RED", 9),
    ("BRO", 2), ("GRN", 1), ("TAN", 1), ("GLD", 1), ("MAR", 1), ("BGE", 1),
)  # fmt: skip

# Model years do not follow the calendar: a VIN encodes its model year, and
# a VIN a tester saved must keep finding the same vehicle next year.
MODEL_YEARS = range(2000, 2026)

# Position 10 of a VIN: the model year, on a 30-year cycle from 1980.
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"

# ISO 3779 / 49 CFR 565 check digit: transliterate, weigh, sum mod 11.
_TRANSLITERATION = {
    **{d: int(d) for d in "0123456789"},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def year_code(model_year: int) -> str:
    return _YEAR_CODES[(model_year - 1980) % 30]


def check_digit(vin: str) -> str:
    """The check digit of a 17-character VIN (position 9 itself counts 0)."""
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def assemble_vin(wmi: str, descriptor: str, model_year: int, serial: str) -> str:
    """A VIN from its parts: WMI(3) + descriptor(5) + check + year + serial(7)."""
    draft = f"{wmi}{descriptor}0{year_code(model_year)}{serial}"
    return f"{draft[:8]}{check_digit(draft)}{draft[9:]}"


def is_vin(text: str) -> bool:
    return len(text) == 17 and all(c in VIN_CHARACTERS for c in text)
