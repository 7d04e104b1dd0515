"""Blocking options side by side on a small generated history (fixed seed:
exact counts), checked against a plain reading of the same rows; the CLI's
formats; the shipped options."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from simulators.history import HistoryResult
from switch.cli import app
from switch.db.database import open_engine
from switch.directory import TAG_287G, Directory
from switch.impact.compare import Comparison, compare_options
from switch.impact.compare_input import IN_FORCE, CompareError, in_force, load_options
from switch.impact.compare_render import comparison_dict
from switch.impact.replay import replay_policies
from switch.impact.replay_input import parse_window
from switch.policy import PolicyError
from switch.policy.sources.files import PolicyFolder
from tests.impact.proxies_history import write
from tests.utils.databases import Databases

runner = CliRunner()
pytestmark = pytest.mark.database

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
OPTIONS = POLICIES / "options" / "WA"
SHIPPED = [
    OPTIONS / f"{name}.yaml"
    for name in ("today", "ice-and-cbp", "judicial-warrant-dhs", "relay-rule")
]
# An option of the test's own, to reach what the shipped ones leave at zero here:
# serious-crime cooperation lost, notices, reports and reviews owed.
STRICT = """\
state: WA
title: test option (DOJ needs a judicial warrant; PD felony releases owe everything)
rules:
  - id: t-no-doj
    effect: deny
    reason: the Justice Department needs a judicial warrant here
    when: {requester.department: DOJ}
    unless: {warrant: judicial}
  - id: t-felony-notice
    effect: permit
    when: {requester.type: PD, message.reason: F}
    obligations: [{notify_subject: {within_business_days: 5}}, report, flag_for_review]
"""

# The relay rule without the rule that refuses ICE: nothing for it to remember.
RELAY_ONLY = """\
state: WA
title: test option (the relay rule alone)
rules:
  - id: t-no-relay
    effect: deny
    reason: the person was refused to ICE within 24 hours
    when:
      requester.tags: [287g]
      subject.refused_to: {component: [ICE-ERO, ICE-HSI], within_hours: 24}
