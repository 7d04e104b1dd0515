"""The trainer's view's routes without a browser: the page and its assets
served from the package, offline; GET /v1/stance."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from switch.access.keys import issue_key
from switch.app.runtime import Runtime
from switch.web import STATIC

Client = tuple[TestClient, Runtime]


def _admin(runtime: Runtime, scope: str = "*") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_key(runtime.engine, admin_scope=scope)}"}


def test_the_page_and_every_asset_it_names_are_served_without_a_key(client: Client) -> None:
    test_client, _ = client
    page = test_client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    named = set(re.findall(r'(?:src|href)="/static/([^"]+)"', page.text))
    assert {"app.js", "style.css", "icon.svg"} <= named
    for name in named:
        assert test_client.get(f"/static/{name}").status_code == 200, name
    script = test_client.get("/static/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    # Modules import each other by relative path: each must ship.
    shipped = {p.name for p in STATIC.iterdir()}
    for resource in STATIC.iterdir():
        if resource.name.endswith(".js"):
            imports = re.findall(r'from "\./([^"]+)"', resource.read_text(encoding="utf-8"))
            assert set(imports) <= shipped, resource.name


def test_no_asset_reaches_the_network() -> None:
    for resource in STATIC.iterdir():
        text = resource.read_text(encoding="utf-8")
        # The SVG namespace is a name, not a fetch.
        urls = set(re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s\"')]*", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, (resource.name, urls)


def test_only_plain_files_of_the_static_folder_are_served(client: Client) -> None:
    test_client, _ = client
    for path in (
        "/static/nope.js",
        "/static/..%2Fapi%2Froutes%2Fweb.py",
        "/static/../__init__.py",
        "/static/.hidden.js",
        "/static/app.py",
    ):
        assert test_client.get(path).status_code == 404, path


def test_stance_tells_each_state_open_warrant_only_blocked_or_pending(client: Client) -> None:
    test_client, runtime = client
    reply = test_client.get("/v1/stance", params={"component": "ice-ero"}, headers=_admin(runtime))
    assert reply.status_code == 200
    body = reply.json()
    assert body["requester"] == "ICE-ERO" and body["by"] == "component"
    states = {row["state"]: row for row in body["states"]}
    assert len(states) == 52
    assert states["WA"]["status"] == "warrant-only"
    assert states["WA"]["rules"] == ["wa-no-ice"]
    assert states["MA"]["status"] == "blocked"
    assert states["TX"]["status"] == "open" and states["TX"]["candidate"] is None
    oregon = states["OR"]
    assert oregon["status"] == "open"
    assert oregon["candidate"]["status"] == "warrant-only" and oregon["candidate"]["differs"]

    police = test_client.get("/v1/stance", params={"type": "pd"}, headers=_admin(runtime)).json()
    assert police["requester"] == "PD"
    assert {row["status"] for row in police["states"]} == {"open"}
    assert not any(row["candidate"]["differs"] for row in police["states"] if row["candidate"])


def test_stance_is_for_admins_within_their_scope(client: Client) -> None:
    test_client, runtime = client
    agency = {"Authorization": f"Bearer {issue_key(runtime.engine, ori='NY0303000')}"}
    assert test_client.get("/v1/stance?component=CBP", headers=agency).status_code == 403
    assert test_client.get("/v1/stance?component=CBP").status_code == 401
    scoped = test_client.get("/v1/stance?component=CBP", headers=_admin(runtime, "NY")).json()
    assert [(r["state"], r["status"]) for r in scoped["states"]] == [("NY", "warrant-only")]


def test_stance_needs_one_known_requester_class(client: Client) -> None:
    test_client, runtime = client
    admin = _admin(runtime)
    assert test_client.get("/v1/stance", headers=admin).status_code == 422
    both = test_client.get("/v1/stance?component=CBP&type=PD", headers=admin)
    assert both.status_code == 422
    assert test_client.get("/v1/stance?component=NASA", headers=admin).status_code == 404
    assert test_client.get("/v1/stance?type=FE", headers=admin).status_code == 404
