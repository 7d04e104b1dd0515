"""Identifier formats that encode a record's index: licence numbers and plates.

A DMV answers `OLN/…` or `LIC/…` without a table of every record because
each identifier *is* its record's index, written in the state's format.
`NumberFormat` maps an index through a keyed permutation of the format's
whole space, then writes it in mixed radix: indices 0, 1, 2 do not come out
as consecutive numbers, and decoding is the exact inverse, so a well-formed
identifier names at most one record and a lookup is O(1).

Pattern symbols: `#` a digit, `@` a letter, `*` a digit or letter, `%` a
plate letter (no I, O or Q, which read as 1 and 0), `V` a VIN character;
anything else is a literal.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from math import gcd, prod
from types import MappingProxyType

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
# VIN characters: ISO 3779 excludes I, O and Q.
VIN_CHARACTERS = DIGITS + PLATE_LETTERS

_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {"#": DIGITS, "@": LETTERS, "*": DIGITS + LETTERS, "%": PLATE_LETTERS, "V": VIN_CHARACTERS}
)


def capacity(pattern: str) -> int:
    """How many distinct identifiers `pattern` can write."""
    return prod(len(_SYMBOLS.get(symbol, symbol)) for symbol in pattern)


class NumberFormat:
    """A bijection between indices `[0, capacity)` and strings of a pattern."""

    __slots__ = ("_alphabets", "_inner", "_outer", "_positions", "_radices", "capacity", "pattern")

    def __init__(self, pattern: str, key: str) -> None:
        self.pattern: str = pattern
        # Each position is an alphabet; a literal is an alphabet of one.
        self._alphabets = tuple(_SYMBOLS.get(symbol, symbol) for symbol in pattern)
        self._positions = tuple(_positions(a) for a in self._alphabets)
        self._radices = tuple(len(a) for a in self._alphabets)
        self.capacity: int = prod(self._radices)  # == capacity(pattern)
        digest = hashlib.blake2b(key.encode(), digest_size=32).digest()
        self._inner = _Affine(digest[:16], self.capacity)
        self._outer = _Affine(digest[16:], self.capacity)

    def encode(self, index: int) -> str:
        if not 0 <= index < self.capacity:
            raise ValueError(f"index {index} outside [0, {self.capacity})")
        # One affine step alone leaves the low digits stepping visibly from
        # index to index; mirroring the digits between two steps hides that.
        number = self._outer.forward(_mirror(self._inner.forward(index), self._radices))
        chars = []
        for alphabet in reversed(self._alphabets):
            number, digit = divmod(number, len(alphabet))
            chars.append(alphabet[digit])
        return "".join(reversed(chars))

    def decode(self, text: str) -> int | None:
        """The index `text` encodes, or None when it is not of this format."""
        if len(text) != len(self._positions):
            return None
        number = 0
        for char, positions in zip(text, self._positions, strict=True):
            digit = positions.get(char)
            if digit is None:
                return None
            number = number * len(positions) + digit
        mirrored = _mirror(self._outer.backward(number), self._radices[::-1])
        return self._inner.backward(mirrored)


class _Affine:
    """`x -> x*m + b mod n`, a permutation of `[0, n)` when m is coprime with n."""

    __slots__ = ("_inverse", "_modulus", "_multiplier", "_offset")

    def __init__(self, key: bytes, modulus: int) -> None:
        multiplier = int.from_bytes(key[:8], "big") % modulus | 1
        while gcd(multiplier, modulus) != 1:
            multiplier += 2
        self._modulus = modulus
        self._multiplier = multiplier
        self._offset = int.from_bytes(key[8:], "big") % modulus
        self._inverse = pow(multiplier, -1, modulus) if modulus > 1 else 0

    def forward(self, x: int) -> int:
        return (x * self._multiplier + self._offset) % self._modulus

    def backward(self, y: int) -> int:
        return ((y - self._offset) * self._inverse) % self._modulus


@functools.cache
def _positions(alphabet: str) -> Mapping[str, int]:
    return {char: digit for digit, char in enumerate(alphabet)}


def _mirror(number: int, radices: tuple[int, ...]) -> int:
    """Reverse the digits of `number` written in `radices` (most significant first).

    The result is written in the reversed radices; mirroring it with those
    gives `number` back.
    """
    mirrored = 0
    for radix in reversed(radices):
        number, digit = divmod(number, radix)
        mirrored = mirrored * radix + digit
    return mirrored


# One common licence-number format per jurisdiction, after the public charts
# of state formats; where a state issues several, the newest or most common
# is kept, since a record has exactly one licence number.
OLN_PATTERNS: Mapping[str, str] = MappingProxyType(
    {
        "AL": "#######", "AK": "#######", "AZ": "@########", "AR": "#########",
        "CA": "@#######", "CO": "#########", "CT": "#########", "DE": "#######",
        "DC": "#######", "FL": "@############", "GA": "#########", "HI": "H########",
        "ID": "@@######@", "IL": "@###########", "IN": "##########", "IA": "###@@####",
        "KS": "K########", "KY": "@########", "LA": "#########", "ME": "#######",
        "MD": "@############", "MA": "S########", "MI": "@############", "MN": "@############",
        "MS": "#########", "MO": "@#########", "MT": "#############", "NE": "@########",
        "NV": "##########", "NH": "##@@@#####", "NJ": "@##############", "NM": "#########",
        "NY": "#########", "NC": "############", "ND": "@@@######", "OH": "@@######",
        "OK": "@#########", "OR": "#######", "PA": "########", "PR": "#######",
        "RI": "#######", "SC": "#########", "SD": "########", "TN": "#########",
        "TX": "########", "UT": "#########", "VT": "########", "VA": "@########",
        "WA": "WDL*********", "WV": "@######", "WI": "@#############", "WY": "#########",
    }
)  # fmt: skip
DEFAULT_OLN_PATTERN = "#########"

# Most states issue three letters and four digits; the few listed differ.
PLATE_PATTERNS: Mapping[str, str] = MappingProxyType(
    {"CA": "#%%%###", "DE": "######", "NJ": "%##%%%"}
)
DEFAULT_PLATE_PATTERN = "%%%####"

# The last seven VIN characters, plant code and serial, carry the index.
VIN_SERIAL_PATTERN = "V######"


def oln_format(state: str, seed: int) -> NumberFormat:
    return NumberFormat(OLN_PATTERNS.get(state, DEFAULT_OLN_PATTERN), f"{seed}:{state}:OLN")


def plate_format(state: str, seed: int) -> NumberFormat:
    return NumberFormat(PLATE_PATTERNS.get(state, DEFAULT_PLATE_PATTERN), f"{seed}:{state}:LIC")


def vin_serial_format(state: str, seed: int) -> NumberFormat:
    return NumberFormat(VIN_SERIAL_PATTERN, f"{seed}:{state}:VIN")


def normalise_identifier(text: str) -> str:
    """Upper case without the spaces and dashes people type into plates and OLNs."""
    return "".join(c for c in text.upper() if c not in " -")
