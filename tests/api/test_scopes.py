"""A state admin reaches its own state's share of the switch and nothing of
the whole: the directory, the scenario runs and every state's versions are
for scope `*`."""

from __future__ import annotations

from switch.access.keys import issue_key
from tests.utils.hubs import make_client


def test_routes_about_the_whole_switch_need_scope_star(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, runtime):
        wa = {"Authorization": f"Bearer {issue_key(runtime.engine, admin_scope='WA')}"}
        assert client.get("/v1/agencies", headers=wa).status_code == 403
        assert client.get("/v1/scenarios/runs/nope", headers=wa).status_code == 403
        assert client.get("/v1/agencies", headers=keys.admin_auth).status_code == 200
        assert client.get("/v1/scenarios/runs/nope", headers=keys.admin_auth).status_code == 404
        # Versions: the whole list for `*`, its own state's for a state admin.
        everyone = client.get("/v1/policies", headers=keys.admin_auth).json()
        assert len(everyone) == 52
        assert client.get("/v1/policies", headers=wa).json() == {"WA": everyone["WA"]}
        assert client.get("/v1/policies", headers=keys.auth("NY0303000")).status_code == 403
