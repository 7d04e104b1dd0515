"""Whatever text a policy file holds, the loader either loads it or refuses
it with a PolicyError naming file and line: never any other exception (an
upload of it would be a server error), and never an unbounded amount of work.

Inputs: arbitrary and YAML-ish text, arbitrary YAML documents, and the
shipped policies mutated in their structure and in their text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switch.policy.compiler import compile_policy
from switch.policy.loader import PolicyError, load_policy_text

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "policies").glob("*.yaml"))
SOURCE = "policies/XX.yaml"

fuzz = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# The language's own words, so generated documents get past the first check
# often enough to reach the deeper ones.
WORDS = [
    "state", "title", "source", "default", "combine", "rules", "id", "effect", "reason",
    "description", "when", "unless", "redact", "obligations", "permit", "deny",
    "deny-overrides", "first-match", "requester.ori", "requester.state",
    "requester.in_state", "requester.type", "requester.component", "requester.tags",
    "message.key", "message.reason", "message.image", "warrant", "time", "weekdays",
    "hours", "not", "any", "all", "notify_subject", "within_business_days", "report",
    "flag_for_review", "judicial", "DQ", "RQ", "ICE-ERO", "WA", "XX", "08-17", "24-08",
    "mon", "NAM", "DOB",
]  # fmt: skip

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.sampled_from(WORDS)
    | st.text(max_size=12)
)
_documents = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)
_yamlish = st.text(alphabet=":-[]{}&*!|>'\"#%@`?,.\n\t abcWAX019\\ud8", max_size=300)


def load_or_refuse(text: str) -> None:
    """The property: a loaded policy compiles; a refusal names where."""
    try:
        loaded = load_policy_text(text, SOURCE, expected_state="XX")
    except PolicyError as exc:
        assert exc.problems, "a refusal gives at least one problem"
        for problem in exc.problems:
            assert problem.file == SOURCE
            assert problem.line is None or problem.line >= 1
            assert problem.reason
            assert str(problem).startswith(SOURCE)
        return
    compile_policy(loaded)


@fuzz
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    load_or_refuse(text)


@fuzz
@given(_yamlish)
def test_yamlish_text(text: str) -> None:
    load_or_refuse(text)


@fuzz
@given(_documents)
def test_arbitrary_documents(document: Any) -> None:
    load_or_refuse(yaml.safe_dump(document, allow_unicode=True))


@fuzz
@given(
    st.dictionaries(st.sampled_from(WORDS), _documents, max_size=6).map(
        lambda d: {"state": "XX", "title": "t", **d}
    )
)
def test_documents_shaped_like_policies(document: dict[str, Any]) -> None:
    load_or_refuse(yaml.safe_dump(document, allow_unicode=True))


def _shipped(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["state"] = "XX"
    return data


def _mutate(node: Any, data: st.DataObject, depth: int = 0) -> Any:
    """One change somewhere in the tree: replace, drop or add a member."""
    children: list[Any] = []
    if isinstance(node, dict):
        children = list(node)
    elif isinstance(node, list):
        children = list(range(len(node)))
    here = not children or depth > 6 or data.draw(st.integers(0, 3)) == 0
    if here:
        return data.draw(_documents)
    at = data.draw(st.sampled_from(children))
    action = data.draw(st.sampled_from(["descend", "descend", "drop", "add"]))
    copy: Any = dict(node) if isinstance(node, dict) else list(node)
    if action == "drop":
        del copy[at]
    elif action == "add" and isinstance(copy, dict):
        copy[data.draw(st.sampled_from(WORDS))] = data.draw(_documents)
    elif action == "add":
        copy.insert(at, data.draw(_documents))
    else:
        copy[at] = _mutate(node[at], data, depth + 1)
    return copy


@fuzz
@given(st.sampled_from(SHIPPED), st.data())
def test_shipped_policies_mutated_in_structure(path: Path, data: st.DataObject) -> None:
    document = _shipped(path)
    for _ in range(data.draw(st.integers(1, 3))):
        document = _mutate(document, data)
    load_or_refuse(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


@fuzz
@given(st.sampled_from(SHIPPED), st.data())
def test_shipped_policies_mutated_in_text(path: Path, data: st.DataObject) -> None:
    text = yaml.safe_dump(_shipped(path), allow_unicode=True, sort_keys=False)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 6))
        insert = data.draw(st.text(alphabet=":-[]{}&*!|>'\"#\n -\t\x00", max_size=4))
        text = text[:at] + insert + text[at + cut :]
    load_or_refuse(text)


def test_every_shipped_policy_loads() -> None:
    # The mutations start from valid ground: each unmutated file loads.
    for path in SHIPPED:
        load_or_refuse(yaml.safe_dump(_shipped(path), allow_unicode=True, sort_keys=False))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 5000, id="deep-flow-nesting"),
        pytest.param("a:\n" + "".join(" " * i + "- \n" for i in range(1, 200)), id="deep-block"),
        pytest.param("rules: &r\n  - *r\n", id="self-reference"),
        pytest.param(
            "state: XX\ntitle: t\nrules: &r [{id: a, effect: permit, when: {any: *r}}]\n",
            id="self-reference-in-a-condition",
        ),
        pytest.param(
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "state: XX\ntitle: t\nrules: *i\n",
            id="alias-expansion",
        ),
        pytest.param("state: XX\ntitle: \ud800\n", id="lone-surrogate"),
        pytest.param('state: XX\ntitle: "\\ud800"\n', id="escaped-lone-surrogate"),
        pytest.param('state: XX\ntitle: t\n"\\udfff": 1\n', id="escaped-lone-surrogate-key"),
        pytest.param("? [a, b]\n: 1\n", id="sequence-as-key"),
        pytest.param("state: XX\ntitle: 2024-13-45\n", id="month-13"),
        pytest.param("state: XX\ntitle: !!timestamp soon\n", id="tagged-timestamp"),
        pytest.param("state: XX\ntitle: !!float x\n", id="tagged-float"),
        pytest.param("state: XX\ntitle: " + "1" * 5000 + "\n", id="int-of-5000-digits"),
        pytest.param("state: XX\ntitle: t\n1: 2\n", id="integer-key"),
    ],
)
def test_hostile_documents_are_refused(text: str) -> None:
    with pytest.raises(PolicyError) as refused:
        load_policy_text(text, SOURCE, expected_state="XX")
    assert all(p.file == SOURCE for p in refused.value.problems)
