"""The trainer's page on one of two hubs sharing a PostgreSQL database shows
the messages sent through the other, each card naming the hub it went
through (a real browser, real `switch serve` processes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.utils.hub_pair import HubPair, hub_pair
from tests.utils.polling import until
from tests.web.conftest import screenshot

pytestmark = pytest.mark.postgres

DEADLINE = 20.0


@pytest.fixture(scope="module")
def pair(
    tmp_path_factory: pytest.TempPathFactory, postgres_module_database: str
) -> Iterator[HubPair]:
    with hub_pair(postgres_module_database, tmp_path_factory.mktemp("hub-names")) as hubs:
        yield hubs


@pytest.fixture
def page_on_a(browser: Any, pair: HubPair) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 960})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.goto(f"{pair.a.url}/#key={pair.keys['*']}")
    opened.wait_for_selector('body[data-ready="true"]')
    opened.wait_for_selector('#live[data-state="live"]')
    try:
        yield opened
    finally:
        context.close()
    assert not errors, errors


def test_the_page_on_one_hub_shows_the_other_hubs_messages_with_its_name(
    page_on_a: Any, pair: HubPair
) -> None:
    def card(message_id: str) -> Any:
        return page_on_a.locator(f'.flow[data-id="{message_id}"]')

    # Hub b carries its flow once it has heard of the page's stream on a.
    def shown_through_b() -> bool:
        message_id = pair.send(pair.b, "NY0303000", "TX")
        return bool(until(lambda: card(message_id).count() == 1, seconds=0.5))

    assert until(shown_through_b, seconds=DEADLINE, interval=0.1)

    through_b = pair.send(pair.b, "VTICE0900", "WA")
    through_a = pair.send(pair.a, "NY0303000", "WA")
    expect(card(through_b).locator(".flow-head .hub")).to_have_text("via hub-b")
    expect(card(through_b).locator(".flow-head .verdict")).to_have_text("✗ DENIED")
    expect(card(through_a).locator(".flow-head .hub")).to_have_text("via hub-a")
    expect(card(through_a)).to_have_count(1)  # its own hub's message, once
    path = screenshot(page_on_a, "two-hubs")
    assert Path(path).stat().st_size > 0
