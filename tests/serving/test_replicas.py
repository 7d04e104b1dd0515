"""Two hub processes on one PostgreSQL database (the scale-out store) behave
as one switch: a policy put through one decides on the other within a second,
a mailbox item made by one is read once through the other, and the audit
stays whole."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from simulators.dmv import StateDMV
from switch.access.keys import issue_key
from switch.db.database import open_engine
from tests.utils.polling import until
from tests.utils.processes import SWITCH, HubProcess, hub_processes

pytestmark = pytest.mark.postgres

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
OPEN_WA = "state: WA\ntitle: open to all\nrules: []\n"
WA_OLN = StateDMV("WA").driver(3)["OLN"]
# A bound on the wait, not a measurement: the one-second polling is the
# policy watcher's, and a loaded CI machine may take longer to show it.
PROPAGATION_DEADLINE = 15.0


def _policies(folder: Path) -> Path:
    """Each hub its own copy: what they share is the database, not files."""
    folder.mkdir()
    shutil.copy(SHIPPED / "WA.yaml", folder / "WA.yaml")
    return folder


@pytest.fixture(scope="module")
def replicas(
    postgres_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[HubProcess, HubProcess]]:
    """Two hubs started together on an empty database: both migrate it at
    once, and both must come up."""
    folder = tmp_path_factory.mktemp("replicas")
    envs = [{"SWITCH_POLICIES": str(_policies(folder / name))} for name in ("a", "b")]
    with hub_processes(postgres_database, folder, *envs) as [a, b]:
        yield a, b


@pytest.fixture(scope="module")
def keys(replicas: tuple[HubProcess, HubProcess], postgres_database: str) -> dict[str, str]:
    engine = open_engine(postgres_database)
    try:
        return {
            "admin": issue_key(engine, admin_scope="*"),
            "NY0303000": issue_key(engine, ori="NY0303000"),
            "VTICE0900": issue_key(engine, ori="VTICE0900"),
        }
    finally:
        engine.dispose()


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _explain_version(hub: httpx.Client, admin: str) -> str:
    reply = hub.post(
        "/v1/policies/WA/explain", json={"ori": "VTICE0900", "key": "DQ"}, headers=_auth(admin)
    )
    assert reply.status_code == 200, reply.text
    version: str = reply.json()["version"]
    return version


def test_a_policy_put_through_one_hub_decides_on_the_other(
    replicas: tuple[HubProcess, HubProcess], keys: dict[str, str]
) -> None:
    a, b = replicas
    with (
        httpx.Client(base_url=a.url, timeout=10) as hub_a,
        httpx.Client(base_url=b.url, timeout=10) as hub_b,
    ):
        shipped = _explain_version(hub_b, keys["admin"])
        put = hub_a.put("/v1/policies/WA", content=OPEN_WA, headers=_auth(keys["admin"]))
        assert put.status_code == 200, put.text
        put_at = time.monotonic()
        version = put.json()["version"]
        assert version != shipped

        assert until(
            lambda: _explain_version(hub_b, keys["admin"]) == version,
            seconds=PROPAGATION_DEADLINE,
        )
        print(f"policy change in force on the other hub after {time.monotonic() - put_at:.2f} s")

        # A real message through b is decided by the new version.
        reply = hub_b.post(
            "/v1/messages",
            params={"wait": 10},
            content=f"DQ.VTICE0900.WA.TXTOLN/{WA_OLN}",
            headers=_auth(keys["VTICE0900"]),
        )
        assert reply.status_code == 200, reply.text
        [result] = reply.json()["results"]
        assert (result["decision"], result["policy_version"]) == ("permit", version)


def test_a_mailbox_item_made_by_one_hub_is_read_once_through_the_other(
    replicas: tuple[HubProcess, HubProcess], keys: dict[str, str]
) -> None:
    a, b = replicas
    sender = _auth(keys["NY0303000"])
    with (
        httpx.Client(base_url=a.url, timeout=10) as hub_a,
        httpx.Client(base_url=b.url, timeout=10) as hub_b,
    ):
        accepted = hub_a.post(
            "/v1/messages",
            params={"wait": 0},
            content=f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}",
            headers=sender,
        )
        assert accepted.status_code == 202, accepted.text
        message_id = accepted.json()["id"]

        def items() -> list[dict[str, object]]:
            reply = hub_b.get("/v1/mailbox", headers=sender)
            assert reply.status_code == 200, reply.text
            return [i for i in reply.json()["items"] if i["message_id"] == message_id]

        assert until(lambda: bool(items()), seconds=10)
        # The message's record through b says it was routed: a's work is done.
        record = hub_b.get(f"/v1/messages/{message_id}", headers=sender)
        assert record.status_code == 200, record.text
        assert [r["status"] for r in record.json()["results"]] == ["answered"]
        [item] = items()
        assert item["key"] == "DR"


def _has_audit_verify() -> bool:
    from switch.cli import app

    for group in app.registered_groups:
        if group.name == "audit" and group.typer_instance is not None:
            commands = group.typer_instance.registered_commands
            return any(
                c.name == "verify" or getattr(c.callback, "__name__", "") == "verify"
                for c in commands
            )
    return False


@pytest.mark.skipif(not _has_audit_verify(), reason="`switch audit verify` is not in this build")
def test_the_audit_written_by_both_hubs_verifies(
    replicas: tuple[HubProcess, HubProcess], keys: dict[str, str], postgres_database: str
) -> None:
    sender = _auth(keys["NY0303000"])
    for hub in replicas:
        with httpx.Client(base_url=hub.url, timeout=10) as client:
            for wait in (0, 10):
                reply = client.post(
                    "/v1/messages",
                    params={"wait": wait},
                    content=f"DQ.NY0303000.WA.TXTOLN/{WA_OLN}",
                    headers=sender,
                )
                assert reply.status_code in (200, 202), reply.text
    result = subprocess.run(
        [str(SWITCH), "audit", "verify"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": str(SWITCH.parent), "SWITCH_DATABASE_URL": postgres_database},
    )
    assert result.returncode == 0, result.stdout + result.stderr
