"""The form a message arrived in is on its audit record, inside the chain's
hash for new rows; a row from before the column (form NULL) hashes as it
always did, so `switch audit verify` passes on old and new rows alike."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from simulators.dmv import StateDMV
from switch.audit import chain
from switch.audit.verify import verify
from switch.db.schema import audit_records
from switch.messages import parse, to_json, to_xml
from tests.utils.hubs import make_client


def test_forms_are_recorded_and_the_chain_verifies(tmp_path: Path) -> None:
    text = f"DQ.NY0303000.NY.TXTOLN/{StateDMV('NY').driver(0)['OLN']}"
    with make_client(f"sqlite:///{tmp_path / 'hub.db'}") as (client, keys, runtime):
        auth = keys.auth("NY0303000")
        client.post("/v1/messages", content=text, headers=auth)
        client.post("/v1/messages", json=to_json(parse(text)), headers=auth)
        client.post(
            "/v1/messages",
            content=to_xml(parse(text)),
            headers={**auth, "Content-Type": "application/xml"},
        )
        client.post(
            "/v1/messages", content="<!DOCTYPE a><a/>", headers={**auth, "Content-Type": "text/xml"}
        )
        engine = runtime.engine
        with engine.connect() as conn:
            rows = conn.execute(
                select(audit_records).where(audit_records.c.form.is_not(None))
            ).all()
        assert [(r.form, r.outcome) for r in rows] == [
            ("text", "routed"),
            ("json", "routed"),
            ("xml", "routed"),
            ("xml", "rejected"),
        ]
        assert verify(engine).intact
        # The form is covered: changing it breaks the chain.
        with engine.begin() as conn:
            conn.execute(
                update(audit_records).where(audit_records.c.id == rows[2].id).values(form="text")
            )
        assert not verify(engine).intact


def test_a_row_without_a_form_hashes_as_before_the_column() -> None:
    row = {name: None for name in chain.V1_COLUMNS["audit_records"]}
    row.update(id="x", outcome="routed", http_status=200, latency_ms=1.0)
    old = chain.content("audit_records", row)
    assert chain.content("audit_records", {**row, "form": None}) == old
    assert b'["form","xml"]' in chain.content("audit_records", {**row, "form": "xml"})
