"""A report counts the admin acts about its state: "changes to this state's
access", by act, done and refused, in every format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from switch.access.keys import issue_key, revoke_key
from switch.audit.acts import POLICY_PUT, Act, Actor
from switch.db.database import migrate, open_engine
from switch.errors import ForbiddenError
from switch.forwarding import status as service_status
from switch.policy import PolicyStore
from switch.policy.sources.database import SharedPolicies
from switch.reports import AccessChange, build_report, parse_period, render
from tests.reports.audit import directory

SHIPPED = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    (tmp_path / "WA.yaml").write_text((SHIPPED / "WA.yaml").read_text())
    shared = SharedPolicies(engine, PolicyStore.load(tmp_path))
    shared.put("WA", (SHIPPED / "WA.yaml").read_text() + "\n# v2\n")
    refused = Act(Actor("k1/admin:NY", "PUT /v1/policies/WA"), POLICY_PUT, target="WA", state="WA")
    refused.refuse(engine, ForbiddenError("admin scope NY does not cover WA"))
    service_status.mark(engine, "WA", ["DQ"])
    service_status.clear(engine, "WA")
    service_status.mark(engine, "NY", ["DQ"])
    revoke_key(engine, issue_key(engine, ori="WAOLN0000").split("_")[1])
    issue_key(engine, admin_scope="*")  # about no state
    yield engine
    engine.dispose()


WA_CHANGES = [
    AccessChange("policy.put", "policy versions put in force or under test", 1, 1),
    AccessChange("status.out", "marked out of service (queries kept)", 1, 0),
    AccessChange("status.in", "returned to service", 1, 0),
    AccessChange("key.issue", "API keys issued to its agencies or admins", 1, 0),
    AccessChange("key.revoke", "API keys revoked", 1, 0),
]


def test_a_report_counts_the_acts_about_its_state(engine: Engine) -> None:
    report = build_report(engine, directory(), "WA")
    assert report.access_changes == WA_CHANGES
    ny = build_report(engine, directory(), "NY")
    assert [(c.act, c.done, c.refused) for c in ny.access_changes] == [("status.out", 1, 0)]
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert build_report(engine, directory(), "WA", parse_period(since=later)).access_changes == []


def test_every_format_shows_the_changes(engine: Engine) -> None:
    report = build_report(engine, directory(), "WA")
    data = json.loads(render(report, "json"))
    assert data["access_changes"][0] == {
        "act": "policy.put",
        "label": "policy versions put in force or under test",
        "done": 1,
        "refused": 1,
    }
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert ["access_changes", "key.revoke", "API keys revoked", "done", "1"] in rows
    table = render(report, "table")
    assert "Changes to this state's access (admin acts)" in table
    [line] = [line for line in table.splitlines() if "status.in" in line]
    assert [cell.strip() for cell in line.split("│")] == [
        "",
        "status.in",
        "returned to service",
        "1",
        "0",
        "",
    ]
    page = render(report, "html")
    assert '<h2 id="access">Changes to this state\'s access</h2>' in page
    assert "<td>API keys revoked</td>" in page
