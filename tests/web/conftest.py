"""Fixtures for the trainer's view: a real hub on a temporary SQLite
database and its own copy of the policies, and the system's Chromium driven
by Playwright. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from simulators.harness import HubScenarioRunner
from switch.access.keys import issue_key
from switch.api.app import create_app
from switch.app.runtime import Runtime
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.utils.databases import Databases
from tests.utils.hubs import Runtimes

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "web"
# The flags the machine notes ask for: no sandbox as root, and no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AGENCIES = ("VTICE0900", "NY0303000", "NYHSI0200", "AZ0110000")
# What the browser logs when the tests provoke it: a hub without scenarios,
# and a refused policy (HTTP 422 on PUT /v1/policies/ST).
EXPECTED_FAILURES = re.compile(
    r"status of (404|405) .* at \S*/v1/scenarios$|status of 422 .* at \S*/v1/policies/[A-Z]{2}$"
)


def trainer_app(runtime_factory: Callable[[], Runtime]) -> FastAPI:
    return create_app(runtime_factory, scenario_runner=HubScenarioRunner)


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("SWITCH_TEST_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass
class WebHub:
    url: str
    admin: str
    agency: dict[str, str]
    runtime: Runtime
    policies: Path

    def send(self, ori: str, text: str) -> dict[str, Any]:
        reply = httpx.post(
            f"{self.url}/v1/messages",
            content=text,
            headers={"Authorization": f"Bearer {self.agency[ori]}"},
            timeout=30,
        )
        assert reply.status_code in (200, 422), reply.text
        body: dict[str, Any] = reply.json()
        return body

    def admin_get(self, path: str) -> Any:
        reply = httpx.get(
            f"{self.url}{path}", headers={"Authorization": f"Bearer {self.admin}"}, timeout=10
        )
        reply.raise_for_status()
        return reply.json()


def _settings(folder: Path, database_url: str) -> Settings:
    # A copy of the policies: a policy saved through the page must never
    # land in the repository's policies/.
    policies = folder / "policies"
    shutil.copytree(REPO / "policies", policies, ignore=shutil.ignore_patterns("tests"))
    return Settings(database_url=database_url, policies=policies, policy_poll_seconds=0)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases) -> Iterator[WebHub]:
    folder = tmp_path_factory.mktemp("web-hub")
    settings = _settings(folder, audit_databases.url(folder))
    runtimes = Runtimes(settings)

    with running_hub(runtimes, scenario_runner=HubScenarioRunner) as url:
        engine = runtimes.first.engine
        yield WebHub(
            url=url,
            admin=issue_key(engine, admin_scope="*"),
            agency={ori: issue_key(engine, ori=ori) for ori in AGENCIES},
            runtime=runtimes.first,
            policies=settings.policies or Path(),
        )


@pytest.fixture
def client(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[TestClient, Runtime]]:
    """The app in-process, for the routes' own tests."""
    settings = _settings(tmp_path, sqlite_url)
    runtimes = Runtimes(settings)

    with TestClient(trainer_app(runtimes)) as test_client:
        yield test_client, runtimes.first


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: pip install -e '.[dev]'")
    path = chromium_path()
    if path is None:
        pytest.skip(
            "no Chromium on this machine: install Debian's package "
            "(apt-get install -y chromium), as .ci/run does"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


# The screens the trainer's view must work on: a projector's 1024x768 up.
VIEWPORTS = {"1024x768": (1024, 768), "1440x900": (1440, 900)}


@pytest.fixture
def page(browser: Any, hub: WebHub) -> Iterator[Any]:
    """The page opened with the admin key in its address, live and ready;
    fails the test on any script error the page meets."""
    yield from _opened(browser, hub, (1440, 960))


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """Each screen size a test runs at, by name (`1024x768`)."""
    name: str = request.param
    return name


@pytest.fixture
def room(browser: Any, hub: WebHub, viewport: str) -> Iterator[Any]:
    """As `page`, at the screen size `viewport` names."""
    yield from _opened(browser, hub, VIEWPORTS[viewport])


def _opened(browser: Any, hub: WebHub, size: tuple[int, int]) -> Iterator[Any]:
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    opened.on(
        "console",
        lambda msg: (
            errors.append(f"{msg.text} at {msg.location.get('url', '')}")
            if msg.type == "error"
            else None
        ),
    )
    opened.goto(f"{hub.url}/#key={hub.admin}")
    opened.wait_for_selector('body[data-ready="true"]')
    opened.wait_for_selector('#live[data-state="live"]')
    try:
        yield opened
    finally:
        context.close()
    unexpected = [e for e in errors if not EXPECTED_FAILURES.search(e)]
    assert not unexpected, unexpected


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
