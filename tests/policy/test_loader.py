"""A policy that fails validation is refused whole, with file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from switch.policy import PolicyError, load_policy_file, load_policy_text

BAD = Path(__file__).parent / "fixtures" / "bad"

# file -> (line, words the reason must contain)
EXPECTED = {
    "unknown_attribute.yaml": (7, "requester.agency"),
    "bad_key.yaml": (7, "message.key"),
    "deny_without_reason.yaml": (4, "must give a reason"),
    "redact_on_deny.yaml": (4, "belong on permit rules"),
    "duplicate_rule_id.yaml": (1, "appears twice"),
    "duplicate_key.yaml": (4, "'default' given twice"),
    "yaml_syntax.yaml": (6, "not valid YAML"),
    "empty_condition.yaml": (6, "empty condition"),
    "bad_hours.yaml": (7, "start before end"),
    "bad_warrant_level.yaml": (6, "warrant"),
    "not_a_mapping.yaml": (1, "a policy is a mapping"),
}


def test_every_bad_fixture_is_listed() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_policy_is_refused_with_line_and_reason(name: str) -> None:
    line, words = EXPECTED[name]
    with pytest.raises(PolicyError) as caught:
        load_policy_file(BAD / name)
    problem = caught.value.problems[0]
    assert problem.file.endswith(name)
    assert problem.line == line, str(problem)
    assert words in problem.reason, str(problem)
    assert f"{name}:{line}:" in str(caught.value)


def test_wrong_state_for_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "WA.yaml"
    path.write_text((BAD.parent / "wrong_state.yaml").read_text())
    with pytest.raises(PolicyError, match="state is NY but the file is WA's"):
        load_policy_file(path)


def test_version_is_the_content_hash() -> None:
    text = "state: WA\ntitle: t\nrules: []\n"
    first = load_policy_text(text)
    assert first.version == load_policy_text(text).version
    assert first.version != load_policy_text(text + "# changed\n").version


def test_oversized_policy_is_refused() -> None:
    with pytest.raises(PolicyError, match="256 KiB"):
        load_policy_text("state: WA\ntitle: t\n" + "#" * 300_000)
