"""Refused requests on the record: what the size limits and `?wait=` refuse
before the hub sees a message, what a request with no good key is refused
(counted a window at a time, so a flood cannot write a row per attempt),
and a spoofed header filed under the key that sent it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from switch.api.limits import MAX_BODY_BYTES, MAX_HEADER_BYTES
from switch.app.runtime import Runtime
from switch.db.schema import audit_records
from tests.utils.hubs import make_client


def _rows(runtime: Runtime, **where: Any) -> list[Any]:
    c = audit_records.c
    query = select(audit_records).where(*(c[k] == v for k, v in where.items())).order_by(c.seq)
    with runtime.engine.connect() as conn:
        return list(conn.execute(query).all())


def _after_stop(runtime: Runtime, **where: Any) -> list[Any]:
    """Rows read once the hub has stopped, and written its refusal windows."""
    rows = _rows(runtime, **where)
    runtime.engine.dispose()
    return rows


def _one(runtime: Runtime, record_id: str) -> Any:
    [row] = _rows(runtime, id=record_id)
    return row


def test_1500_bad_keys_write_at_most_150_rows_and_count_every_one(database_url: str) -> None:
    with make_client(database_url) as (client, _, runtime):
        before = len(_rows(runtime))
        for n in range(1500):
            response = client.get("/v1/agencies", headers={"Authorization": f"Bearer sw_bad{n}"})
            assert response.status_code == 401
    rows = _after_stop(runtime)
    refused = rows[before:]
    assert 1 <= len(refused) <= 150
    assert sum(r.count for r in refused) == 1500
    assert {(r.http_status, r.detail, r.identity, r.client) for r in refused} == {
        (401, "unknown key", "unknown:*", "testclient")
    }


def test_each_401_is_counted_with_who_what_and_where_and_no_secret(database_url: str) -> None:
    with make_client(database_url, refusal_window_seconds=60) as (client, _, runtime):
        missing = client.get("/v1/agencies")
        unknown = client.get(
            "/v1/audit", params={"ori": "NY0303000"}, headers={"Authorization": "Bearer sw_guess"}
        )
        again = client.get("/v1/audit", headers={"Authorization": "Bearer sw_guess"})
        streamed = client.get("/v1/events", params={"key": "sw_secret_guess"})
        assert {r.status_code for r in (missing, unknown, again, streamed)} == {401}
        # Counted, not yet written: a flood costs no row per attempt.
        assert _rows(runtime, http_status=401) == []
    rows = {r.id: r for r in _after_stop(runtime, http_status=401)}
    first = rows[missing.json()["id"]]
    assert (first.identity, first.raw, first.detail, first.count) == (
        "anonymous",
        "GET /v1/agencies",
        "missing bearer key",
        1,
    )
    guessed = rows[unknown.json()["id"]]
    assert again.json()["id"] == guessed.id  # one window: this client, this reason
    # One made-up key, twice: named by a hash prefix, never the key itself.
    assert guessed.identity.startswith("unknown:") and guessed.count == 2
    assert guessed.identity != "unknown:*" and "sw_guess" not in guessed.identity
    # A key in a stream's URL is refused for that, whatever the key: a window of its own.
    in_url = rows[streamed.json()["id"]]
    assert in_url.id != guessed.id and in_url.count == 1
    assert in_url.raw == "GET /v1/events?key=..." and "ticket" in in_url.detail
    assert (guessed.raw, guessed.client, guessed.outcome) == (
        "GET /v1/audit?ori=NY0303000",
        "testclient",
        "refused",
    )
    assert all("sw_secret_guess" not in (r.raw or "") for r in rows.values())


def test_refusals_before_the_hub_sees_the_message_are_audited(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):
        ny = keys.auth("NY0303000")
        ny_key = runtime.keys.resolve(keys.agency["NY0303000"]).key_id
        refused = {
            "POST /v1/messages": client.post(
                "/v1/messages", content=b"A" * (MAX_BODY_BYTES + 1), headers=ny
            ),
            "GET /v1/agencies": client.get(
                "/v1/agencies", headers={**ny, "X-Padding": "a" * MAX_HEADER_BYTES}
            ),
            **{
                f"POST /v1/messages?wait={wait}": client.post(
                    "/v1/messages",
                    params={"wait": wait},
                    content="DQ.NY0303000.WA.TXTOLN/1",
                    headers=ny,
                )
                for wait in ("nan", "61", "1e309")
            },
        }
        target = client.get("/v1/audit", params={"ori": "A" * 9000}, headers=ny)
        statuses = [r.status_code for r in refused.values()]
        assert statuses == [413, 431, 422, 422, 422] and target.status_code == 414
        for line, response in refused.items():
            row = _one(runtime, response.json()["id"])
            assert (row.identity, row.sender_ori, row.raw) == (
                f"{ny_key}/NY0303000",
                "NY0303000",
                line,
            )
            assert (row.http_status, row.outcome) == (response.status_code, "rejected")
            assert row.detail == response.json()["error"]["message"]
        long_target = _one(runtime, target.json()["id"])
        assert long_target.http_status == 414 and long_target.raw.startswith(
            "GET /v1/audit?ori=AAA"
        )
        # A body that runs past the limit as it arrives, with no Content-Length.

        def chunks() -> Iterator[bytes]:
            for _ in range(MAX_BODY_BYTES // 65536 + 1):
                yield b"1," * 32768

        streamed = client.post("/v1/mailbox/ack", content=chunks(), headers=ny)
        assert streamed.status_code == 413
        assert _one(runtime, streamed.json()["id"]).raw == "POST /v1/mailbox/ack"
        # The same with no key: counted in its client's window.
        anonymous = client.post("/v1/messages", params={"wait": "nan"}, content="x")
        assert anonymous.status_code == 422
    [row] = _after_stop(runtime, id=anonymous.json()["id"])
    assert (row.identity, row.count, row.http_status) == ("anonymous", 1, 422)


def test_a_spoofed_header_is_filed_under_the_key_that_sent_it(database_url: str) -> None:
    with make_client(database_url) as (client, keys, _):
        spoofed = client.post(
            "/v1/messages", content="DQ.NY0303000.WA.TXTOLN/1", headers=keys.auth("VTICE0900")
        )
        assert spoofed.status_code == 403

        def audit(**params: str) -> list[dict[str, Any]]:
            page = client.get("/v1/audit", params=params, headers=keys.admin_auth)
            assert page.status_code == 200, page.text
            records: list[dict[str, Any]] = page.json()["records"]
            return records

        assert audit(ori="NY0303000") == []
        [record] = audit(ori="VTICE0900")
        assert record["id"] == spoofed.json()["id"]
        assert (record["ori"], record["claimed_ori"], record["http_status"]) == (
            "VTICE0900",
            "NY0303000",
            403,
        )
        assert audit(ori="VTICE0900", kind="all") == [record]
