"""Out of service: answered at once with the .02. SM, kept, forwarded in
order when the state returns; answers reach the sender's mailbox."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from switch.core.texts import REMOVED, WILL_FORWARD, WILL_NOT_FORWARD
from switch.db.schema import forward_queue, mailbox
from switch.forwarding.forwarder import GAVE_UP
from tests.forwarding.conftest import FAST
from tests.forwarding.helpers import mailbox as read_mailbox
from tests.forwarding.helpers import send
from tests.utils.destinations import FakeState
from tests.utils.hubs import make_client
from tests.utils.polling import until

OLNS = ("A1", "B2", "C3")


def _states() -> dict[str, FakeState]:
    return {"OR": FakeState("OR"), "WA": FakeState("WA")}


def _queue(runtime) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(forward_queue).order_by(forward_queue.c.seq)).all()
    return [(r.message_id, r.status) for r in rows]


def test_the_nlets_status_texts_are_word_for_word() -> None:
    # Nlets User Guide, "General Information - Status Messages (SM)".
    assert WILL_FORWARD == ".02. USER OUT OF SERVICE FOR MSG TYPE, NLETS WILL FORWARD"
    assert WILL_NOT_FORWARD == ".01. USER DOES NOT RESPOND TO MSG TYPE, NLETS WILL NOT FORWARD"
    assert REMOVED == ".04. USER OUT OF SERVICE FOR MSG TYPE, NLETS WILL NOT FORWARD"
    assert GAVE_UP == WILL_NOT_FORWARD


def test_wait_zero_is_202_then_the_answer_is_in_the_mailbox_until_acked(
    database_url: str,
) -> None:
    with make_client(database_url, destinations=_states(), **FAST) as (client, keys, runtime):
        reply = send(client, keys, "NY0303000", "DQ.NY0303000.WA.TXTOLN/X1")
        assert reply.status_code == 202
        items = until(lambda: read_mailbox(client, keys, "NY0303000"), bool)
        assert [(i["key"], i["message_id"]) for i in items] == [("DR", reply.json()["id"])]

        other = client.post(
            "/v1/mailbox/ack", json={"seq": [items[0]["seq"]]}, headers=keys.auth("VTICE0900")
        )
        assert other.json() == {"acknowledged": 0}  # not ICE's item
        acked = client.post(
            "/v1/mailbox/ack", json={"seq": [items[0]["seq"]]}, headers=keys.auth("NY0303000")
        )
        assert acked.json() == {"acknowledged": 1}
        assert read_mailbox(client, keys, "NY0303000") == []
        with runtime.engine.connect() as conn:
            kept = conn.execute(select(mailbox.c.acked_at)).all()
        assert len(kept) == 1 and kept[0].acked_at is not None  # gone from the list, not the audit


def test_ack_up_to_a_seq(sqlite_url: str) -> None:
    with make_client(sqlite_url, destinations=_states(), **FAST) as (client, keys, _):
        for oln in OLNS:
            send(client, keys, "NY0303000", f"DQ.NY0303000.WA.TXTOLN/{oln}")
        items = until(lambda: read_mailbox(client, keys, "NY0303000"), lambda i: len(i) == 3)
        assert len(items) == 3
        acked = client.post(
            "/v1/mailbox/ack", json={"up_to": items[1]["seq"]}, headers=keys.auth("NY0303000")
        )
        assert acked.json() == {"acknowledged": 2}
        assert [i["seq"] for i in read_mailbox(client, keys, "NY0303000")] == [items[2]["seq"]]


def test_marked_out_of_service_queries_are_kept_then_forwarded_in_order(
    database_url: str,
) -> None:
    states = _states()
    with make_client(database_url, destinations=states, **FAST) as (client, keys, runtime):
        marked = client.put("/v1/status/OR", json={"keys": ["DQ"]}, headers=keys.admin_auth)
        assert marked.json() == {"state": "OR", "out_of_service": ["DQ"], "removed": []}
        ids = []
        for oln in OLNS:
            reply = send(client, keys, "NY0303000", f"DQ.NY0303000.OR.TXTOLN/{oln}")
            assert reply.status_code == 202
            ids.append(reply.json()["id"])
        waiting = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/D4", wait=5).json()
        ids.append(waiting["id"])
        assert waiting["results"][0]["status"] == "out_of_service"
        assert waiting["results"][0]["response"]["text"].count(WILL_FORWARD) == 1

        sms = until(lambda: read_mailbox(client, keys, "NY0303000"), lambda i: len(i) == 3)
        assert [i["key"] for i in sms] == ["SM"] * 3
        assert all(WILL_FORWARD in i["text"] for i in sms)
        assert states["OR"].received == []  # kept, not sent
        assert [s for _, s in _queue(runtime)] == ["queued"] * 4
        # Other keys still go through.
        assert (
            send(client, keys, "NY0303000", "RQ.NY0303000.OR.TXTLIC/ABC123", wait=5).json()[
                "results"
            ][0]["status"]
            == "answered"
        )

        client.delete("/v1/status/OR", headers=keys.admin_auth)
        items = until(
            lambda: read_mailbox(client, keys, "NY0303000"),
            lambda i: sum(x["key"] == "DR" for x in i) == 4,
        )
        answers = [i["message_id"] for i in items if i["key"] == "DR"]
        assert answers == ids
        olns = [m.fields["OLN"] for m in states["OR"].received if m.key == "DQ"]
        assert olns == [*OLNS, "D4"]
        assert [s for _, s in _queue(runtime)] == ["forwarded"] * 4


def test_a_destination_raising_out_of_service_counts_too(sqlite_url: str) -> None:
    states = _states()
    states["OR"].out_of_service = True
    with make_client(sqlite_url, destinations=states, **FAST) as (client, keys, runtime):
        ids = [
            send(client, keys, "NY0303000", f"DQ.NY0303000.OR.TXTOLN/{o}").json()["id"]
            for o in OLNS
        ]
        until(lambda: _queue(runtime), lambda q: len(q) == 3)
        assert all(WILL_FORWARD in i["text"] for i in read_mailbox(client, keys, "NY0303000"))
        states["OR"].out_of_service = False  # the state comes back; a probe finds it
        items = until(
            lambda: read_mailbox(client, keys, "NY0303000"),
            lambda i: sum(x["key"] == "DR" for x in i) == 3,
        )
        assert [i["message_id"] for i in items if i["key"] == "DR"] == ids
        answered = [m.fields["OLN"] for m in states["OR"].received[-3:]]
        assert answered == list(OLNS)


def test_a_state_that_does_not_answer_gets_01_and_nothing_is_kept(sqlite_url: str) -> None:
    states = _states()
    states["OR"].delay = 5
    # It misses the wait and then the late-answer window too.
    settings = {**FAST, "max_wait": 0.2, "late_answer_seconds": 0.3}
    with make_client(sqlite_url, destinations=states, **settings) as (client, keys, runtime):
        reply = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1")
        assert reply.status_code == 202
        items = until(lambda: read_mailbox(client, keys, "NY0303000"), bool)
        assert [i["key"] for i in items] == ["SM"]
        assert items[0]["text"].count(WILL_NOT_FORWARD) == 1
        assert items[0]["result"]["status"] == "no_response"
        assert _queue(runtime) == []


def test_queued_messages_survive_a_restart_nothing_lost_or_doubled(database_url: str) -> None:
    with make_client(database_url, destinations=_states(), **FAST) as (client, keys, runtime):
        client.put("/v1/status/OR", headers=keys.admin_auth)
        ids = [
            send(client, keys, "NY0303000", f"DQ.NY0303000.OR.TXTOLN/{o}").json()["id"]
            for o in OLNS
        ]
        until(lambda: _queue(runtime), lambda q: len(q) == 3)
    # A new hub on the same database: the mark and the queue are still there.
    states = _states()
    with make_client(database_url, destinations=states, **FAST) as (client, keys, runtime):
        status = client.get("/v1/status/OR", headers=keys.admin_auth).json()
        assert "DQ" in status["out_of_service"]
        assert [s for _, s in _queue(runtime)] == ["queued"] * 3
        client.delete("/v1/status/OR", headers=keys.admin_auth)
        until(lambda: _queue(runtime), lambda q: all(s == "forwarded" for _, s in q))
        assert [m.fields["OLN"] for m in states["OR"].received] == list(OLNS)
        with runtime.engine.connect() as conn:
            drs = conn.execute(
                select(mailbox.c.message_id).where(mailbox.c.key == "DR").order_by(mailbox.c.seq)
            ).all()
        assert [r.message_id for r in drs] == ids  # each once, in order


def test_faults_are_retried_then_given_up_with_an_sm(sqlite_url: str) -> None:
    states = _states()
    states["OR"].fault = True
    with make_client(sqlite_url, destinations=states, **FAST) as (client, keys, runtime):
        client.put("/v1/status/OR", headers=keys.admin_auth)
        message_id = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1").json()["id"]
        client.delete("/v1/status/OR", headers=keys.admin_auth)
        queue = until(lambda: _queue(runtime), lambda q: q and q[0][1] == "given_up")
        assert queue == [(message_id, "given_up")]
        assert len(states["OR"].received) == FAST["forward_max_attempts"]
        items = read_mailbox(client, keys, "NY0303000")
        assert [i["key"] for i in items] == ["SM", "SM"]
        assert WILL_FORWARD in items[0]["text"] and GAVE_UP in items[1]["text"]
        record = client.get(f"/v1/messages/{message_id}", headers=keys.admin_auth).json()
        assert [r["status"] for r in record["results"]] == ["out_of_service", "given_up"]


def test_a_block_that_comes_in_while_queued_stops_the_message(
    sqlite_url: str, policies: Path
) -> None:
    states = _states()
    with make_client(sqlite_url, destinations=states, policies=policies, **FAST) as (
        client,
        keys,
        runtime,
    ):
        client.put("/v1/status/OR", headers=keys.admin_auth)
        first = send(client, keys, "VTICE0900", "DQ.VTICE0900.OR.TXTOLN/A1")
        assert first.status_code == 202
        until(lambda: _queue(runtime), lambda q: len(q) == 1)
        blocking = (
            "state: OR\ntitle: OR blocks ICE\nrules:\n"
            "  - id: or-no-ice\n    effect: deny\n    reason: HB 3265\n"
            "    when: {requester.component: [ICE-ERO, ICE-HSI]}\n"
        )
        put = client.put("/v1/policies/OR", content=blocking, headers=keys.admin_auth)
        assert put.status_code == 200, put.text
        client.delete("/v1/status/OR", headers=keys.admin_auth)
        queue = until(lambda: _queue(runtime), lambda q: q[0][1] != "queued")
        assert queue == [(first.json()["id"], "rejected")]
        items = read_mailbox(client, keys, "VTICE0900")
        assert [i["key"] for i in items] == ["SM", "ER"]
        assert "or-no-ice" in items[1]["text"]
        assert states["OR"].received == []


def test_status_needs_an_admin_of_that_state(sqlite_url: str) -> None:
    from switch.access.keys import issue_key

    with make_client(sqlite_url, destinations=_states(), **FAST) as (client, keys, runtime):
        wa_admin = {"Authorization": f"Bearer {issue_key(runtime.engine, admin_scope='WA')}"}
        assert client.put("/v1/status/OR", headers=wa_admin).status_code == 403
        assert client.put("/v1/status/OR", headers=keys.auth("NY0303000")).status_code == 403
        assert (
            client.put("/v1/status/WA", json={"keys": ["RQ"]}, headers=wa_admin).status_code == 200
        )
        assert client.put("/v1/status/ZZ", headers=keys.admin_auth).status_code == 422
        listed = client.get("/v1/status", headers=wa_admin).json()
        assert listed == {"states": [{"state": "WA", "out_of_service": ["RQ"], "removed": []}]}


def test_a_forwarded_answer_owes_notices_counts_and_shows_live(
    sqlite_url: str, policies: Path
) -> None:
    notify = (
        "state: OR\ntitle: OR tells the people it releases\nrules:\n"
        "  - id: or-notify\n    effect: permit\n    reason: notice law\n"
        "    when: {requester.component: ICE-ERO}\n"
        "    obligations:\n      - notify_subject: {within_business_days: 3}\n"
    )
    (policies / "OR.yaml").write_text(notify)
    states = _states()
    states["OR"].records = ({"NAM": "DOE, JANE", "OLN": "A1"},)
    with make_client(sqlite_url, destinations=states, policies=policies, **FAST) as (
        client,
        keys,
        runtime,
    ):
        watcher = runtime.hub.events.subscribe()
        client.put("/v1/status/OR", headers=keys.admin_auth)
        sent = send(client, keys, "VTICE0900", "DQ.VTICE0900.OR.TXTOLN/A1").json()
        until(lambda: _queue(runtime), lambda q: len(q) == 1)
        before = client.get("/metrics", headers=keys.admin_auth).text
        client.delete("/v1/status/OR", headers=keys.admin_auth)
        until(lambda: _queue(runtime), lambda q: q[0][1] == "forwarded")

        owed = client.get("/v1/notices", params={"state": "OR"}, headers=keys.admin_auth).json()
        assert [(n["message_id"], n["rule"]) for n in owed] == [(sent["id"], "or-notify")]
        events = []
        while not watcher.empty():
            events.append(watcher.get_nowait())
        forwarded = [e for e in events if e.get("forwarded")]
        assert [(e["id"], e["results"][0]["status"]) for e in forwarded] == [
            (sent["id"], "answered")
        ]
        assert "OLN/A1" in forwarded[0]["text"]
        after = client.get("/metrics", headers=keys.admin_auth).text
        assert _answered_or(after) == _answered_or(before) + 1


def _answered_or(metrics: str) -> float:
    for line in metrics.splitlines():
        labels = ('state="OR"', 'status="answered"', 'effect="permit"')
        if line.startswith("switch_destination_outcomes_total{") and all(
            label in line for label in labels
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_remove_status_answers_04_keeps_nothing_and_gives_up_what_was_kept(
    database_url: str,
) -> None:
    states = _states()
    with make_client(database_url, destinations=states, **FAST) as (client, keys, runtime):
        client.put("/v1/status/OR", json={"keys": ["DQ"]}, headers=keys.admin_auth)
        kept = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1").json()
        until(lambda: _queue(runtime), lambda q: len(q) == 1)

        removed = client.put(
            "/v1/status/OR", json={"keys": ["DQ"], "forward": False}, headers=keys.admin_auth
        )
        assert removed.json() == {"state": "OR", "out_of_service": [], "removed": ["DQ"]}
        # What was kept is given up with a .04.: Nlets keeps nothing for a removed state.
        queue = until(lambda: _queue(runtime), lambda q: q[0][1] != "queued")
        assert queue == [(kept["id"], "given_up")]
        # A new query is refused .04. at once and not kept.
        reply = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/B2", wait=5).json()
        [result] = reply["results"]
        assert (result["status"], result["response"]["key"]) == ("out_of_service", "SM")
        assert result["response"]["text"].count(REMOVED) == 1
        assert len(_queue(runtime)) == 1
        items = read_mailbox(client, keys, "NY0303000")
        assert [(i["key"], i["message_id"]) for i in items] == [
            ("SM", kept["id"]),
            ("SM", kept["id"]),
        ]
        assert WILL_FORWARD in items[0]["text"] and REMOVED in items[1]["text"]

        client.delete("/v1/status/OR", headers=keys.admin_auth)
        back = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/C3", wait=5).json()
        assert back["results"][0]["status"] == "answered"
        # Neither A1 (given up) nor B2 (refused) ever reached OR.
        assert [m.fields["OLN"] for m in states["OR"].received] == ["C3"]
