"""WarrantRegistry against the audit database: SQLite and the real PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

import switch.warrants
from switch.db.database import migrate, open_engine
from switch.db.schema import warrants
from switch.directory import Directory
from switch.messages.fields import FIELD_RULES
from switch.warrants import Warrant, WarrantError, WarrantRegistry

NOW = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
ICE = "VTICE0900"


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


def _engine(url: str) -> Iterator[Engine]:
    engine = open_engine(url)
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    yield from _engine(database_url)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    yield from _engine(sqlite_url)


def test_all_is_sorted_and_honest() -> None:
    # "@py_*" names are pytest's: it rewrites the package that ships a pytest11 plugin.
    exported = switch.warrants.__all__
    assert exported == sorted(exported, key=lambda n: (0 if n.isupper() else 1, n))
    public = {
        name
        for name in vars(switch.warrants)
        if not name.startswith(("_", "@")) and name != "annotations"
    }
    assert set(exported) == public


def test_issue_get_round_trip_by_oln(engine: Engine, directory: Directory) -> None:
    registry = WarrantRegistry(engine, directory)
    issued = registry.issue(kind="judicial", to="vtice0900", oln="wdl123456789", now=NOW)
    assert issued.kind == "judicial" and issued.form == "warrant"
    assert issued.issued_to == ICE and issued.subject_oln == "WDL123456789"
    assert issued.subject_name is None and issued.subject_dob is None
    assert issued.issued_at == NOW and issued.expires_at == NOW + timedelta(days=30)
    assert issued.issued_by.startswith("Hon. ") and "Court" in issued.issued_by
    assert registry.get(issued.id) == issued
    assert registry.get(issued.id.lower()) == issued
    assert registry.get("JW-2026-NOPE") is None


def test_issue_get_round_trip_by_name_and_dob(engine: Engine) -> None:
    registry = WarrantRegistry(engine)
    issued = registry.issue(
        kind="administrative", to=ICE, name="doe, john q", dob="19800102", days=7, now=NOW
    )
    assert issued.form == "I-200"
    assert issued.issued_by.startswith("SDDO ") and issued.issued_by.endswith(", ICE ERO")
    assert (issued.subject_oln, issued.subject_name) == (None, "DOE,JOHN Q")
    assert issued.subject_dob == date(1980, 1, 2)
    assert issued.expires_at == NOW + timedelta(days=7)
    got = registry.get(issued.id)
    assert got == issued
    assert got is not None and got.issued_at.tzinfo is not None


def test_ids_fit_the_wrt_field_and_say_the_kind(engine: Engine) -> None:
    registry = WarrantRegistry(engine)
    judicial = registry.issue(kind="judicial", to=ICE, oln="A1", now=NOW)
    administrative = registry.issue(kind="administrative", to=ICE, oln="A1", now=NOW)
    for warrant, prefix in ((judicial, "JW-2026-"), (administrative, "AW-2026-")):
        assert warrant.id.startswith(prefix)
        assert FIELD_RULES["WRT"].pattern.fullmatch(warrant.id)
    assert judicial.id != administrative.id


@pytest.mark.parametrize(
    ("kind", "form", "stored"),
    [
        ("judicial", "court-order", "court-order"),
        ("JUDICIAL", "Subpoena", "subpoena"),
        ("administrative", "i-205", "I-205"),
    ],
)
def test_forms_are_stored_in_their_canonical_spelling(
    sqlite_engine: Engine, kind: str, form: str, stored: str
) -> None:
    warrant = WarrantRegistry(sqlite_engine).issue(kind=kind, form=form, to=ICE, oln="A1")
    assert warrant.form == stored


def test_an_explicit_signer_is_kept(sqlite_engine: Engine) -> None:
    by = "Hon. P. Gardner, Circuit Court of Cook County"
    warrant = WarrantRegistry(sqlite_engine).issue(
        kind="judicial", to="IL0160000", oln="A1", issued_by=by
    )
    assert warrant.issued_by == by


def test_list_in_issue_order_and_by_recipient(engine: Engine) -> None:
    registry = WarrantRegistry(engine)
    first = registry.issue(kind="judicial", to=ICE, oln="A1", now=NOW)
    second = registry.issue(kind="judicial", to="NY0303000", oln="A2", now=NOW + timedelta(1))
    third = registry.issue(kind="administrative", to=ICE, oln="A3", now=NOW + timedelta(2))
    assert registry.list() == [first, second, third]
    assert registry.list(issued_to="vtice0900") == [first, third]
    assert registry.list(issued_to="WA0170100") == []


def test_assess_reads_the_cited_warrant(engine: Engine) -> None:
    registry = WarrantRegistry(engine)
    warrant = registry.issue(kind="judicial", to=ICE, oln="WDL1", days=1, now=NOW)
    fields = {"OLN": "WDL1", "WRT": warrant.id}
    during = NOW + timedelta(hours=1)
    assert registry.assess(warrant.id, ICE, fields, during) == "judicial"
    assert registry.assess(None, ICE, fields, during) == "none"
    assert registry.assess("JW-2026-UNKNOWN", ICE, fields, during) == "cited"
    assert registry.assess(warrant.id, ICE, fields, NOW + timedelta(days=2)) == "cited"
    assert registry.assess(warrant.id, "NY0303000", fields, during) == "cited"
    assert registry.assess(warrant.id, ICE, {"OLN": "WDL2"}, during) == "cited"


def test_assess_by_name_and_either_dob_form(engine: Engine) -> None:
    registry = WarrantRegistry(engine)
    warrant = registry.issue(kind="administrative", to=ICE, name="DOE,JOHN", dob="19800102")
    now = datetime.now(UTC)
    for dob in ("19800102", "010280"):
        fields = {"NAM": "DOE,JOHN", "DOB": dob}
        assert registry.assess(warrant.id, ICE, fields, now) == "administrative"


BAD: list[tuple[dict[str, Any], str]] = [
    ({"kind": "civil"}, "judicial or administrative"),
    ({"kind": ""}, "judicial or administrative"),
    ({"form": "I-200"}, "form is one of warrant, court-order, subpoena"),
    ({"kind": "administrative", "form": "subpoena"}, "I-200, I-205"),
    ({"to": "ZZ9999999"}, "not in the directory"),
    ({"to": "VTICE09"}, "not an ORI"),
    ({"to": "VTICE09.0"}, "not an ORI"),
    ({"name": "DOE,JOHN", "dob": "19800102"}, "not both"),
    ({"oln": None}, "an OLN, or a name with a DOB"),
    ({"oln": None, "name": "DOE,JOHN"}, "an OLN, or a name with a DOB"),
    ({"oln": None, "dob": "19800102"}, "an OLN, or a name with a DOB"),
    ({"oln": "WDL/1"}, "OLN must be"),
    ({"oln": "A" * 21}, "OLN must be"),
    ({"oln": None, "name": "DOE JOHN", "dob": "19800102"}, "name must be LAST,FIRST"),
    ({"oln": None, "name": "DOE,JOHN", "dob": "010280"}, "CCYYMMDD"),
    ({"oln": None, "name": "DOE,JOHN", "dob": "19801301"}, "not a calendar date"),
    ({"oln": None, "name": "DOE,JOHN", "dob": "20990101"}, "future"),
    ({"days": 0}, "days must be 1"),
    ({"days": -5}, "days must be 1"),
    ({"days": 10**9}, "days must be 1"),
    ({"issued_by": "   "}, "issued by"),
    ({"issued_by": "X" * 129}, "issued by"),
]


@pytest.mark.parametrize(("change", "reason"), BAD, ids=[str(c) for c, _ in BAD])
def test_bad_warrants_are_refused_with_a_reason_and_not_stored(
    sqlite_engine: Engine, directory: Directory, change: dict[str, Any], reason: str
) -> None:
    request: dict[str, Any] = {"kind": "judicial", "to": ICE, "oln": "WDL1"} | change
    with pytest.raises(WarrantError, match=re.escape(reason)) as caught:
        WarrantRegistry(sqlite_engine, directory).issue(**request)
    assert caught.value.http_status == 422
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(warrants)).scalar() == 0


def test_as_dict_is_json_ready() -> None:
    warrant = Warrant(
        id="AW-2026-1",
        kind="administrative",
        form="I-205",
        issued_to=ICE,
        issued_by="SDDO E. Ruiz, ICE ERO",
        subject_oln=None,
        subject_name="DOE,JOHN",
        subject_dob=date(1980, 1, 2),
        issued_at=NOW,
        expires_at=NOW + timedelta(days=1),
    )
    assert warrant.as_dict()["subject_dob"] == "19800102"
    assert warrant.as_dict()["issued_at"] == "2026-03-02T09:30:15.123456+00:00"
    assert warrant.subject == "NAM/DOE,JOHN.DOB/19800102"