"""


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


planted: list[HistoryResult] = []  # the history's ground truth, once written


@pytest.fixture(scope="module")
def history(
    audit_databases: Databases, tmp_path_factory: pytest.TempPathFactory, directory: Directory
) -> Iterator[tuple[str, Engine]]:
    url = audit_databases.url(tmp_path_factory.mktemp("compare"))
    engine = open_engine(url)
    planted.append(write(engine, directory))
    yield url, engine
    engine.dispose()
    audit_databases.release(url)


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("options") / "strict.yaml"
    path.write_text(STRICT)
    return path


@pytest.fixture(scope="module")
def comparison(history: tuple[str, Engine], directory: Directory, strict: Path) -> Comparison:
    options = [in_force(POLICIES, "WA"), *load_options([*SHIPPED, strict], "WA")]
    return compare_options(history[1], options, directory, state="WA")


def _columns(comparison: Comparison, directory: Directory) -> dict[str, dict[str, object]]:
    return {c["name"]: c for c in comparison_dict(comparison, directory)["columns"]}


def test_one_column_per_option_the_policy_in_force_first(comparison: Comparison) -> None:
    names = [c.name for c in comparison.columns]
    assert names == [
        IN_FORCE, "today", "ice-and-cbp", "judicial-warrant-dhs", "relay-rule", "strict"
    ]  # fmt: skip
    assert comparison.columns[0].source == str(POLICIES / "WA.yaml")
    assert (comparison.records, comparison.unknown) == (1_349, 0)


def test_immigration_queries_still_answered(comparison: Comparison) -> None:
    asked = {c.name: c.immigration.asked for c in comparison.columns}
    assert set(asked.values()) == {12}
    answered = {c.name: {k: s.answered for k, s in c.by_component.items()}
                for c in comparison.columns}  # fmt: skip
    assert answered[IN_FORCE] == {"ICE-ERO": 0, "ICE-HSI": 0, "CBP": 3}
    assert answered["ice-and-cbp"] == {"ICE-ERO": 0, "ICE-HSI": 0, "CBP": 0}
    assert answered["judicial-warrant-dhs"] == {"ICE-ERO": 0, "ICE-HSI": 0, "CBP": 0}
    assert answered["relay-rule"] == answered[IN_FORCE]
    assert answered["strict"] == {"ICE-ERO": 2, "ICE-HSI": 7, "CBP": 3}


def test_suspected_relays_re_decided_by_each_option(comparison: Comparison) -> None:
    relays = {c.name: {k: (s.asked, s.answered) for k, s in c.relays_by_pattern.items()}
              for c in comparison.columns}  # fmt: skip
    # The 287(g) relay is answered under every option (no rule names 287(g) partners);
    # the HSI query after a refused ERO one is refused by every option that refuses HSI.
    for name in (IN_FORCE, "today", "ice-and-cbp", "judicial-warrant-dhs"):
        assert relays[name] == {"287g-relay": (1, 1), "hsi-for-ero": (1, 0),
                                "local-for-federal": (0, 0)}  # fmt: skip
    assert relays["strict"]["hsi-for-ero"] == (1, 1)
    # The relay rule refuses the 287(g) relay: the person had been refused to ICE hours before.
    assert relays["relay-rule"] == {"287g-relay": (1, 0), "hsi-for-ero": (1, 0),
                                    "local-for-federal": (0, 0)}  # fmt: skip


def test_today_is_the_policy_in_force(comparison: Comparison, directory: Directory) -> None:
    columns = _columns(comparison, directory)
    facts = ("immigration", "relays", "serious_crime", "obligations", "letter_test")
    assert {k: columns["today"][k] for k in facts} == {k: columns[IN_FORCE][k] for k in facts}
    assert columns["today"]["agencies_affected"] == {
        "count": 0, "lost": 0, "gained": 0, "agencies": []
    }  # fmt: skip


def test_agencies_affected_and_the_letters_test(
    comparison: Comparison, directory: Directory
) -> None:
    columns = _columns(comparison, directory)
    affected = columns["ice-and-cbp"]["agencies_affected"]
    assert isinstance(affected, dict)
    assert (affected["count"], affected["lost"], affected["gained"]) == (3, 3, 0)
    assert all(a["ori"][2:5] in ("CBP", "BPS") for a in affected["agencies"])
    assert columns[IN_FORCE]["letter_test"] == {
        "immigration_blocked_pct": 75.0, "relays_blocked_pct": 50.0,
        "serious_crime_kept_pct": 100.0,
    }  # fmt: skip
    assert columns["ice-and-cbp"]["letter_test"] == {
        "immigration_blocked_pct": 100.0, "relays_blocked_pct": 50.0,
        "serious_crime_kept_pct": 100.0,
    }  # fmt: skip
    assert columns["strict"]["letter_test"] == {
        "immigration_blocked_pct": 0.0, "relays_blocked_pct": 0.0,
        "serious_crime_kept_pct": 83.3,
    }  # fmt: skip


def test_serious_crime_and_obligations_against_a_plain_reading(
    history: tuple[str, Engine], comparison: Comparison, directory: Directory
) -> None:
    """The strict option's figures, worked out row by row without classes."""
    with history[1].connect() as connection:
        rows = connection.execute(
            text(
                "SELECT sender_ori, message_reason, warrant FROM audit_outcomes"
                " WHERE state = 'WA' AND decision IS NOT NULL"
                " AND message_key IN ('DQ', 'DNQ', 'RQ', 'RNQ', 'KQ', 'AM')"
            )
        ).all()
    serious = kept = notices = 0
    for ori, reason, warrant in rows:
        agency = directory.get(ori)
        assert agency is not None
        denied = agency.department == "DOJ" and warrant != "judicial"
        if reason in ("V", "N", "F", "S") or agency.component in ("FBI", "DEA", "ATF", "USMS"):
            serious += 1
            kept += not denied
        notices += agency.type == "PD" and reason == "F" and not denied
    column = comparison.columns[-1]
    assert (column.serious.asked, column.serious.answered) == (serious, kept) == (108, 90)
    assert {k: s.refused for k, s in column.serious_by_component.items()} == {
        "FBI": 6, "DEA": 3, "ATF": 2, "USMS": 7
    }  # fmt: skip
    assert (column.notices_owed, column.reports_owed, column.flagged_for_review) == (
        notices, notices, notices
    )  # fmt: skip
    assert notices == 8 and len(column.owing_agencies) == 5


def test_a_period(history: tuple[str, Engine], directory: Directory) -> None:
    options = [in_force(POLICIES, "WA"), *load_options(SHIPPED[:1], "WA")]
    since, until = parse_window("2025-01-01", "2025-03-31")
    part = compare_options(history[1], options, directory, state="WA", since=since, until=until)
    with history[1].connect() as connection:
        (count,) = connection.execute(
            text(
                "SELECT count(*) FROM audit_outcomes WHERE state = 'WA'"
                " AND decision IS NOT NULL AND received_at >= :a AND received_at < :b"
            ),
            {"a": since, "b": until},
        ).one()
    assert part.records == count and 0 < count < 1_349


