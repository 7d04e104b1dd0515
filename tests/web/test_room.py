"""The trainer's view for a room, at 1024x768 and 1440x900: warrants and
obligations in words on the cards, the detail in view, readable counts, the
scenario player's steps numbered once, presenter mode by keyboard alone,
and no serious accessibility violation (axe-core). Screenshots in
test-artifacts/web/, named for what they show and the screen size."""

from __future__ import annotations

import itertools
import re
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.web.conftest import WebHub, screenshot

OLN = itertools.count(1)
I200 = "cites I-200 (administrative, signed by an officer)"
COURT_ORDER = "cites a court order (judicial, signed by a judge)"
OBLIGATIONS = "the driver must be told within 3 business days; the release is reported"


def _oln() -> str:
    return f"NYR{next(OLN):07d}"


def _card(page: Any, reply: dict[str, Any]) -> Any:
    return page.locator(f'.flow[data-id="{reply["id"]}"]')


def _inside(page: Any, locator: Any) -> None:
    """The element is wholly inside the viewport."""
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size["width"] + 0.5, (box, size)
    assert box["y"] + box["height"] <= size["height"] + 0.5, (box, size)


def _hops(page: Any) -> Any:
    """Record every hop the presenter's stage shows, from now."""
    page.evaluate(
        """() => {
          window.hops = [];
          const stage = document.querySelector('.pr-stage');
          window.hopWatch?.disconnect();
          window.hopWatch = new MutationObserver(() => window.hops.push(stage.dataset.hop));
          window.hopWatch.observe(stage, { attributes: true, attributeFilter: ['data-hop'] });
        }"""
    )


def test_warrants_and_obligations_on_the_cards(room: Any, hub: WebHub, viewport: str) -> None:
    oln = _oln()
    i200 = hub.runtime.warrants.issue(kind="administrative", form="I-200", to="VTICE0900", oln=oln)
    order = hub.runtime.warrants.issue(kind="judicial", form="court-order", to="VTICE0900", oln=oln)
    refused = hub.send("VTICE0900", f"DQ.VTICE0900.NY.TXTOLN/{oln}.WRT/{i200.id}")
    released = hub.send("VTICE0900", f"DQ.VTICE0900.NY.TXTOLN/{oln}.WRT/{order.id}")

    # The two queries read alike but for the warrant: the cards say which.
    denied, answered = _card(room, refused), _card(room, released)
    expect(denied.locator('[data-lane="agency"]')).to_contain_text(I200)
    expect(answered.locator('[data-lane="agency"]')).to_contain_text(COURT_ORDER)
    expect(denied.locator('[data-lane="agency"] .warrant')).to_have_attribute("data-form", "I-200")
    expect(denied.locator('[data-lane="policy"]')).to_contain_text(
        "wanted a judicial warrant; administrative given"
    )
    expect(answered.locator('[data-lane="policy"]')).to_contain_text(
        "given a judicial warrant, as the rule requires"
    )
    # Obligations in words, never the identifiers.
    expect(answered.locator('[data-lane="reply"]')).to_contain_text(f"then: {OBLIGATIONS}")
    expect(answered).not_to_contain_text("notify_subject")
    # A place on the card for what else it may name (the hub it passed).
    expect(answered.locator('.flow-foot [data-slot="hub"]')).to_have_count(1)
    screenshot(room, f"warrants-on-cards-{viewport}")

    # A click opens the detail in view, at any size; Escape gives the focus back.
    answered.locator('[data-lane="state"]').click()
    detail = room.locator("#detail")
    expect(detail).to_be_visible()
    expect(detail.locator(".warrant-line")).to_contain_text(COURT_ORDER)
    expect(detail.locator('.decision [data-field="obligations"]')).to_have_text(OBLIGATIONS)
    expect(detail.locator('.decision [data-field="warrant wanted"]')).to_have_text("judicial")
    _inside(room, detail)
    expect(detail.locator(".in-words")).to_contain_text(
        "NY permits it by rule ny-immigration-judicial-release"
    )
    screenshot(room, f"detail-in-view-{viewport}")
    room.keyboard.press("Escape")
    expect(detail).to_be_hidden()
    expect(answered).to_be_focused()

    # Why? on the card opens the explanation, in view, from the keyboard.
    denied.locator("button.why").focus()
    room.keyboard.press("Enter")
    expect(room.locator("#detail-why")).to_be_focused()
    expect(detail.locator(".in-words")).to_contain_text(
        "NY refuses it by rule ny-immigration-judicial-only"
    )
    expect(detail.locator(".in-words")).to_contain_text("the warrant is administrative")
    _inside(room, detail)
    room.keyboard.press("Escape")
    expect(denied.locator("button.why")).to_be_focused()


