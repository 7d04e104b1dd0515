"""Shadow mode: a candidate policy is decided beside the enforced one, and
the audit keeps both results and versions."""

from __future__ import annotations

from sqlalchemy import select

from switch.db.schema import audit_outcomes
from switch.metrics import REGISTRY
from tests.utils.hubs import make_client

ORIS = ("NY0303000", "VTICE0900")


def test_candidate_is_recorded_beside_the_enforced_decision(database_url: str) -> None:
    labels = {"state": "OR", "enforced": "permit", "candidate": "deny"}
    before = REGISTRY.get_sample_value("switch_shadow_disagreements_total", labels) or 0.0
    with make_client(database_url, oris=ORIS) as (client, keys, runtime):
        candidate = runtime.policies.candidate("OR")
        assert candidate is not None and "HB 3265" in candidate.title
        ice = client.post(
            "/v1/messages", content="DQ.VTICE0900.OR.TXTOLN/X1", headers=keys.auth("VTICE0900")
        ).json()
        local = client.post(
            "/v1/messages", content="DQ.NY0303000.OR.TXTOLN/X1", headers=keys.auth("NY0303000")
        ).json()
        # Live traffic is decided by the enforced policy: Oregon answers ICE today.
        assert ice["results"][0]["decision"] == "permit"
        with runtime.engine.connect() as conn:
            rows = {
                r.message_id: r
                for r in conn.execute(select(audit_outcomes).where(audit_outcomes.c.state == "OR"))
            }
        ice_row, local_row = rows[ice["id"]], rows[local["id"]]
        assert (ice_row.decision, ice_row.policy_version) == (
            "permit",
            runtime.policies.versions()["OR"],
        )
        assert (ice_row.shadow_decision, ice_row.shadow_rule, ice_row.shadow_version) == (
            "deny",
            "or-immigration-judicial-only",
            candidate.version,
        )
        assert (local_row.decision, local_row.shadow_decision) == ("permit", "permit")
        # States without a candidate record no shadow.
        tx = client.post(
            "/v1/messages", content="DQ.VTICE0900.TX.TXTOLN/X1", headers=keys.auth("VTICE0900")
        ).json()
        with runtime.engine.connect() as conn:
            tx_row = conn.execute(
                select(audit_outcomes).where(audit_outcomes.c.message_id == tx["id"])
            ).one()
        assert tx_row.shadow_decision is None

        summary = client.get("/v1/policies/OR", headers=keys.admin_auth).json()
        assert summary["candidate"]["version"] == candidate.version
        assert summary["candidate"]["disagreements"] == {"permit->deny": 1}
        assert client.get("/v1/policies/TX", headers=keys.admin_auth).json()["candidate"] is None
        assert (
            "switch_shadow_disagreements_total"
            in client.get("/metrics", headers=keys.admin_auth).text
        )
        after = REGISTRY.get_sample_value("switch_shadow_disagreements_total", labels)
        assert after == before + 1
