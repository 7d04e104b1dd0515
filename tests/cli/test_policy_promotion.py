"""`switch policy propose|replay --against-candidate|approve|promote|settings`
against a running hub and on the database directly: the whole loop, each
refusal one line and exit 1, each step an act in the chain."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from switch.access.keys import issue_key
from switch.app.runtime import Runtime
from switch.cli import app
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_records
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.api.test_policy_promotion import WA_CANDIDATE
from tests.impact.test_replay import write_history

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
runner = CliRunner()


@pytest.fixture(autouse=True)
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["policy", *args])
    return result.exit_code, result.stdout, result.stderr


def _acts(url: str) -> list[tuple[str, str]]:
    engine = open_engine(url)
    r = audit_records.c
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(r.act, r.outcome)
                .where(r.kind == "admin", r.act.like("policy.%"), r.act != "policy.file")
                .order_by(r.chain_pos)
            )
            return [(act, outcome) for act, outcome in rows]
    finally:
        engine.dispose()


def test_the_loop_against_a_hub_with_a_second_key(database_url: str, tmp_path: Path) -> None:
    write_history(database_url).dispose()
    folder = tmp_path / "p"
    folder.mkdir()
    shutil.copy(SHIPPED / "WA.yaml", folder / "WA.yaml")
    candidate = tmp_path / "WA.yaml"
    candidate.write_text(WA_CANDIDATE)
    settings = Settings(database_url=database_url, policies=folder)
    with running_hub(lambda: Runtime(settings)) as url:
        engine = open_engine(database_url)
        alice = ["--hub", url, "--key", issue_key(engine, admin_scope="*")]
        bob = ["--hub", url, "--key", issue_key(engine, admin_scope="WA")]
        engine.dispose()
        code, out, err = _run("settings", "WA", "--require-approval", *bob)
        assert (code, out) == (0, "WA\trequire_approval on\n"), err
        code, out, err = _run("propose", "WA", str(candidate), "--comment", "HSI in", *alice)
        assert code == 0, err
        _, version, status, origin, *_ = out.split("\t")
        assert (status, origin) == ("candidate", "put")

        code, out, err = _run("promote", "WA", "--since", "2025-01-01", *alice)
        assert (code, out) == (1, "")
        assert "no replay of WA's recorded traffic from 2025-01-01" in err

        code, out, err = _run(
            "replay", "--state", "WA", "--against-candidate", "--since", "2025-01-01", *alice
        )
        assert code == 0, err
        lines = out.splitlines()
        assert lines[0].startswith(f"WA candidate {version}: 5 recorded queries from 2025-01-01")
        assert "tightened: 2" in lines and "loosened: 1" in lines
        assert "tightened by wa-no-cbp: 2 (no CBP)" in lines
        assert "tightened by component: CBP 2" in lines

        code, _, err = _run("promote", "WA", "--since", "2025-01-01", *alice)
        assert code == 1 and "WA requires approval" in err
        code, _, err = _run("approve", "WA", version, *alice)
        assert code == 1 and "cannot also approve it" in err
        code, out, err = _run("approve", "WA", version, *bob)
        assert code == 0, err
        code, out, err = _run(
            "promote", "WA", "--since", "2025-01-01", "--comment", "go", "--format", "json", *alice
        )
        assert code == 0, err
        made = json.loads(out)
        assert (made["version"], made["origin"], made["comment"]) == (version, "promote", "go")
        assert made["evidence"]["tightened_by_component"] == {"CBP": 2}
        assert made["approved_by"].endswith("(WA)")
        code, out, err = _run("rollback", "WA", made["parent"], *bob)
        assert code == 0, err
    assert _acts(database_url) == [
        ("policy.settings", "done"),
        ("policy.put", "done"),
        ("policy.promote", "refused"),
        ("policy.replay", "done"),
        ("policy.promote", "refused"),
        ("policy.approve", "refused"),
        ("policy.approve", "done"),
        ("policy.promote", "done"),
        ("policy.rollback", "done"),
    ]


def test_the_loop_on_the_database_and_its_refusals(database_url: str, tmp_path: Path) -> None:
    candidate = tmp_path / "WA.yaml"
    candidate.write_text(WA_CANDIDATE)
    db = ["--db", database_url]
    engine = open_engine(database_url)
    migrate(engine)
    engine.dispose()
    code, _, err = _run("promote", "WA", *db)
    assert code == 1 and "WA has no candidate policy: propose one first" in err
    code, out, err = _run("propose", "WA", str(candidate), *db)
    assert code == 0, err
    version = out.split("\t")[1]
    for args, reason in (
        (["replay", "--against-candidate", *db], "give --state ST once"),
        (["replay", "--state", "WA", "--against-candidate", "--candidate", "x", *db], "not both"),
        (
            ["replay", "--state", "WA", "--against-candidate", "--since", "soon", *db],
            "since 'soon' is not an ISO date",
        ),
        (["approve", "WA", "sha256:00", *db], "sha256:00 is not WA's candidate"),
        (["approve", "WA", version, *db], "cannot also approve it"),
        (["promote", "WA", *db], "no replay of WA's recorded traffic"),
        (["promote", "WA", "--hub", "http://127.0.0.1:9", "--key", "k"], "cannot reach the hub"),
    ):
        code, out, err = _run(*args)
        assert (code, out) == (1, ""), args
        assert reason in err and "Traceback" not in err, (args, err)
    code, out, err = _run("replay", "--state", "WA", "--against-candidate", "--format", "json", *db)
    assert code == 0, err
    assert json.loads(out)["records"] == 0
    code, out, err = _run("promote", "WA", *db)
    assert code == 0, err
    assert out.split("\t")[1:4] == [version, "in force", "promote"]
    code, _, err = _run("promote", "WA", *db)
    assert code == 1 and f"its last, {version}, was promoted; propose the next one" in err
    code, out, _ = _run("settings", "WA", *db)
    assert out == "WA\trequire_approval off\n"
    acts = _acts(database_url)
    assert acts[0] == ("policy.promote", "refused")
    assert ("policy.promote", "done") in acts and acts[-1] == ("policy.promote", "refused")