def test_the_map_stays_beside_the_flow_and_its_counts_read_large(
    room: Any, hub: WebHub, viewport: str
) -> None:
    hub.send("VTICE0900", f"DQ.VTICE0900.WA.*MAP1.TXTOLN/{_oln()}")
    hub.send("VTICE0900", f"DQ.VTICE0900.TX.*MAP2.TXTOLN/{_oln()}")
    counts = room.locator('#tiles [data-state="WA"] .counts')
    expect(counts).to_have_text("✓0 ✗1")
    panel = room.locator("#tiles-panel")
    # Beside the flow, on screen, not pushed below it.
    box = panel.bounding_box()
    flows = room.locator(".flow-col").bounding_box()
    assert box is not None and flows is not None
    assert box["x"] >= flows["x"] + flows["width"] - 1, (box, flows)
    assert box["y"] < room.viewport_size["height"] / 2, box
    _inside(room, room.locator('#tiles [data-state="WA"]'))

    def size() -> float:
        value: str = counts.evaluate("e => getComputedStyle(e).fontSize")
        return float(value.removesuffix("px"))

    normal = size()
    assert normal >= 16, normal
    # Each count is whole inside its tile.
    tile = room.locator('#tiles [data-state="WA"]').bounding_box()
    for line in counts.locator("span").all():
        inner = line.bounding_box()
        assert inner is not None and tile is not None
        assert inner["width"] <= tile["width"] + 1, (inner, tile)
    screenshot(room, f"tile-counts-{viewport}")
    room.click("#large-type")
    expect(room.locator("html")).to_have_class("large")
    assert size() > normal, (size(), normal)
    screenshot(room, f"tile-counts-large-type-{viewport}")
    room.click("#large-type")


def test_the_scenario_player_numbers_each_step_once(room: Any, viewport: str) -> None:
    room.click("#tab-scenarios")
    room.fill("#scenario-pace", "0.4")
    room.locator('li[data-scenario="ice-2025"] button.run-scenario').click()
    box = room.locator(".scenario-narration")
    running = box.locator(".script-step.running")
    expect(running).to_have_count(1, timeout=20_000)
    expect(running).to_have_attribute("aria-current", "step")
    number = running.get_attribute("data-step")
    expect(box.locator("h3")).to_contain_text(f"playing step {number} of 9")
    screenshot(room, f"scenario-running-step-{viewport}")
    expect(box.locator("h3")).to_have_attribute("data-status", "passed", timeout=45_000)
    steps = box.locator(".script-step")
    expect(steps).to_have_count(9)
    expect(box.locator(".step-no")).to_have_text([f"Step {n} of 9" for n in range(1, 10)])
    expect(steps.nth(7).locator(".step-title")).to_contain_text(
        "ICE asks New York citing its own I-200"
    )
    # The flow lines sit under their own step.
    expect(steps.nth(7).locator(".step-lines")).to_contain_text("ny-immigration-judicial-only")
    # One numbering only: no list numbers, no numbers of the script's own.
    assert box.locator(".script").evaluate("e => getComputedStyle(e).listStyleType") == "none"
    text = box.inner_text()
    assert not re.search(r"^\s*\d+\.\s", text, flags=re.MULTILINE), text
    expect(box.locator(".script-step.running")).to_have_count(0)
    steps.nth(7).scroll_into_view_if_needed()
    screenshot(room, f"scenario-steps-numbered-{viewport}")


