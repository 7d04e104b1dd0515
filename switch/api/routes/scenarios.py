"""GET /v1/scenarios, POST /v1/scenarios/{name}/run and
GET /v1/scenarios/runs/{id}: the shipped scenarios, played inside this hub
in the background for the trainer's page, by the scenario runner the app
was built with. A presenter's run (`presenter=true`) plays one step per
POST /v1/scenarios/runs/{id}/next; POST .../stop ends any run."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request

from simulators.scenarios import (
    ScenarioError,
    ScenarioRun,
    ScenarioRunner,
    load_scenario,
    shipped_names,
    shipped_scenarios,
)
from switch.api.deps import AdminDep, IdentityDep, NationalAdminDep
from switch.errors import ForbiddenError, NotFoundError

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"])

# Finished runs kept for reading back, oldest dropped first.
KEEP_RUNS = 50


def _runs(request: Request) -> dict[str, ScenarioRun]:
    state = request.app.state
    if not hasattr(state, "scenario_runs"):
        state.scenario_runs = {}
        state.scenario_tasks = {}
    runs: dict[str, ScenarioRun] = state.scenario_runs
    return runs


def _run(request: Request, run_id: str) -> ScenarioRun:
    run = _runs(request).get(run_id)
    if run is None:
        raise NotFoundError(f"no scenario run {run_id}")
    return run


@router.get("", summary="Shipped scenarios")
def list_scenarios(_identity: IdentityDep) -> dict[str, list[dict[str, Any]]]:
    return {
        "scenarios": [
            {
                "name": s.name,
                "title": s.title,
                "description": s.description,
                "steps": len(s.script),
                "script": [step.as_json() for step in s.script],
                "states": s.states,
            }
            for s in shipped_scenarios()
        ]
    }


@router.post("/{name}/run", status_code=202, summary="Play a shipped scenario in this hub")
async def run_scenario(
    name: str,
    request: Request,
    admin: AdminDep,
    pace: float = Query(default=0.8, ge=0, le=10),
    presenter: bool = Query(default=False, description="play a step per POST .../next"),
) -> dict[str, Any]:
    # A run issues keys and warrants and reroutes states: the whole switch's business.
    if admin.admin_scope != "*":
        raise ForbiddenError("only an admin with scope * may run scenarios")
    if name not in shipped_names():
        raise NotFoundError(f"no shipped scenario {name}")
    runner: ScenarioRunner | None = request.app.state.scenario_runner
    if runner is None:
        raise NotFoundError("this hub was started without a scenario runner: it plays none")
    try:
        scenario = load_scenario(name)
    except ScenarioError as exc:
        raise HTTPException(500, str(exc)) from None
    runs = _runs(request)
    busy = [r for r in runs.values() if r.status == "running"]
    if busy and (scenario.states or any(_uses_mocks(r.name) for r in busy)):
        raise HTTPException(409, f"scenario {busy[0].name} is still running ({busy[0].id})")
    run = ScenarioRun.of(scenario, presenter=presenter)
    runs[run.id] = run
    for old in list(runs)[: max(0, len(runs) - KEEP_RUNS)]:
        if runs[old].status != "running":
            del runs[old]
    task = asyncio.create_task(runner.run(scenario, run, pace=pace))
    tasks: dict[str, asyncio.Task[None]] = request.app.state.scenario_tasks
    tasks[run.id] = task
    task.add_done_callback(lambda _: tasks.pop(run.id, None))
    return {
        "id": run.id,
        "name": run.name,
        "status": run.status,
        "url": f"{router.prefix}/runs/{run.id}",
    }


def _uses_mocks(name: str) -> bool:
    return bool(load_scenario(name).states)


@router.get("/runs/{run_id}", summary="A run's progress, narration so far, pass or fail")
def read_run(run_id: str, request: Request, _admin: NationalAdminDep) -> dict[str, Any]:
    result: dict[str, Any] = _run(request, run_id).as_json()
    return result


@router.post("/runs/{run_id}/next", summary="A presenter's run: play its next step")
def next_step(run_id: str, request: Request, _admin: NationalAdminDep) -> dict[str, Any]:
    run = _run(request, run_id)
    if not run.presenter:
        raise HTTPException(
            409, f"run {run_id} plays on its own: it was not started presenter=true"
        )
    if run.status == "running":
        run.release()
    result: dict[str, Any] = run.as_json()
    return result


@router.post("/runs/{run_id}/stop", summary="End a run now (a presenter leaving)")
def stop_run(run_id: str, request: Request, _admin: NationalAdminDep) -> dict[str, Any]:
    run = _run(request, run_id)
    tasks: dict[str, asyncio.Task[None]] = request.app.state.scenario_tasks
    task = tasks.get(run_id)
    if task is not None and run.status == "running":
        task.cancel()
        run.status = "stopped"
    result: dict[str, Any] = run.as_json()
    return result