def test_option_files_refused_together_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("state: WA\ntitle: bad\nrules:\n  - id: x\n    effect: deny\n")
    other = tmp_path / "oregon.yaml"
    other.write_text("state: OR\ntitle: Oregon\n")
    with pytest.raises(PolicyError) as caught:
        load_options([bad, other], "WA")
    said = [str(p) for p in caught.value.problems]
    assert said == [
        f"{bad}:4: rules.0: a deny rule must give a reason: the requester is told it",
        f"{other}:1: state is OR but the file is WA's",
    ]
    with pytest.raises(CompareError, match="two columns would be called today"):
        load_options([SHIPPED[0], SHIPPED[0]], "WA")


def _cli(*args: str) -> tuple[int, str, str]:
    got = runner.invoke(app, ["policy", "compare", *args], env={"COLUMNS": "40"})
    return got.exit_code, got.stdout, got.stderr


def _shipped(url: str, *more: str) -> list[str]:
    return ["--state", "WA", "--db", url, "--policies", str(POLICIES),
            *map(str, SHIPPED), *more]  # fmt: skip


def test_cli_table_lines_are_whole_and_greppable(history: tuple[str, Engine]) -> None:
    code, out, _ = _cli(*_shipped(history[0]))
    assert code == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("figure "))
    assert header.split() == [
        "figure", IN_FORCE, "today", "ice-and-cbp", "judicial-warrant-dhs", "relay-rule"
    ]  # fmt: skip
    figures = {line.split()[0]: line.split()[1:] for line in lines}
    assert figures["immigration.answered.CBP"] == ["3", "3", "0", "0", "3"]
    assert figures["relays.answered"] == ["1", "1", "1", "1", "0"]
    assert figures["test.immigration_blocked_pct"] == ["75.0", "75.0", "100.0", "100.0", "75.0"]
    assert figures["test.relays_blocked_pct"] == ["50.0", "50.0", "50.0", "50.0", "100.0"]
    assert figures["agencies.affected"] == ["0", "0", "3", "4", "1"]
    assert sum(line.startswith("affected judicial-warrant-dhs ") for line in lines) == 4


def test_cli_json_is_complete(history: tuple[str, Engine]) -> None:
    code, out, _ = _cli(*_shipped(history[0], "--format", "json"))
    assert code == 0
    body = json.loads(out)
    assert body["state"] == "WA" and body["records"] == 1_349
    assert body["relays"]["flagged"] == 2 and body["relays"]["records_read"] == 58_024
    dhs = body["columns"][3]
    assert dhs["name"] == "judicial-warrant-dhs"
    assert dhs["agencies_affected"]["agencies"][0]["name"]
    assert set(dhs) >= {"immigration", "relays", "serious_crime", "obligations",
                        "agencies_affected", "letter_test"}  # fmt: skip


def test_cli_html_works_offline(history: tuple[str, Engine]) -> None:
    code, page, _ = _cli(*_shipped(history[0], "--format", "html"))
    assert code == 0 and page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 3 and "judicial-warrant-dhs" in page
    lowered = page.lower()
    for outside in ("http:", "https:", "//", "<script", "src=", "<link", "@import", "url("):
        assert outside not in lowered, outside


def test_cli_an_option_with_an_error_is_file_line_reason(
    history: tuple[str, Engine], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("state: WA\ntitle: bad\nrules:\n  - id: x\n    effect: permit\n    when: {}\n")
    code, out, err = _cli("--state", "WA", "--db", history[0], str(bad))
    assert code == 1 and out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{bad}:6: ") and "empty condition" in first
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--state", "XX", str(SHIPPED[0])], "unknown state 'XX'"),
        (["--state", "OR", str(SHIPPED[0])], "state is WA but the file is OR's"),
        (["--state", "WA", "--since", "2025-05-01", "--until", "2025-04-01", str(SHIPPED[0])],
         "is not before"),
        (["--state", "WA", "/nonexistent/x.yaml"], "no option file at /nonexistent/x.yaml"),
    ],
)  # fmt: skip
def test_cli_bad_input_is_one_line(history: tuple[str, Engine], args: list[str], said: str) -> None:
    code, _, err = _cli("--db", history[0], *args)
    assert code == 1 and said in " ".join(err.split()) and "Traceback" not in err


