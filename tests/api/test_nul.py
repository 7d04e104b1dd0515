"""A NUL character, which PostgreSQL text columns refuse: in a message it is
an ER that is audited (the NUL kept as U+2400), in a query a 422, and it
never costs another message sharing its audit batch its reply."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from switch.access.keys import Identity
from switch.audit.writer import AuditUnavailable, GroupCommitWriter
from switch.clock import utc_now
from switch.core.capture import Intake, refused_record
from switch.db.schema import audit_records
from switch.errors import InvalidFormat
from tests.utils.hubs import make_client


def test_a_nul_in_a_message_is_an_audited_er(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        reply = client.post(
            "/v1/messages",
            params={"wait": 5},
            content="DQ.NY0303000.WA.TXTOLN/A\x001",
            headers=keys.auth("NY0303000"),
        )
        assert reply.status_code == 422, reply.text
        assert reply.json()["error"]["code"] == ".22."
        with runtime.engine.connect() as conn:
            raw = conn.execute(
                select(audit_records.c.raw).where(audit_records.c.id == reply.json()["id"])
            ).scalar_one()
        assert "OLN/A\u24001" in raw
        # The hub goes on answering.
        ok = client.post(
            "/v1/messages",
            params={"wait": 5},
            content="DQ.NY0303000.WA.TXTOLN/A1",
            headers=keys.auth("NY0303000"),
        )
        assert ok.status_code == 200


def test_a_nul_in_a_query_parameter_is_a_422(database_url: str) -> None:
    with make_client(database_url) as (client, keys, _):
        reply = client.get("/v1/warrants", params={"to": "\x00"}, headers=keys.admin_auth)
        assert reply.status_code == 422, reply.text


def test_an_entry_the_database_refuses_fails_alone(database_url: str) -> None:
    from switch.db.database import migrate, open_engine

    engine = open_engine(database_url)
    migrate(engine)
    writer = GroupCommitWriter(engine)

    def record(message_id: str, raw: str) -> object:
        intake = Intake(Identity("k", ori="NY0303000"), b"", message_id, utc_now(), 0.0)
        built = refused_record(intake, InvalidFormat("bad", "bad"))
        built.raw = raw
        return built

    async def both() -> list[object]:
        # The same id twice: the database refuses the second entry.
        good = asyncio.ensure_future(writer.write(record("a" * 32, "fine")))  # type: ignore[arg-type]
        bad = asyncio.ensure_future(writer.write(record("a" * 32, "again")))  # type: ignore[arg-type]
        await asyncio.sleep(0)  # both queued before the writer starts: one batch
        writer.start()
        return await asyncio.gather(good, bad, return_exceptions=True)

    try:
        results = asyncio.run(both())
    finally:
        writer.stop()
        engine.dispose()
    assert results[0] is None
    assert isinstance(results[1], AuditUnavailable)
