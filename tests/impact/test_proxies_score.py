"""The rule of thumb alone (pure), and subject normalisation (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from switch.directory import Directory
from switch.impact.proxies_score import THRESHOLD, Query, Refusal, score
from switch.messages.subjects import normal_name, subject_keys

AT = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
DIRECTORY = Directory.load()
REFUSAL = Refusal("r1", AT, "WAICE0100", "WA", "OLN:WAL1")


def query(ori: str, minutes: float, **fields: str) -> Query:
    return Query("q1", AT + timedelta(minutes=minutes), ori, "WA", "DQ", {"OLN": "WAL1", **fields})


def sheriff_287g() -> str:
    return next(a.ori for a in DIRECTORY.filter(tag="287g") if a.type == "SO")


def test_a_287g_sheriff_soon_after_is_flagged() -> None:
    s = score(REFUSAL, query(sheriff_287g(), 20), DIRECTORY)
    assert s is not None and s.pattern == "287g-relay"
    assert s.score == 4 + 2 + (1 if DIRECTORY.get(sheriff_287g()).state == "WA" else 0)
    assert s.flagged() and s.evidence[0].code == "287g"


def test_hsi_after_ero() -> None:
    s = score(REFUSAL, query("WAHSI0100", 90), DIRECTORY)
    assert s is not None and s.pattern == "hsi-for-ero"
    assert {e.code: e.points for e in s.evidence} == {
        "hsi-after-ero": 4,
        "same-state-as-office": 1,
        "within-8h": 1,
    }
    # HSI after a refused CBP query is no HSI-for-ERO relay.
    cbp = Refusal("r2", AT, "WACBP0100", "WA", "OLN:WAL1")
    assert score(cbp, query("WAHSI0100", 90), DIRECTORY) is None


def test_a_task_force_member_with_an_immigration_warrant() -> None:
    s = score(REFUSAL, query("WA0270100", 600, WRT="ICE-WARRANT"), DIRECTORY)
    assert s is not None and s.pattern == "local-for-federal"
    assert {"task-force", "immigration-warrant"} <= {e.code for e in s.evidence}
    assert s.score >= THRESHOLD


def test_a_traffic_stop_by_a_plain_department_is_not_suspect() -> None:
    # Ohio has no task-force member: an Ohio department has no tie to immigration.
    plain = DIRECTORY.filter(state="OH", type="PD")[0].ori
    assert score(REFUSAL, query(plain, 30, RSN="T"), DIRECTORY) is None
    assert score(REFUSAL, query(plain, 30), DIRECTORY) is None


def test_a_declared_reason_lowers_the_score() -> None:
    quiet = score(REFUSAL, query("WA0270100", 30), DIRECTORY)
    stated = score(REFUSAL, query("WA0270100", 30, RSN="T"), DIRECTORY)
    assert quiet is not None and stated is not None and stated.score == quiet.score - 2


def test_outside_the_window_or_before_or_elsewhere() -> None:
    assert score(REFUSAL, query(sheriff_287g(), 25 * 60), DIRECTORY) is None
    assert score(REFUSAL, query(sheriff_287g(), -5), DIRECTORY) is None
    other = Query("q", AT + timedelta(minutes=5), sheriff_287g(), "OR", "DQ", {})
    assert score(REFUSAL, other, DIRECTORY) is None
    assert score(REFUSAL, query("WAICE0100", 5), DIRECTORY) is None  # the office again


names = st.from_regex(r"[A-Z]{2,10},[A-Z]{2,10}", fullmatch=True)
births = st.dates(min_value=date(1940, 1, 1), max_value=date(2007, 12, 31))


@given(names, births, st.booleans(), st.booleans())
def test_two_spellings_of_one_person_give_one_key(
    name: str, born: date, short: bool, lower: bool
) -> None:
    on = date(2025, 6, 1)
    typed = name.replace(",", " , ").lower() if lower else name
    dob = born.strftime("%m%d%y") if short else born.strftime("%Y%m%d")
    assert subject_keys({"NAM": typed, "DOB": dob}, on) == (f"NAM+DOB:{name}|{born:%Y%m%d}",)


@given(st.text(min_size=1, max_size=20))
def test_normal_name_is_idempotent(text: str) -> None:
    assert normal_name(normal_name(text)) == normal_name(text)


def test_olns_and_plates_and_no_name_without_a_date() -> None:
    on = date(2025, 6, 1)
    assert subject_keys({"OLN": "wal-123 45"}, on) == ("OLN:WAL12345",)
    assert subject_keys({"LIC": "abc 1234"}, on) == ("LIC:ABC1234",)
    assert subject_keys({"NAM": "DOE,JOHN", "DOB": "20250231"}, on) == ()
    assert subject_keys({"NAM": "DOE,JOHN"}, on) == ()