def test_cli_missing_database(tmp_path: Path) -> None:
    code, _, err = _cli("--state", "WA", "--db", str(tmp_path / "none.db"), str(SHIPPED[0]))
    assert code == 1 and "no audit database" in err


def test_a_hub_and_policy_check_never_read_the_options() -> None:
    reads = PolicyFolder(POLICIES).changed()
    assert reads and not any("options" in read.path.parts for read in reads)
    code = runner.invoke(app, ["policy", "check", str(POLICIES)], env={"COLUMNS": "40"})
    assert code.exit_code == 0
    assert code.stdout.splitlines() == ["53 policy file(s) checked: no problems"]


def test_every_shipped_option_says_what_it_models() -> None:
    for path in sorted(OPTIONS.glob("*.yaml")):
        header = path.read_text().split("\nstate:")[0]
        assert "Option" in header and "not a policy in force" in header, path


def test_an_option_a_class_cannot_decide_is_refused(
    history: tuple[str, Engine], directory: Directory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail closed: a rule on a fact neither a decision class nor the pass in
    arrival order carries stops the comparison rather than being decided
    without it."""
    monkeypatch.setattr(
        "switch.impact.compare.tested_by", lambda _: {"requester_tags", "subject_wanted_in"}
    )
    options = load_options(SHIPPED[:1], "WA")
    with pytest.raises(CompareError, match=r"cannot replay rules that test subject\.wanted_in"):
        compare_options(history[1], options, directory, state="WA")


def _truth(state: str, pattern: str) -> list[dict[str, object]]:
    (result,) = planted
    return [t for t in result.truth if t["state"] == state and t["pattern"] == pattern]


def test_the_relay_rule_blocks_the_planted_287g_relays_and_keeps_look_alikes(
    comparison: Comparison, directory: Directory
) -> None:
    """Against the ground truth: every 287(g) relay planted in WA (a sheriff
    asking about a person WA refused to ICE hours before) is refused, and
    nothing else changes: the look-alikes (a PD's traffic stop of the same
    person the same day) are answered as today."""
    relays, look_alikes = _truth("WA", "287g-relay"), _truth("WA", "look-alike")
    assert (len(relays), len(look_alikes)) == (1, 3)
    column = {c.name: c for c in comparison.columns}["relay-rule"]
    assert dict(column.lost) == {"OH0090000": 1} == Counter(str(t["query_ori"]) for t in relays)
    assert not column.gained
    senders = [directory.get(str(t["query_ori"])) for t in relays]
    assert all(a is not None and TAG_287G in a.tags for a in senders)
    assert not {str(t["query_ori"]) for t in look_alikes} & set(column.lost)
    assert (column.serious.asked, column.serious.answered) == (108, 108)
    assert column.letter_test() == {
        "immigration_blocked_pct": 75.0, "relays_blocked_pct": 100.0,
        "serious_crime_kept_pct": 100.0,
    }  # fmt: skip


def test_the_relay_rule_is_decided_as_replay_decides_it(
    history: tuple[str, Engine], comparison: Comparison, directory: Directory
) -> None:
    """Compare's column and replay, in arrival order with the option's own
    memory, see the same changes."""
    (option,) = load_options([OPTIONS / "relay-rule.yaml"], "WA")
    report = replay_policies(history[1], {"WA": option.policy}, directory, states=["WA"])
    changed = {(t.old, t.new): dict(t.by_state) for t in report.transitions if t.old != t.new}
    column = {c.name: c for c in comparison.columns}["relay-rule"]
    assert changed == {("permit", "deny"): {"WA": sum(column.lost.values())}}
    assert report.records == comparison.records


def test_each_option_remembers_only_its_own_refusals(
    history: tuple[str, Engine], directory: Directory, tmp_path: Path
) -> None:
    """An option that answers ICE has nothing to remember, so its relay rule
    never fires: the memory is the option's, not the recorded decisions'."""
    path = tmp_path / "relay-only.yaml"
    path.write_text(RELAY_ONLY)
    options = [in_force(POLICIES, "WA"), *load_options([OPTIONS / "relay-rule.yaml", path], "WA")]
    got = compare_options(history[1], options, directory, state="WA")
    relay_rule, relay_only = got.columns[1:]
    assert relay_rule.relays_by_pattern["287g-relay"].as_dict() == {
        "asked": 1, "answered": 0, "refused": 1
    }  # fmt: skip
    assert relay_only.relays_by_pattern["287g-relay"].as_dict() == {
        "asked": 1, "answered": 1, "refused": 0
    }  # fmt: skip
    assert relay_only.immigration.refused == 0 and not relay_only.lost
