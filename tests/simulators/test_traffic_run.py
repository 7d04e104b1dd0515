"""`switch sim traffic` for real: a hub, HTTP, the summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from simulators.dmv import StateDMV
from simulators.harness.traffic_hubs import HubSetupError, load_keys, local_hub
from switch.cli.sim_traffic import traffic
from switch.client import SwitchClient, SwitchClientError

# Mounted as `switch sim traffic` is: a `sim` group holding the verb.
sim = typer.Typer()
sim.command("traffic")(traffic)


@sim.callback()
def group() -> None:
    """switch sim"""


runner = CliRunner()


def test_a_short_run_through_a_hub_in_this_process() -> None:
    args = "traffic --profile letter-2025 --rate 50 --duration 2 --same-process --json --seed 3"
    result = runner.invoke(sim, args.split())
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["planned"], summary["sent"], summary["dropped"]) == (100, 100, 0)
    assert (summary["answered"], summary["errors"]) == (100, 0)
    assert summary["outcomes"] == {"200": 100}
    assert sum(summary["results"].values()) >= 100
    components = set(summary["decisions"])
    assert {"ICE-ERO", "ICE-HSI", "CBP"} <= components
    assert summary["latency_ms"]["p50"] > 0
    assert "sent 100/100" in result.stderr  # the live line's last word


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--keys", "keys.json"], "go with --hub"),
        (["--db", "sqlite:///x.db"], "go with --hub"),
        (["--hub", "http://127.0.0.1:9"], "needs its agency keys"),
        (["--hub", "http://127.0.0.1:9", "--keys", "k", "--db", "d"], "needs its agency keys"),
        (["--profile", "rush-hour"], "no profile 'rush-hour'"),
        (["--arrivals", "bursty"], "arrivals must be one of"),
    ],
)
def test_bad_options_fail_with_the_reason(args: list[str], reason: str) -> None:
    result = runner.invoke(sim, ["traffic", *args])
    assert result.exit_code == 1
    assert reason in " ".join(result.stderr.split())


def test_no_hub_at_the_url_fails_before_sending(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"NY0303000": "sw_x"}))
    result = runner.invoke(sim, ["traffic", "--hub", "http://127.0.0.1:9", "--keys", str(keys)])
    assert result.exit_code == 1
    assert "no hub answering" in " ".join(result.stderr.split())


def test_keys_file_must_map_oris_to_keys(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"ny0303000": "sw_a"}))
    assert load_keys(good) == {"NY0303000": "sw_a"}
    for text in ('["sw_a"]', '{"NY0303000": 1}', "{not json"):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        with pytest.raises(HubSetupError):
            load_keys(bad)
    with pytest.raises(HubSetupError):
        load_keys(tmp_path / "missing.json")


def test_the_default_hub_runs_in_a_child_process_and_goes_away() -> None:
    oln = StateDMV("TX").driver(9)["OLN"]
    with local_hub(["NY0303000"]) as (url, keys), SwitchClient(url, keys["NY0303000"]) as ny:
        [result] = ny.send(f"DQ.NY0303000.TX.TXTOLN/{oln}").results
        assert result.response is not None and result.response.fields["OLN"] == oln
    with SwitchClient(url, "", timeout=2) as gone, pytest.raises(SwitchClientError) as caught:
        gone.health()
    assert caught.value.status_code is None
