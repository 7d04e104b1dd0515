from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.dmv import formats, vehicles
from simulators.dmv.places import CITIES
from switch.directory.jurisdictions import JURISDICTIONS
from tests.simulators.cases import driver_indices, seeds, states

# Shapes the brief names, as regular expressions.
KNOWN_OLN_SHAPES = {
    "WA": r"WDL[0-9A-Z]{9}",
    "CA": r"[A-Z][0-9]{7}",
    "NY": r"[0-9]{9}",
    "FL": r"[A-Z][0-9]{12}",
    "TX": r"[0-9]{8}",
    "IL": r"[A-Z][0-9]{11}",
}

_SYMBOL_REGEX = {"#": "[0-9]", "@": "[A-Z]", "*": "[0-9A-Z]", "%": "[A-HJ-NPR-Z]"}


def _regex(pattern: str) -> str:
    return "".join(_SYMBOL_REGEX.get(c, re.escape(c)) for c in pattern)


def test_every_jurisdiction_has_a_licence_format_and_cities() -> None:
    assert set(formats.OLN_PATTERNS) == set(JURISDICTIONS)
    assert set(CITIES) == set(JURISDICTIONS)


@pytest.mark.parametrize(("state", "shape"), sorted(KNOWN_OLN_SHAPES.items()))
def test_known_state_formats(state: str, shape: str) -> None:
    oln = formats.oln_format(state, seed=0)
    for index in (0, 1, 9_999):
        assert re.fullmatch(shape, oln.encode(index))


@pytest.mark.parametrize("state", sorted(JURISDICTIONS))
def test_formats_hold_at_least_ten_thousand_records(state: str) -> None:
    assert formats.oln_format(state, 0).capacity >= 10_000
    assert formats.plate_format(state, 0).capacity >= 10_000
    assert formats.capacity(formats.OLN_PATTERNS[state]) == formats.oln_format(state, 0).capacity


@given(state=states, index=driver_indices, seed=seeds)
def test_oln_round_trips_in_every_state(state: str, index: int, seed: int) -> None:
    oln = formats.oln_format(state, seed)
    text = oln.encode(index)
    assert re.fullmatch(_regex(formats.OLN_PATTERNS[state]), text)
    assert oln.decode(text) == index


@given(state=states, index=driver_indices, seed=seeds)
def test_plate_and_vin_serial_round_trip(state: str, index: int, seed: int) -> None:
    for number_format in (
        formats.plate_format(state, seed),
        formats.vin_serial_format(state, seed),
    ):
        assert number_format.decode(number_format.encode(index)) == index


@given(state=states, text=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=16))
def test_any_decodable_text_is_an_encoding(state: str, text: str) -> None:
    # The format is a bijection: what decodes, encodes back to itself.
    oln = formats.oln_format(state, 0)
    index = oln.decode(text)
    assert index is None or oln.encode(index) == text


def test_whole_space_is_a_permutation() -> None:
    number_format = formats.NumberFormat("%#", key="test")  # 230 identifiers
    encoded = {number_format.encode(i) for i in range(number_format.capacity)}
    assert len(encoded) == number_format.capacity == 230
    assert sorted(number_format.decode(t) for t in encoded) == list(range(230))


def test_consecutive_indices_do_not_look_consecutive() -> None:
    tx = formats.oln_format("TX", 0)
    numbers = [int(tx.encode(i)) for i in range(5)]
    assert len({b - a for a, b in itertools.pairwise(numbers)}) > 1


def test_seed_changes_the_numbering() -> None:
    assert formats.oln_format("NY", 0).encode(0) != formats.oln_format("NY", 1).encode(0)


def test_encode_rejects_an_index_out_of_range() -> None:
    tx = formats.oln_format("TX", 0)
    with pytest.raises(ValueError, match="outside"):
        tx.encode(tx.capacity)


@pytest.mark.parametrize("text", ["", "WDL", "wdl123456789", "WDL12345678!", "WDL1234567890"])
def test_malformed_identifiers_decode_to_none(text: str) -> None:
    assert formats.oln_format("WA", 0).decode(text) is None


def test_normalise_identifier() -> None:
    assert formats.normalise_identifier(" abc-1234 ") == "ABC1234"


def test_vin_check_digit_of_the_textbook_example() -> None:
    # The worked example of 49 CFR 565 guides: check digit X.
    assert vehicles.check_digit("1M8GDM9AXKP042788") == "X"


def test_vin_year_codes() -> None:
    assert vehicles.year_code(2010) == "A"
    assert vehicles.year_code(2001) == "1"
    assert vehicles.year_code(2025) == "S"


def test_vin_alphabet_excludes_i_o_q() -> None:
    assert not set("IOQ") & set(formats.VIN_CHARACTERS)
    assert len(formats.VIN_CHARACTERS) == 33
