"""Where a block happens (a policy's `enforced_at`): Nlets, the state's own
switch or the DMV. The decision is the same wherever it is enforced; who
answers the sender, in what words, and what the audit, the metrics and the
live flow say of it differ."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from simulators.dmv import StateDMV
from switch.audit import chain
from switch.audit.public import FlowEvent
from switch.audit.verify import verify
from switch.db.schema import audit_outcomes
from switch.messages.output import parse_output
from tests.utils.hubs import make_client

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
WA_DRIVER = StateDMV("WA").driver(2)
ORIS = ("VTICE0900", "NYCBP0200", "WA0170100", "NY0303000")
ICE_TO_WA = f"DQ.VTICE0900.WA.TXTOLN/{WA_DRIVER['OLN']}"

# enforced_at -> (who answers, its key, words the sender reads)
EXPECTED = {
    "nlets": ("NL0000000", "ER", [".02. MESSAGE TYPE NOT ALLOWED TO DESTINATION"]),
    "state-switch": (
        "WAWSP0000",
        "ER",
        [
            ".02. MESSAGE TYPE NOT ALLOWED TO DESTINATION",
            "REFUSED AT WA STATE SWITCH ACCESS (WAWSP0000), NOT SENT TO WAOLN0000",
        ],
    ),
    "dmv": (
        "WAOLN0000",
        "DR",
        [
            "RECORD NOT RELEASED TO VTICE0900",
            "WASHINGTON DEPARTMENT OF LICENSING DOES NOT RELEASE RECORDS TO THIS REQUESTER",
        ],
    ),
}


def _policies(tmp_path: Path, enforced_at: str | None) -> Path:
    """The shipped policies, with WA's `enforced_at` set (None: left out)."""
    folder = tmp_path / "policies"
    shutil.copytree(SHIPPED, folder)
    wa = folder / "WA.yaml"
    lines = [line for line in wa.read_text().splitlines() if not line.startswith("enforced_at:")]
    if enforced_at is not None:
        lines.insert(lines.index("rules:"), f"enforced_at: {enforced_at}")
    wa.write_text("\n".join(lines) + "\n")
    return folder


def _refusals(scraped: str) -> dict[tuple[str, str], float]:
    return {
        (s.labels["state"], s.labels["refused_by"]): s.value
        for family in text_string_to_metric_families(scraped)
        if family.name == "switch_policy_refusals"
        for s in family.samples
        if s.name.endswith("_total")
    }


@pytest.mark.parametrize("enforced_at", sorted(EXPECTED))
def test_a_refusal_comes_from_where_the_policy_is_enforced(
    tmp_path: Path, sqlite_url: str, enforced_at: str
) -> None:
    sender_ori, key, words = EXPECTED[enforced_at]
    folder = _policies(tmp_path, enforced_at)
    with make_client(sqlite_url, oris=ORIS, policies=folder) as (client, keys, runtime):
        before = _refusals(client.get("/metrics", headers=keys.auth("VTICE0900")).text)
        events = runtime.hub.events.subscribe()
        reply = client.post("/v1/messages", content=ICE_TO_WA, headers=keys.auth("VTICE0900"))
        assert reply.status_code == 200
        (result,) = reply.json()["results"]
        # The decision is the policy's wherever it is enforced.
        assert (result["decision"], result["rule"], result["status"]) == (
            "deny",
            "wa-no-ice",
            "rejected",
        )
        assert result["refused_by"] == enforced_at
        response = result["response"]
        out = parse_output(response["text"])
        assert (response["key"], out.key, out.sender, out.to) == (
            key,
            key,
            sender_ori,
            "VTICE0900",
        )
        assert response["fields"] == {} and out.records == ()
        for line in [*words, "DENIED BY WA POLICY RULE wa-no-ice" if key == "ER" else "UNDER WA"]:
            assert line in response["text"], (line, response["text"])
        # Neither NOT ON FILE (there is a driver) nor the record itself.
        assert "NOT ON FILE" not in response["text"]
        assert WA_DRIVER["NAM"] not in response["text"]

        # The audit says who refused, over GET /v1/audit and in the table.
        page = client.get("/v1/audit", headers=keys.admin_auth).json()
        (record,) = [r for r in page["records"] if r["id"] == reply.json()["id"]]
        assert record["results"][0]["refused_by"] == enforced_at
        one = client.get(f"/v1/messages/{reply.json()['id']}", headers=keys.auth("VTICE0900"))
        assert one.json()["results"][0]["refused_by"] == enforced_at
        with runtime.engine.connect() as conn:
            stored = conn.execute(
                select(audit_outcomes.c.refused_by).where(
                    audit_outcomes.c.message_id == reply.json()["id"]
                )
            ).scalar_one()
        assert stored == enforced_at

        # The metric counts it by where.
        after = _refusals(client.get("/metrics", headers=keys.auth("VTICE0900")).text)
        gained = after.get(("WA", enforced_at), 0) - before.get(("WA", enforced_at), 0)
        assert gained == 1

        # The live flow's event carries it, as the page reads it.
        event = FlowEvent.model_validate(events.get_nowait())
        assert event.id == reply.json()["id"]
        assert event.results[0].refused_by == enforced_at  # type: ignore[union-attr]
        runtime.hub.events.unsubscribe(events)


