"""GET /metrics is readable with any key, so it holds nothing finer than a
state and a decision: no ORI, no key id, no subject of a query."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from simulators.dmv import StateDMV
from switch.access.keys import issue_key
from switch.directory import JURISDICTIONS
from switch.impact.proxies_score import PATTERNS
from switch.messages.model import INPUT_KEYS
from tests.utils.hubs import AGENCY_ORIS, make_client

SHERIFF = "AZ0110000"  # holds a 287(g) agreement

WA_DRIVER = StateDMV("WA").driver(3)
EFFECTS = {"permit", "deny"}
STATUSES = {"answered", "rejected", "no_response", "out_of_service", "delivered", "fault"}
# Every label a metric may have, and the values it may take. A new label goes
# here only if it is no finer than a state and a decision.
LABELS = {
    "key": INPUT_KEYS | {"?"},
    "outcome": {"routed", "accepted", "rejected"},
    "state": set(JURISDICTIONS) | {"-"},
    "effect": EFFECTS,
    # A queued query given up on is counted too (store and forward).
    "status": {*STATUSES, "given_up"},
    "enforced": EFFECTS,
    "candidate": EFFECTS,
    # A suspected relay's pattern (switch.impact.proxies_score): three of them.
    "pattern": set(PATTERNS),
    # Where a policy refusal happened (a policy's enforced_at): three places.
    "refused_by": {"nlets", "state-switch", "dmv"},
}


def test_no_metric_label_is_finer_than_state_and_decision(sqlite_url: str) -> None:
    with make_client(sqlite_url, oris=(*AGENCY_ORIS, SHERIFF)) as (client, keys, runtime):
        wa_admin = issue_key(runtime.engine, admin_scope="WA")
        for ori, text, wait in (
            ("NY0303000", f"DQ.NY0303000.WA,OR.TXTOLN/{WA_DRIVER['OLN']}", 10),
            ("NY0303000", f"DQ.NY0303000.NL.TXTNAM/{WA_DRIVER['NAM']}.DOB/{WA_DRIVER['DOB']}", 10),
            ("VTICE0900", f"DQ.VTICE0900.WA.TXTOLN/{WA_DRIVER['OLN']}", 10),
            # A 287(g) sheriff right after the refusal: a suspected relay, counted.
            (SHERIFF, f"DQ.{SHERIFF}.WA.TXTOLN/{WA_DRIVER['OLN']}", 10),
            ("VTICE0900", "AM.VTICE0900.NY0303000.TXTCALL ME", 10),
            ("WAOLN0000", f"DQ.WAOLN0000.OR.TXTOLN/{WA_DRIVER['OLN']}", 0),
            ("WAOLN0000", "DQ.NY0303000.OR.TXTOLN/X1", 10),  # another ORI's header: refused
            ("NY0303000", "DQ.NY0303000.WA.TXT", 10),
        ):
            client.post("/v1/messages", content=text, params={"wait": wait}, headers=keys.auth(ori))
        # Any key reads it: an agency's as well as an admin's; no key, none.
        assert client.get("/metrics").status_code == 401
        scraped = client.get("/metrics", headers=keys.auth("VTICE0900"))
        assert scraped.status_code == 200
        oris = {agency.ori for agency in runtime.directory}
        key_ids = {secret.split("_")[1] for secret in [*keys.agency.values(), keys.admin, wa_admin]}

    families = list(text_string_to_metric_families(scraped.text))
    assert {f.name for f in families} >= {"switch_messages", "switch_destination_outcomes"}
    seen: dict[str, set[str]] = {}
    for family in families:
        for sample in family.samples:
            for name, value in sample.labels.items():
                if name != "le":  # a histogram's bucket bound
                    seen.setdefault(name, set()).add(value)
    assert set(seen) <= set(LABELS), f"labels no one vetted: {set(seen) - set(LABELS)}"
    for name, values in seen.items():
        assert values <= LABELS[name], f"{name}: {values - LABELS[name]}"
    assert {"WA", "OR"} <= seen["state"] and "deny" in seen["effect"]
    assert "287g-relay" in seen["pattern"]
    assert not key_ids & set().union(*seen.values())
    for finer in [*oris, WA_DRIVER["OLN"], WA_DRIVER["NAM"], WA_DRIVER["DOB"]]:
        assert finer not in scraped.text
