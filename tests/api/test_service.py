"""The service routes: health, metrics, the directory."""

from __future__ import annotations

from tests.utils.hubs import make_client


def test_healthz_needs_no_key(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, _, _):
        body = client.get("/healthz").json()
        assert body["status"] == "ok" and body["states"] == 52 and body["agencies"] >= 400


def test_metrics_count_messages(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, _):
        assert client.get("/metrics").status_code == 401
        client.post(
            "/v1/messages", content="DQ.NY0303000.WA.TXTOLN/1", headers=keys.auth("NY0303000")
        )
        text = client.get("/metrics", headers=keys.admin_auth).text
        assert 'switch_messages_total{key="DQ",outcome="routed"}' in text
        assert "switch_destination_outcomes_total" in text


def test_agencies_for_admins_with_filters(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, _):
        assert client.get("/v1/agencies", headers=keys.auth("NY0303000")).status_code == 403
        hsi = client.get(
            "/v1/agencies", params={"component": "ICE-HSI"}, headers=keys.admin_auth
        ).json()
        assert hsi and all(a["component"] == "ICE-HSI" for a in hsi)
        assert {"ori", "name", "state", "type", "department", "component", "tags"} <= set(hsi[0])


def test_bad_query_parameter_is_a_clear_422(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, _):
        response = client.post(
            "/v1/messages", params={"wait": "soon"}, content="x", headers=keys.auth("NY0303000")
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == ".22."