def test_the_default_is_nlets_as_before(tmp_path: Path, sqlite_url: str) -> None:
    folder = _policies(tmp_path, None)
    with make_client(sqlite_url, oris=ORIS, policies=folder) as (client, keys, _):
        body = client.post("/v1/messages", content=ICE_TO_WA, headers=keys.auth("VTICE0900"))
        (result,) = body.json()["results"]
        assert result["refused_by"] == "nlets"
        out = parse_output(result["response"]["text"])
        assert (out.key, out.sender) == ("ER", "NL0000000")
        assert "STATE SWITCH" not in out.body
        assert out.body.startswith(
            ".02. MESSAGE TYPE NOT ALLOWED TO DESTINATION\n"
            "DENIED BY WA POLICY RULE wa-no-ice: Keep Washington Working"
        )


@pytest.mark.parametrize("enforced_at", ["state-switch", "dmv"])
def test_only_the_refusal_moves_permits_answer_as_before(
    tmp_path: Path, sqlite_url: str, enforced_at: str
) -> None:
    folder = _policies(tmp_path, enforced_at)
    with make_client(sqlite_url, oris=ORIS, policies=folder) as (client, keys, _):
        for ori in ("NYCBP0200", "WA0170100"):
            text = f"DQ.{ori}.WA.TXTOLN/{WA_DRIVER['OLN']}"
            (result,) = client.post("/v1/messages", content=text, headers=keys.auth(ori)).json()[
                "results"
            ]
            assert (result["decision"], result["status"]) == ("permit", "answered")
            assert "refused_by" not in result
            out = parse_output(result["response"]["text"])
            assert (out.key, out.sender, out.records[0]["OLN"]) == (
                "DR",
                "WAOLN0000",
                WA_DRIVER["OLN"],
            )


def test_a_kq_refused_at_the_dmv_is_a_kr_in_its_words(tmp_path: Path, sqlite_url: str) -> None:
    folder = _policies(tmp_path, "dmv")
    with make_client(sqlite_url, oris=ORIS, policies=folder) as (client, keys, _):
        text = f"KQ.VTICE0900.WA.TXTOLN/{WA_DRIVER['OLN']}"
        (result,) = client.post(
            "/v1/messages", content=text, headers=keys.auth("VTICE0900")
        ).json()["results"]
        assert (result["refused_by"], result["response"]["key"]) == ("dmv", "KR")
        assert parse_output(result["response"]["text"]).sender == "WAOLN0000"


def test_a_multi_state_query_counts_a_switch_refusal_as_denied(
    tmp_path: Path, sqlite_url: str
) -> None:
    folder = _policies(tmp_path, "state-switch")
    with make_client(sqlite_url, oris=ORIS, policies=folder) as (client, keys, _):
        text = (
            f"DQ.VTICE0900.NL.TXTNAM/{WA_DRIVER['NAM']}.DOB/{WA_DRIVER['DOB']}"
            f".SEX/{WA_DRIVER['SEX']}"
        )
        body = client.post("/v1/messages", content=text, headers=keys.auth("VTICE0900")).json()
        assert "WA" in body["summary"]["denied"]
        wa = next(r for r in body["results"] if r["destination"] == "WA")
        assert wa["refused_by"] == "state-switch"
        by = {r["destination"]: r.get("refused_by") for r in body["results"]}
        # States that block ICE at Nlets still do.
        assert by["NY"] == "nlets" and by["MN"] == "nlets"


