"""GET /v1/warrants[/{id}] by scope: the registry names people in every
state, so scope `*` reads it whole and a state admin reads only the warrants
cited in queries that reached its state."""

from __future__ import annotations

from simulators.dmv import StateDMV
from switch.access.keys import issue_key
from switch.warrants import WarrantRegistry
from tests.utils.hubs import make_client

WA_DRIVER = StateDMV("WA").driver(7)
NY_DRIVER = StateDMV("NY").driver(7)


def test_a_state_admin_reads_only_warrants_cited_to_its_state(database_url: str) -> None:
    with make_client(database_url) as (client, keys, runtime):

        def issue(oln: str) -> str:
            body = {"kind": "judicial", "to": "VTICE0900", "oln": oln}
            made = client.post("/v1/warrants", json=body, headers=keys.admin_auth)
            assert made.status_code == 201, made.text
            warrant_id: str = made.json()["id"]
            return warrant_id

        cited_to_wa, cited_to_ny, never_cited = (
            issue(WA_DRIVER["OLN"]),
            issue(NY_DRIVER["OLN"]),
            issue("WDL000000000"),
        )
        ice = keys.auth("VTICE0900")
        for text in (
            f"DQ.VTICE0900.WA.TXTOLN/{WA_DRIVER['OLN']}.WRT/{cited_to_wa}",
            f"DQ.VTICE0900.NY.TXTOLN/{NY_DRIVER['OLN']}.WRT/{cited_to_ny}",
            # Refused before routing: cited to no state at all.
            f"DQ.VTICE0900.OR.TXTWRT/{never_cited}",
        ):
            client.post("/v1/messages", content=text, headers=ice)

        def admin(scope: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {issue_key(runtime.engine, admin_scope=scope)}"}

        def listed(headers: dict[str, str], **params: str) -> list[str]:
            answer = client.get("/v1/warrants", params=params, headers=headers)
            assert answer.status_code == 200
            return [w["id"] for w in answer.json()]

        wa, ny, vt, oregon = admin("WA"), admin("NY"), admin("VT"), admin("OR")
        assert listed(keys.admin_auth) == [cited_to_wa, cited_to_ny, never_cited]
        assert listed(wa) == [cited_to_wa]
        assert listed(wa, to="VTICE0900") == [cited_to_wa]
        assert listed(wa, to="NY0303000") == []
        assert listed(ny) == [cited_to_ny]
        # Vermont's agency cited them, but they were shown to WA and NY, not to VT.
        assert listed(vt) == listed(oregon) == []

        def read(warrant_id: str, headers: dict[str, str]) -> int:
            return client.get(f"/v1/warrants/{warrant_id}", headers=headers).status_code

        assert read(cited_to_wa, wa) == 200
        assert read(cited_to_wa.lower(), wa) == 200
        assert [read(w, wa) for w in (cited_to_ny, never_cited, "JW-2026-NOPE")] == [404] * 3
        assert [read(w, keys.admin_auth) for w in (cited_to_ny, never_cited)] == [200, 200]
        whole = client.get(f"/v1/warrants/{cited_to_wa}", headers=wa).json()
        assert (whole["subject_oln"], whole["issued_to"]) == (WA_DRIVER["OLN"], "VTICE0900")
        # The NY warrant's subject never reaches Washington's admin.
        assert NY_DRIVER["OLN"] not in client.get("/v1/warrants", headers=wa).text


def test_the_registry_filter_reads_the_cited_id_not_a_lookalike(database_url: str) -> None:
    """A field that merely contains an id (a name, another field) cites nothing."""
    with make_client(database_url) as (client, keys, runtime):
        registry = WarrantRegistry(runtime.engine, runtime.directory)
        warrant = registry.issue(kind="judicial", to="VTICE0900", oln=WA_DRIVER["OLN"])
        other = registry.issue(kind="judicial", to="VTICE0900", oln="WDL000000001")
        text = f"DQ.VTICE0900.WA.TXTOLN/{WA_DRIVER['OLN']}.WRT/{warrant.id}X"
        client.post("/v1/messages", content=text, headers=keys.auth("VTICE0900"))
        assert registry.list(cited_in="WA") == []
        assert registry.get(warrant.id, cited_in="WA") is None
        cite = f"DQ.VTICE0900.WA.TXTOLN/WDL000000001.WRT/{other.id}"
        client.post("/v1/messages", content=cite, headers=keys.auth("VTICE0900"))
        assert [w.id for w in registry.list(cited_in="WA")] == [other.id]
        assert registry.get(other.id, cited_in="WA") == other
        assert registry.get(other.id, cited_in="OR") is None
