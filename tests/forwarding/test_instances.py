"""Hubs sharing one database: one works each state's forward queue at a
time, and a hub that is gone hands its work over after STALE_SECONDS."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from switch.clock import utc_now
from switch.db.database import migrate, open_engine
from switch.db.schema import hub_instances
from switch.forwarding.instances import STALE_SECONDS, Instances
from tests.forwarding.conftest import FAST
from tests.forwarding.helpers import mailbox, send
from tests.utils.destinations import FakeState
from tests.utils.hubs import make_client
from tests.utils.polling import until


def test_a_state_is_held_by_one_live_hub_and_taken_over_when_it_dies(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        migrate(engine)
        first, second = Instances(engine), Instances(engine)
        first.register()
        second.register()
        assert first.hold_states(["OR", "WA"]) == {"OR", "WA"}
        assert second.hold_states(["OR", "WA", "ID"]) == {"ID"}
        assert first.hold_states(["OR"]) == {"OR"}  # still its own

        # `first` stops beating: once stale, its states pass to `second`.
        stale = utc_now() - timedelta(seconds=STALE_SECONDS + 1)
        with engine.begin() as conn:
            conn.execute(
                update(hub_instances).where(hub_instances.c.id == first.id).values(seen_at=stale)
            )
        assert second.hold_states(["OR", "WA"]) == {"OR", "WA"}
        first.beat()  # back, but the states are taken now
        assert first.hold_states(["OR", "WA"]) == set()

        second.leave()  # a clean stop frees its states at once
        assert first.hold_states(["OR", "WA", "ID"]) == {"OR", "WA", "ID"}
    finally:
        engine.dispose()


def test_two_hubs_on_one_database_forward_each_kept_query_once_in_order(
    database_url: str,
) -> None:
    oregon = FakeState("OR")  # one state, reached by both hubs
    with (
        make_client(database_url, destinations={"OR": oregon}, **FAST) as (a, keys, _),
        make_client(database_url, destinations={"OR": oregon}, oris=(), **FAST) as (b, _, _),
    ):
        a.put("/v1/status/OR", headers=keys.admin_auth)
        olns = [f"A{i}" for i in range(12)]
        ids = [send(a, keys, "NY0303000", f"DQ.NY0303000.OR.TXTOLN/{o}").json()["id"] for o in olns]
        assert oregon.received == []
        # Returned through hub A; hub B reads the marks from the database too.
        a.delete("/v1/status/OR", headers=keys.admin_auth)
        items = until(
            lambda: mailbox(a, keys, "NY0303000"),
            lambda got: sum(i["key"] == "DR" for i in got) >= len(olns),
        )
        assert [i["message_id"] for i in items if i["key"] == "DR"] == ids
        assert [m.fields["OLN"] for m in oregon.received] == olns  # once each, in order
        # Hub B reads the same mailbox.
        listed = b.get("/v1/mailbox", headers=keys.auth("NY0303000")).json()["items"]
        assert [i["seq"] for i in listed] == [i["seq"] for i in items]
