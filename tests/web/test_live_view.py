"""The trainer's view in a real browser: the live flow, a message's trace,
the tile map, the policy playground; screenshots in test-artifacts/web/."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from switch.access.keys import issue_key, revoke_key
from tests.web.conftest import WebHub, screenshot

DENY_BACKGROUND = "rgb(253, 230, 228)"
PERMIT_BACKGROUND = "rgb(226, 243, 230)"


def _flow(page: Any, reply: dict[str, Any]) -> Any:
    return page.locator(f'.flow[data-id="{reply["id"]}"]')


def test_each_message_appears_with_its_decision_and_trace(page: Any, hub: WebHub) -> None:
    ice = hub.send("VTICE0900", "DQ.VTICE0900.WA.*WEB1.TXTOLN/WDL0000001")
    nypd = hub.send("NY0303000", "DQ.NY0303000.TX.*WEB2.TXTOLN/X12345")
    refused = hub.send("NY0303000", "DQ.NY0303000.WA.*WEB3.TXT")
    fan_out = hub.send("VTICE0900", "DQ.VTICE0900.NL.*WEB4.TXTOLN/X99")
    assert refused["error"]["code"] == ".14."

    denied = _flow(page, ice)
    expect(denied).to_have_class(re.compile(r"\bdeny\b"))
    expect(denied.locator(".flow-head .verdict")).to_have_text("✗ DENIED")
    policy_step = denied.locator('.outcome[data-destination="WA"] .step.deny').first
    expect(policy_step.locator(".rule")).to_have_text("wa-no-ice")
    expect(policy_step).to_contain_text("Keep Washington Working")
    assert policy_step.evaluate("e => getComputedStyle(e).backgroundColor") == DENY_BACKGROUND

    permitted = _flow(page, nypd)
    expect(permitted).to_have_class(re.compile(r"\bpermit\b"))
    expect(permitted.locator(".flow-head .verdict")).to_have_text("✓ PERMITTED")
    answered = permitted.locator('.outcome[data-destination="TX"] .step.permit').first
    expect(answered).to_contain_text("PERMIT")
    assert answered.evaluate("e => getComputedStyle(e).backgroundColor") == PERMIT_BACKGROUND

    # Refused input stops at the hub: its ER is shown in the hub's lane.
    er = _flow(page, refused)
    expect(er).to_have_class(re.compile(r"\brefused\b"))
    expect(er.locator(".step.refused").first).to_contain_text("ER .14.")

    # A multi-state query fans out: a row per state that denied, and a summary.
    nl = _flow(page, fan_out)
    for state in ("IL", "MA", "MN", "NY", "WA"):
        expect(nl.locator(f'.outcome.deny[data-destination="{state}"]')).to_have_count(1)
    expect(nl.locator(".nl-summary")).to_contain_text("denied: IL, MA, MN, NY, WA")

    denied.click()
    detail = page.locator("#detail")
    expect(detail).to_be_visible()
    expect(detail.locator("pre.sent")).to_have_text("DQ.VTICE0900.WA.*WEB1.TXTOLN/WDL0000001")
    expect(detail.locator("pre.reply")).to_contain_text(".02.")
    rule = detail.locator('.rule-trace[data-rule="wa-no-ice"]')
    expect(rule.locator(".status")).to_have_text("MATCHED")
    expect(rule).to_contain_text("ICE-ERO")
    expect(detail.locator('.rule-trace[data-rule="wa-judicial-warrant"] .status')).to_have_text(
        "not matched"
    )
    expect(detail.locator(".decision")).to_have_attribute("data-effect", "deny")
    screenshot(page, "live-flow")

    # Filters hide what does not match; pause holds new messages back.
    page.select_option("#f-effect", "deny")
    expect(permitted).to_be_hidden()
    expect(denied).to_be_visible()
    page.select_option("#f-effect", "")
    page.fill("#f-ori", "NY03")
    expect(denied).to_be_hidden()
    expect(permitted).to_be_visible()
    page.fill("#f-ori", "")

    page.click("#pause")
    expect(page.locator("#live")).to_have_attribute("data-state", "paused")
    held = hub.send("NY0303000", "DQ.NY0303000.TX.*WEB5.TXTOLN/X777")
    expect(page.locator("#flow-count")).to_contain_text("1 waiting")
    expect(_flow(page, held)).to_have_count(0)
    page.click("#pause")
    expect(_flow(page, held)).to_have_count(1)
    page.click("#clear")
    expect(page.locator(".flow")).to_have_count(0)

    # A cited warrant is explained as the registry judged it: judicial opens NY.
    warrant = hub.runtime.warrants.issue(kind="judicial", to="VTICE0900", oln="NYW123456").id
    judicial = hub.send("VTICE0900", f"DQ.VTICE0900.NY.*WEB6.TXTOLN/NYW123456.WRT/{warrant}")
    _flow(page, judicial).click()
    released = detail.locator('.rule-trace[data-rule="ny-immigration-judicial-release"]')
    expect(released.locator(".status")).to_have_text("MATCHED")
    expect(released).to_contain_text("judicial")
    expect(detail.locator('.decision [data-field="obligations"]')).to_have_text(
        "the driver must be told within 3 business days; the release is reported"
    )


def test_tile_map_shows_each_states_stance_and_live_counts(page: Any, hub: WebHub) -> None:
    tiles = page.locator("#tiles")
    expect(tiles).to_have_attribute("data-requester", "ICE-ERO")
    # WA lets a judicial warrant through; MA and MN refuse ICE outright.
    expect(tiles.locator('[data-state="WA"]')).to_have_attribute("data-status", "warrant-only")
    expect(tiles.locator('[data-state="MA"]')).to_have_attribute("data-status", "blocked")
    expect(tiles.locator('[data-state="TX"]')).to_have_attribute("data-status", "open")
    expect(tiles.locator('[data-state="TX"]')).to_have_class(re.compile(r"\bstatus-open\b"))
    oregon = tiles.locator('[data-state="OR"]')
    expect(oregon).to_have_class(re.compile(r"\bstatus-pending\b"))
    expect(oregon).to_have_attribute("data-pending", "warrant-only")
    expect(tiles.locator(".tile")).to_have_count(52)
    expect(page.locator("#tiles-summary")).to_contain_text("blocked: MA, MN.")
    expect(page.locator("#tiles-summary")).to_contain_text("judicial warrant only: IL, NY, WA.")

    hub.send("VTICE0900", "DQ.VTICE0900.WA.*TILE1.TXTOLN/WDL0000002")
    hub.send("VTICE0900", "DQ.VTICE0900.TX.*TILE2.TXTOLN/X1")
    expect(tiles.locator('[data-state="WA"] .counts')).to_have_text("✓0 ✗1")
    expect(tiles.locator('[data-state="MA"] .counts')).to_have_text("")
    expect(tiles.locator('[data-state="TX"] .counts')).to_have_text("✓1 ✗0")
    expect(page.locator("#tiles-counts")).to_contain_text("TX ✓1 ✗0 · WA ✓0 ✗1")

    # Clicking a state filters the flow to it.
    tiles.locator('[data-state="WA"]').click()
    expect(page.locator("#f-state")).to_have_value("WA")
    expect(page.locator(".flow:visible")).to_have_count(1)
    screenshot(page, "tile-map")

    # Local police meet no state rule.
    page.select_option("#tile-class", "type:PD")
    expect(tiles).to_have_attribute("data-requester", "PD")
    expect(tiles.locator('[data-state="WA"]')).to_have_attribute("data-status", "open")
    expect(tiles.locator(".status-open")).to_have_count(52)


def test_playground_decides_explains_and_refuses_an_invalid_policy(page: Any, hub: WebHub) -> None:
    page.click("#tab-playground")
    result = page.locator("#pg-result")

    page.select_option("#pg-class", "component:ICE-HSI")
    page.select_option("#pg-ori", "NYHSI0200")
    page.select_option("#pg-state", "MA")
    expect(result).to_contain_text("NYHSI0200")
    expect(result.locator(".decision")).to_have_attribute("data-effect", "deny")
    expect(result.locator('.decision [data-field="rule"]')).to_have_text("ma-no-ice")
    expect(result.locator('.rule-trace[data-rule="ma-no-ice"] .status')).to_have_text("MATCHED")

    page.select_option("#pg-class", "component:ICE-ERO")
    page.select_option("#pg-ori", "VTICE0900")
    page.select_option("#pg-state", "NY")
    page.select_option("#pg-warrant", "judicial")
    expect(result.locator(".decision")).to_have_attribute("data-effect", "permit")
    expect(result.locator('.decision [data-field="rule"]')).to_have_text(
        "ny-immigration-judicial-release"
    )
    # Obligations in words, as the room reads them.
    expect(result.locator('.decision [data-field="obligations"]')).to_have_text(
        "the driver must be told within 3 business days; the release is reported"
    )
    expect(result.locator(".in-words")).to_contain_text(
        "The release obliges: the driver must be told within 3 business days"
    )
    screenshot(page, "playground")

    # An invalid policy is refused whole, with its line; nothing is saved.
    before = hub.admin_get("/v1/policies/WA")["version"]
    page.select_option("#pg-state", "WA")
    expect(page.locator("#pg-policy-info")).to_contain_text(before)
    page.click("#pg-edit")
    expect(page.locator("#pg-yaml")).to_have_value(re.compile(r"wa-no-ice"))
    page.fill(
        "#pg-yaml",
        "state: WA\ntitle: Washington\nrules:\n  - id: wa-broken\n    effect: maybe\n",
    )
    page.click("#pg-save")
    errors = page.locator("#pg-errors")
    expect(errors).to_contain_text("Not saved")
    expect(errors.locator('li[data-line="5"]')).to_contain_text("line 5")
    expect(errors.locator('li[data-line="5"]')).to_contain_text(
        "effect `maybe` is not one of permit, deny"
    )
    expect(page.locator("#pg-gutter .bad")).to_have_text("5")
    assert hub.admin_get("/v1/policies/WA")["version"] == before
    page.locator("#pg-errors").scroll_into_view_if_needed()
    screenshot(page, "policy-error")

    page.click("#tab-scenarios")
    expect(page.locator("#scenarios")).to_contain_text("switch sim scenario")
    # Run a shipped scenario from the page: narration shows beside the flow.
    page.fill("#scenario-pace", "0")
    page.locator('li[data-scenario="ice-2025"] button.run-scenario').click()
    status = page.locator(".scenario-narration h3")
    expect(status).to_have_attribute("data-status", "passed", timeout=45_000)
    expect(page.locator(".scenario-narration .script-step").first).to_be_visible()
    screenshot(page, "scenario")


def test_the_page_asks_for_a_key_and_reads_large(browser: Any, hub: WebHub) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(hub.url)
        expect(page.locator("#key-panel")).to_be_visible()
        page.fill("#key-input", hub.agency["NY0303000"])
        page.click("#key-form button")
        expect(page.locator("#key-error")).to_contain_text("admin key")
        page.fill("#key-input", hub.admin)
        page.click("#key-form button")
        page.wait_for_selector('body[data-ready="true"]')
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
        # The key is not left in the address bar of a projected screen.
        assert "key=" not in page.url
        page.click("#large-type")
        expect(page.locator("html")).to_have_class("large")
        hub.send("VTICE0900", "DQ.VTICE0900.WA.*BIG1.TXTOLN/WDL0000003")
        expect(page.locator(".flow.deny")).to_have_count(1)
        screenshot(page, "large-type")
    finally:
        context.close()


def _live_page(browser: Any, hub: WebHub, key: str) -> tuple[Any, Any, list[Any]]:
    """A new page opened with `key`, and every request it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    requests: list[Any] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(f"{hub.url}/#key={key}")
    return context, page, requests