def test_the_chain_holds_who_refused_and_old_rows_still_verify(
    tmp_path: Path, sqlite_url: str
) -> None:
    folder = _policies(tmp_path, "state-switch")
    with make_client(sqlite_url, oris=ORIS, policies=folder) as (client, keys, runtime):
        engine = runtime.engine
        # A row as written before migration 0016: a deny with no refused_by.
        old = client.post("/v1/messages", content=ICE_TO_WA, headers=keys.auth("VTICE0900"))
        with engine.begin() as conn:
            conn.execute(
                update(audit_outcomes)
                .where(audit_outcomes.c.message_id == old.json()["id"])
                .values(refused_by=None)
            )
        # Rewriting a row breaks its hash: make this one's hash what it would
        # have been, as a pre-0016 hub wrote it, by rechaining from scratch.
        _rechain(engine)
        new = client.post("/v1/messages", content=ICE_TO_WA, headers=keys.auth("VTICE0900"))
        assert verify(engine).intact
        page = client.get("/v1/audit", headers=keys.admin_auth).json()["records"]
        by_id = {r["id"]: r["results"][0]["refused_by"] for r in page if r["results"]}
        # An old deny reads as refused at Nlets, the only place there was.
        assert by_id[old.json()["id"]] == "nlets"
        assert by_id[new.json()["id"]] == "state-switch"
        # Who refused is in the hash: rewriting it is found.
        with engine.begin() as conn:
            conn.execute(
                update(audit_outcomes)
                .where(audit_outcomes.c.message_id == new.json()["id"])
                .values(refused_by="nlets")
            )
        verdict = verify(engine)
        assert not verdict.intact
        assert verdict.finding is not None and verdict.finding.problem == "altered"


def _rechain(engine: Any) -> None:
    """Link every chained row again in chain order (a test's stand-in for an
    audit written by an older hub)."""
    rows: list[tuple[int, str, int, dict[str, Any]]] = []
    with engine.connect() as conn:
        for name, table in chain.CHAINED.items():
            for row in conn.execute(select(table).where(table.c.chain_pos.is_not(None))):
                data = dict(row._mapping)
                rows.append((data["chain_pos"], name, data["seq"], data))
    rows.sort()
    digest = chain.GENESIS
    with engine.begin() as conn:
        for _pos, name, seq, data in rows:
            digest = chain.link(digest, chain.content(name, data))
            table = chain.CHAINED[name]
            conn.execute(update(table).where(table.c.seq == seq).values(chain_hash=digest))
        conn.exec_driver_sql(f"UPDATE audit_chain_head SET hash = '{digest}' WHERE id = 1")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("state_switch", "state-switch"),
        ("switch", "state-switch"),
        ("DMV", "dmv"),
        ("nlet", "nlets"),
    ],
)
def test_a_misspelt_enforced_at_is_refused_naming_the_nearest(
    tmp_path: Path, sqlite_url: str, written: str, meant: str
) -> None:
    folder = _policies(tmp_path, "state-switch")
    with make_client(sqlite_url, oris=ORIS, policies=folder) as (client, keys, runtime):
        before = runtime.policies.versions()["WA"]
        text = f"state: WA\ntitle: t\nenforced_at: {written}\nrules: []\n"
        bad = client.put("/v1/policies/WA", content=text, headers=keys.admin_auth)
        assert bad.status_code == 422
        message = bad.json()["error"]["message"]
        # One problem, at its line, with the value meant.
        assert message.count("enforced_at") == 1, message
        assert message.endswith(
            f"WA.yaml:3: enforced_at `{written}` is not one of nlets, state-switch, dmv; "
            f"did you mean `{meant}`?"
        ), message
        # The version in force is kept, and still refuses at the state switch.
        assert runtime.policies.versions()["WA"] == before
        reply = client.post("/v1/messages", content=ICE_TO_WA, headers=keys.auth("VTICE0900"))
        assert reply.json()["results"][0]["refused_by"] == "state-switch"
