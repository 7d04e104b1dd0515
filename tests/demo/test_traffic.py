"""The demo's live traffic tells the narration's story: a steady share of
federal queries goes to the states whose policies refuse them."""

from __future__ import annotations

from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switch.demo.traffic import CYCLE, random_messages, refused_queries
from switch.directory import Directory
from switch.policy.requests import probe_request
from switch.policy.store import PolicyStore
from switch.settings import Settings, policies_folder

DIRECTORY = Directory.load(Settings().directory)
POLICIES = PolicyStore.load(policies_folder(Settings()))


@pytest.fixture(scope="module")
def refused() -> list[tuple[str, str]]:
    return refused_queries(DIRECTORY, POLICIES)


def _denied(text: str) -> bool:
    key, ori, state = text.split(".")[:3]
    request = probe_request(DIRECTORY, state=state, ori=ori, key=key)
    return not POLICIES.decide(request).permitted


def test_the_shipped_policies_refuse_immigration_components_in_five_states(
    refused: list[tuple[str, str]],
) -> None:
    states = {state for _, state in refused}
    components = {DIRECTORY.get(ori).component for ori, _ in refused}  # type: ignore[union-attr]
    assert states == {"IL", "MA", "MN", "NY", "WA"}
    assert components == {"ICE-ERO", "ICE-HSI", "CBP"}
    # Every ICE office is refused by every one of the five; CBP by IL and NY.
    ice = [a.ori for a in DIRECTORY if a.component in ("ICE-ERO", "ICE-HSI")]
    assert {(ori, state) for ori in ice for state in states} <= set(refused)
    assert {state for ori, state in refused if ori not in ice} == {"IL", "NY"}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_every_cycle_has_a_federal_query_its_state_refuses(
    refused: list[tuple[str, str]], seed: int
) -> None:
    messages = list(islice(random_messages(DIRECTORY, refused=refused, seed=seed), 4 * len(CYCLE)))
    for start in range(0, len(messages), len(CYCLE)):
        cycle = messages[start : start + len(CYCLE)]
        denied = [text for _, text in cycle if _denied(text)]
        assert denied, cycle
    # The first refusal comes early: the second message.
    assert _denied(messages[1][1])


def test_without_refusals_the_traffic_is_as_before_and_deterministic() -> None:
    first = list(islice(random_messages(DIRECTORY, seed=7), 30))
    again = list(islice(random_messages(DIRECTORY, seed=7), 30))
    assert first == again
    assert all(text.split(".")[1] == ori for ori, text in first)