def test_presenter_mode_by_keyboard_alone(room: Any, viewport: str) -> None:
    room.locator("#tab-flow").focus()
    room.keyboard.press("ArrowRight")
    room.keyboard.press("ArrowRight")
    expect(room.locator("#tab-scenarios")).to_be_focused()
    present = room.locator('li[data-scenario="ice-2025"] button.present-scenario')
    present.focus()
    room.keyboard.press("Enter")
    dialog = room.locator("#presenter")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".pr-next")).to_be_focused()
    expect(dialog.locator(".pr-status")).to_contain_text("Ready: 9 steps")
    stage = dialog.locator(".pr-stage")

    # Next is the space bar: step 1 plays, hop by hop, under its narration.
    _hops(room)
    room.keyboard.press(" ")
    expect(stage).to_have_attribute("data-step", "1")
    expect(stage.locator(".flow")).to_contain_text("wa-no-ice")
    expect(dialog.locator(".pr-caption")).to_contain_text(
        "ICE's Law Enforcement Support Center asks Washington"
    )
    expect(stage).to_have_attribute("data-hop", "5")
    expect(stage).not_to_have_attribute("data-playing", "true")
    assert room.evaluate("window.hops") == ["1", "2", "3", "4", "5"]
    expect(dialog.locator(".pr-count")).to_have_text("Step 1 of 9")

    # The right arrow, as a clicker sends it.
    room.keyboard.press("ArrowRight")
    expect(stage).to_have_attribute("data-step", "2")
    expect(stage).to_have_attribute("data-hop", "5")
    room.keyboard.press("ArrowRight")
    expect(stage).to_have_attribute("data-step", "3")
    expect(stage).to_have_attribute("data-hop", "5")
    # Back replays the previous flow, hop by hop, sending nothing.
    _hops(room)
    room.keyboard.press("ArrowLeft")
    expect(stage).to_have_attribute("data-step", "2")
    expect(dialog.locator(".pr-caption")).to_contain_text("ICE keeps sending")
    expect(stage).to_have_attribute("data-hop", "5")
    assert room.evaluate("window.hops")[-5:] == ["1", "2", "3", "4", "5"]
    room.keyboard.press("ArrowRight")
    expect(stage).to_have_attribute("data-step", "3")
    for number in (4, 5, 6, 7, 8):
        expect(stage).to_have_attribute("data-hop", "5")
        room.keyboard.press("ArrowRight")
        expect(stage).to_have_attribute("data-step", str(number))
    expect(stage).to_have_attribute("data-hop", "5")
    expect(stage.locator('[data-lane="agency"]')).to_contain_text(I200)
    expect(dialog.locator(".pr-caption")).to_contain_text(
        "ICE asks New York citing its own I-200, an administrative warrant signed by an officer."
    )
    screenshot(room, f"presenter-step-{viewport}")

    # Why? from the keyboard: the decision in plain words; Escape closes it first.
    why = dialog.locator(".pr-why-button")
    for _ in range(6):
        if why.evaluate("e => e === document.activeElement"):
            break
        room.keyboard.press("Tab")
    expect(why).to_be_focused()
    room.keyboard.press("Enter")
    panel = dialog.locator(".pr-why")
    expect(panel).to_be_visible()
    expect(panel.locator(".in-words")).to_contain_text(
        "NY refuses it by rule ny-immigration-judicial-only"
    )
    # The focus is shown where it is.
    focused = room.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none", focused
    screenshot(room, f"presenter-why-{viewport}")
    room.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(dialog).to_be_visible()
    room.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(present).to_be_focused()


CONTRAST = "color-contrast"  # WCAG AA: failed at any impact


def _serious(page: Any, where: str) -> list[str]:
    results = Axe().run(page)
    found = results.response["violations"]
    bad = [v for v in found if v["impact"] in ("serious", "critical") or v["id"] == CONTRAST]
    return [f"{where}: {v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in bad]


def test_no_serious_accessibility_violation(room: Any, hub: WebHub, viewport: str) -> None:
    oln = _oln()
    order = hub.runtime.warrants.issue(kind="judicial", to="VTICE0900", oln=oln)
    hub.send("VTICE0900", f"DQ.VTICE0900.NY.TXTOLN/{oln}.WRT/{order.id}")
    reply = hub.send("VTICE0900", f"DQ.VTICE0900.WA.*AXE1.TXTOLN/{oln}")
    hub.send("NY0303000", "DQ.NY0303000.WA.*AXE2.TXT")
    expect(_card(room, reply)).to_be_visible()
    problems = _serious(room, "live flow")
    _card(room, reply).click()
    expect(room.locator("#detail .decision")).to_be_visible()
    problems += _serious(room, "detail")
    room.keyboard.press("Escape")
    room.click("#tab-playground")
    expect(room.locator("#pg-result .decision")).to_be_visible()
    problems += _serious(room, "playground")
    room.click("#tab-scenarios")
    room.fill("#scenario-pace", "0")
    room.locator('li[data-scenario="ice-2025"] button.run-scenario').click()
    expect(room.locator(".scenario-narration h3")).to_have_attribute(
        "data-status", "passed", timeout=45_000
    )
    problems += _serious(room, "scenario player")
    room.locator('li[data-scenario="ice-2025"] button.present-scenario').click()
    expect(room.locator("#presenter .pr-status")).to_contain_text("Ready")
    room.keyboard.press(" ")
    expect(room.locator("#presenter .pr-stage")).to_have_attribute("data-hop", "5")
    expect(room.locator("#presenter .pr-stage")).not_to_have_attribute("data-playing", "true")
    problems += _serious(room, "presenter")
    room.locator("#presenter .pr-why-button").click()
    expect(room.locator("#presenter .pr-why .decision")).to_be_visible()
    problems += _serious(room, "presenter's why")
    room.keyboard.press("Escape")
    assert not problems, "\n".join(problems)
