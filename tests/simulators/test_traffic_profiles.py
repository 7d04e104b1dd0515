"""Traffic profiles: shares, determinism, and messages the switch accepts."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from simulators.dmv import StateDMV
from simulators.traffic import PROFILES, get_profile
from simulators.traffic.profiles import (
    BLOCK,
    LETTER_HSI_QUERIES,
    LETTER_ICE_QUERIES,
    Arrival,
    Profile,
)
from switch.directory import Directory
from switch.messages import parse

DIRECTORY = Directory.load()
BLOCKING_STATES = ("IL", "MA", "MN", "NY", "WA")


def draw(profile: Profile, n: int, seed: int = 0) -> list[Arrival]:
    return list(itertools.islice(profile.messages(DIRECTORY, seed=seed), n))


def component(ori: str) -> str:
    agency = DIRECTORY.get(ori)
    assert agency is not None, ori
    return agency.component or agency.type


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_letter_2025_keeps_the_letters_ice_to_hsi_ratio(seed: int) -> None:
    counts = Counter(
        component(sender) for sender, _ in draw(get_profile("letter-2025"), 10_000, seed)
    )
    ratio = counts["ICE-HSI"] / counts["ICE-ERO"]
    assert ratio == pytest.approx(LETTER_HSI_QUERIES / LETTER_ICE_QUERIES, rel=0.01)
    assert counts["ICE-ERO"] / 10_000 == pytest.approx(0.05, abs=0.002)
    assert counts["CBP"] / 10_000 == pytest.approx(0.03, abs=0.002)
    local = sum(counts[t] for t in ("PD", "SO", "SA"))
    assert local / 10_000 == pytest.approx(1 - 0.05 - 0.05 * 2.0715 - 0.03, abs=0.003)


def test_group_shares_hold_in_every_block() -> None:
    arrivals = draw(get_profile("letter-2025"), 3 * BLOCK)
    for start in range(0, 3 * BLOCK, BLOCK):
        block = Counter(component(s) for s, _ in arrivals[start : start + BLOCK])
        assert (block["ICE-ERO"], block["ICE-HSI"], block["CBP"]) == (50, 104, 30)


def test_federal_queries_reach_the_blocking_states() -> None:
    federal_destinations = Counter(
        text.split(".")[2]
        for sender, text in draw(get_profile("letter-2025"), 10_000)
        if component(sender) in ("ICE-ERO", "ICE-HSI")
    )
    for state in BLOCKING_STATES:
        assert federal_destinations[state] > 0, state
    assert len(federal_destinations) >= 50


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_same_seed_same_traffic(name: str) -> None:
    profile = get_profile(name)
    assert draw(profile, 300, seed=5) == draw(profile, 300, seed=5)
    assert draw(profile, 300, seed=5) != draw(profile, 300, seed=6)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_message_parses_and_names_its_sender(name: str) -> None:
    keys: Counter[str] = Counter()
    for sender, text in draw(get_profile(name), 3000, seed=3):
        message = parse(text)
        assert message.ori == sender
        keys[message.key if message.destinations != ("NL",) else "NL"] += 1
    assert {"DQ", "RQ", "KQ", "DNQ", "NL"} <= set(keys)
    assert keys["DQ"] + keys["RQ"] > keys["KQ"] + keys["DNQ"] + keys["NL"]


def test_national_is_police_querying_mostly_their_own_state() -> None:
    arrivals = draw(get_profile("national"), 10_000)
    assert {component(sender) for sender, _ in arrivals} == {"PD", "SO", "SA"}
    direct = [(s, t.split(".")[2]) for s, t in arrivals if t.split(".")[2] != "NL"]
    home = sum(sender[:2] == dest for sender, dest in direct) / len(direct)
    assert 0.75 < home < 0.9
    assert {dest for _, dest in direct} == set(DIRECTORY.states())
    assert {sender[:2] for sender, _ in arrivals} == set(DIRECTORY.states())


def test_outage_sends_more_multi_state_queries_than_national() -> None:
    def nl_share(name: str) -> float:
        arrivals = draw(get_profile(name), 5000)
        return sum(".NL." in text for _, text in arrivals) / len(arrivals)

    assert nl_share("outage") > 2 * nl_share("national")


def test_most_queries_hit_a_real_record() -> None:
    """Identifier queries (OLN, LIC, VIN) checked against the DMVs a hub builds."""
    dmvs: dict[str, StateDMV] = {}
    answers = []
    for _, text in draw(get_profile("national"), 2000, seed=9):
        message = parse(text)
        if message.destinations == ("NL",) or not {"OLN", "LIC", "VIN"} & set(message.fields):
            continue
        state = message.destinations[0]
        dmv = dmvs.setdefault(state, StateDMV(state))
        answers.append(dmv.answer(message.key, message.fields).not_on_file)
    hit_rate = 1 - sum(answers) / len(answers)
    assert len(answers) > 1000
    assert 0.85 < hit_rate < 0.95  # 90% are meant to hit; the rest are NOT ON FILE


def test_senders_are_what_needs_keys_and_allowed_narrows_them() -> None:
    letter = get_profile("letter-2025")
    senders = letter.senders(DIRECTORY)
    assert "VTICE0900" in senders and senders == sorted(senders)
    few = {"VTICE0900", "NYHSI0100", "WACBP0100", "NY0303000"} & set(senders)
    assert len(few) == 4
    arrivals = list(itertools.islice(letter.messages(DIRECTORY, allowed=few), 500))
    assert {sender for sender, _ in arrivals} == few


def test_a_group_without_senders_is_refused() -> None:
    with pytest.raises(ValueError, match="ICE-ERO"):
        get_profile("letter-2025").messages(DIRECTORY, allowed={"NY0303000", "NYHSI0100"})


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="national"):
        get_profile("rush-hour")
