"""The HTTP explain of a rule that remembers: it names the refusal that
matched (message id, time, requester), as the hub's index holds it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.core.test_remembering import ICE, SHERIFF, WITH_RELAY
from tests.utils.hubs import make_client

OLN = "WAL100000001"


def test_explain_names_the_refusal_that_matched(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "WA.yaml").write_text(WITH_RELAY)
    with make_client(sqlite_url, oris=(ICE, SHERIFF), policies=folder) as (client, keys, runtime):
        sent = client.post(
            "/v1/messages", content=f"DQ.{ICE}.WA.TXTOLN/{OLN}", headers=keys.auth(ICE)
        )
        assert sent.status_code == 200, sent.text
        refused = sent.json()["id"]

        def explain(fields: dict[str, str]) -> dict:
            reply = client.post(
                "/v1/policies/WA/explain",
                json={"ori": SHERIFF, "key": "DQ", "fields": fields},
                headers=keys.admin_auth,
            )
            assert reply.status_code == 200, reply.text
            return reply.json()

        trace = explain({"OLN": OLN})
        assert trace["decision"]["rule"] == "wa-no-relay"
        (rule,) = [r for r in trace["rules"] if r["id"] == "wa-no-relay"]
        (test,) = [c for c in rule["when"]["children"] if c["test"] == "subject.refused_to"]
        found = test["actual"]
        assert found["message_id"] == refused
        assert (found["requester_ori"], found["component"], found["state"]) == (
            ICE,
            "ICE-ERO",
            "WA",
        )
        assert found["at"].startswith(trace["request"]["subject.refusals"][0]["at"][:10])
        # Someone else: nothing remembered, the rule does not match.
        assert explain({"OLN": "WAL100000002"})["decision"]["effect"] == "permit"
        # The index unreadable: explain shows the fail-closed deny a message would get.
        with runtime.engine.begin() as conn:
            conn.execute(text("DROP TABLE recent_refusals"))
        closed = explain({"OLN": OLN})
        assert closed["decision"]["effect"] == "deny"
        assert "could not be read" in closed["decision"]["reason"]
