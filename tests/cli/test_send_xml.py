"""`switch send --xml` and `switch send --show FORM`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from simulators.dmv import StateDMV
from switch.cli import app
from switch.db.database import open_engine
from switch.db.schema import audit_records
from switch.messages import from_json, from_xml, parse, parse_output_xml, render, to_xml
from switch.messages.xmldoc import check_schema, parse_element

runner = CliRunner()
TEXT = "DQ.NY0303000.WA.*K7.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M"
DR = "DR.NY0303000\n10:12 11/25/2026 00123\n10:12 11/25/2026 00456 WAOLN0000\nTXT\nNAM/DOE,JOHN"


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    monkeypatch.chdir(tmp_path)
    return sqlite_url


def test_show_xml_prints_the_nlets_document() -> None:
    result = runner.invoke(app, ["send", TEXT, "--show", "xml"])
    assert result.exit_code == 0, result.stderr
    check_schema(parse_element(result.stdout), "nlets.xsd", "")
    assert from_xml(result.stdout) == parse(TEXT)


def test_show_reads_xml_and_prints_text_or_json() -> None:
    document = to_xml(parse(TEXT))
    text = runner.invoke(app, ["send", document, "--show", "text"])
    assert text.stdout.strip() == TEXT
    as_json = runner.invoke(app, ["send", document, "--show", "json"])
    assert from_json(json.loads(as_json.stdout), "NY0303000") == parse(TEXT)


def test_show_xml_of_an_output_message() -> None:
    result = runner.invoke(app, ["send", DR, "--show", "xml"])
    assert result.exit_code == 0, result.stderr
    out = parse_output_xml(result.stdout)
    assert (out.key, out.sender, dict(out.records[0])) == ("DR", "WAOLN0000", {"NAM": "DOE,JOHN"})


def test_show_of_a_bad_message_fails_in_one_line() -> None:
    result = runner.invoke(app, ["send", "DQ.NY0303000.WA.TXTNAM/X", "--show", "xml"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert ".22." in result.stderr


def test_send_needs_as_unless_it_only_shows() -> None:
    result = runner.invoke(app, ["send", TEXT])
    assert result.exit_code == 1
    assert "--as" in result.stderr


def test_send_xml_in_process_is_answered_and_audited_as_xml(env: str) -> None:
    oln = StateDMV("NY").driver(0)["OLN"]
    text = f"DQ.NY0303000.NY.TXTOLN/{oln}"
    result = runner.invoke(app, ["send", text, "--as", "NY0303000", "--xml"])
    assert result.exit_code == 0, result.stderr
    assert "NY: permit" in result.stdout and f"OLN/{oln}" in result.stdout
    again = runner.invoke(app, ["send", to_xml(parse(text)), "--as", "NY0303000", "--xml"])
    assert again.exit_code == 0, again.stderr
    engine = open_engine(env)
    with engine.connect() as conn:
        forms = conn.execute(select(audit_records.c.form, audit_records.c.raw)).all()
    engine.dispose()
    sent = [(form, raw) for form, raw in forms if raw and "NLETS" in raw]
    assert [form for form, _ in sent] == ["xml", "xml"]


def test_send_xml_of_a_bad_text_fails_in_one_line(env: str) -> None:
    result = runner.invoke(app, ["send", "DQ.NY0303000.WA.TXTNAM/X", "--as", "NY0303000", "--xml"])
    assert result.exit_code == 1
    assert "cannot write it as XML" in result.stderr
    assert render(parse(TEXT)) == TEXT