def _stream_urls(requests: list[Any]) -> list[str]:
    return [r.url for r in requests if "/v1/events" in r.url]


def test_the_pages_stream_opens_with_a_ticket_never_the_key(browser: Any, hub: WebHub) -> None:
    context, page, requests = _live_page(browser, hub, hub.admin)
    try:
        page.wait_for_selector('body[data-ready="true"]')
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
        [stream] = _stream_urls(requests)
        assert re.fullmatch(rf"{re.escape(hub.url)}/v1/events\?ticket=st_[\w-]{{43}}", stream)
        # The key went in a header only, never in a URL the hub could log.
        sent = [r for r in requests if r.url.startswith(f"{hub.url}/")]
        assert not [r.url for r in sent if hub.admin in r.url.split("#")[0]]
        [asked] = [r for r in requests if r.url.endswith("/v1/stream-tickets")]
        assert (asked.method, asked.headers["authorization"]) == ("POST", f"Bearer {hub.admin}")
        assert asked.post_data_json == {"stream": "events"}
    finally:
        context.close()


def test_the_page_reconnects_with_a_fresh_ticket_when_the_hub_drops_it(
    browser: Any, hub: WebHub
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    requests: list[Any] = []
    page.on("request", lambda request: requests.append(request))
    dropped: list[str] = []

    def drop_first(route: Any) -> None:
        if not dropped:  # the hub "restarts": the first stream ends at once
            dropped.append(route.request.url)
            route.fulfill(status=200, content_type="text/event-stream", body=": connected\n\n")
        else:
            route.continue_()

    page.route(re.compile(r".*/v1/events\?.*"), drop_first)
    # The first ask for a ticket meets a hub not answering: the page tries again.
    page.route("**/v1/stream-tickets", lambda route: route.abort(), times=1)
    try:
        page.goto(f"{hub.url}/#key={hub.admin}")
        page.wait_for_selector('body[data-ready="true"]')
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
        asked = [r.url for r in requests if r.url.endswith("/v1/stream-tickets")]
        first, second = _stream_urls(requests)
        assert len(asked) == 3  # refused at the network, then one per stream
        assert first == dropped[0] and second != first and "ticket=st_" in second
        reply = hub.send("VTICE0900", "DQ.VTICE0900.WA.*AGAIN1.TXTOLN/WDL0000004")
        expect(page.locator(f'.flow[data-id="{reply["id"]}"]')).to_have_count(1)
    finally:
        context.close()


def test_the_page_stops_and_asks_for_a_key_when_its_key_is_revoked(
    browser: Any, hub: WebHub
) -> None:
    engine = hub.runtime.engine
    key = issue_key(engine, admin_scope="*")
    context, page, requests = _live_page(browser, hub, key)
    try:
        page.wait_for_selector('body[data-ready="true"]')
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
        revoke_key(engine, hub.runtime.keys.resolve(key).key_id)
        expect(page.locator("#key-panel")).to_be_visible()
        expect(page.locator("#key-error")).to_have_text("The live view ended: key revoked.")
        expect(page.locator("#live")).to_have_attribute("data-state", "offline")
        assert len(_stream_urls(requests)) == 1  # no retry with a dead key
    finally:
        context.close()


def test_a_likely_relay_is_flagged_on_its_card(page: Any, hub: WebHub) -> None:
    refused = hub.send("VTICE0900", "DQ.VTICE0900.WA.*REL1.TXTOLN/WRELAY00001")
    relay = hub.send("AZ0110000", "DQ.AZ0110000.WA.*REL2.TXTOLN/WRELAY00001")
    other = hub.send("AZ0110000", "DQ.AZ0110000.WA.*REL3.TXTOLN/WRELAY00002")

    badge = _flow(page, relay).locator(".flow-head .badge.relay")
    expect(badge).to_have_count(1)
    expect(badge).to_have_attribute("data-pattern", "287g-relay")
    expect(badge).to_have_text(re.compile(r"may be for ICE: 287\(g\), \d+ min after a refusal"))
    assert refused["id"] in (badge.get_attribute("title") or "")
    expect(_flow(page, other)).to_be_visible()
    expect(_flow(page, other).locator(".badge.relay")).to_have_count(0)
    expect(_flow(page, refused).locator(".badge.relay")).to_have_count(0)
    screenshot(page, "live-flow-relay")


def _lane(row: Any, element: Any) -> int:
    """Which of a row's five lanes (0: agency ... 4: reply) holds `element`."""
    index: int = row.evaluate("(r, e) => [...r.children].indexOf(e)", element.element_handle())
    return index


def test_the_stop_is_drawn_where_the_query_was_refused(page: Any, hub: WebHub) -> None:
    # Washington refuses ICE at its own switch, ACCESS; New York at Nlets.
    at_switch = hub.send("VTICE0900", "DQ.VTICE0900.WA.*STOP1.TXTOLN/WDL0000002")
    at_nlets = hub.send("VTICE0900", "DQ.VTICE0900.NY.*STOP2.TXTOLN/X12345")
    assert at_switch["results"][0]["refused_by"] == "state-switch"

    wa = _flow(page, at_switch).locator('.outcome[data-destination="WA"]')
    expect(wa).to_have_attribute("data-refused-by", "state-switch")
    stop = wa.locator(".step.stop")
    expect(stop).to_have_count(1)
    expect(stop).to_have_attribute("data-stop", "state-switch")
    expect(stop).to_contain_text("stopped at WA's switch")
    expect(stop.locator(".rule")).to_have_text("WAWSP0000")
    assert _lane(wa, stop) == 3  # the state's lane, not the hub's or the policy's
    expect(wa.locator(".step").nth(4)).to_contain_text("ER .02. to VTICE0900 from WAWSP0000")
    # The policy still decided, and is drawn as a denial without the stop.
    expect(wa.locator(".step").nth(2).locator(".rule")).to_have_text("wa-no-ice")
    assert wa.locator(".step").nth(2).evaluate("e => e.dataset.stop") is None

    ny = _flow(page, at_nlets).locator('.outcome[data-destination="NY"]')
    expect(ny).to_have_attribute("data-refused-by", "nlets")
    nlets_stop = ny.locator('.step.stop[data-stop="nlets"]')
    expect(nlets_stop).to_have_count(1)
    assert _lane(ny, nlets_stop) == 2  # the policy lane, as before
    expect(ny).to_contain_text("NY DMV not asked")
    expect(ny).to_contain_text("from NL0000000")
    screenshot(page, "live-flow-stop-at-state-switch")

    # The message's detail names the switch that sent the reply.
    _flow(page, at_switch).click()
    heading = page.locator("#detail h3", has_text="Reply from")
    expect(heading).to_have_text("Reply from WA (ER) — refused at the state's switch, WAWSP0000")
    expect(page.locator("#detail pre.reply")).to_contain_text("REFUSED AT WA STATE SWITCH ACCESS")
