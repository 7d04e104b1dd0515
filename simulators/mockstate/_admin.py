"""The admin API under /admin: records, faults, journal, reset.

No authentication: a mock state is a test double and binds to 127.0.0.1
unless told otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query
from pydantic import BaseModel

from simulators.mockstate._deps import ServiceDep
from simulators.mockstate._faults import Fault
from simulators.mockstate._journal import JournalEntry, Outcome
from simulators.mockstate._records import RecordSet
from simulators.mockstate._service import PARTS, MockState, Part

router = APIRouter(prefix="/admin", tags=["admin"])

FaultList = Annotated[
    list[Fault],
    Body(
        description="faults in order; latency and jitter add up, the first other fault "
        "that hits decides the reply",
        examples=[
            [{"type": "latency", "params": {"ms": 200}}, {"type": "error", "probability": 0.1}]
        ],
    ),
]


class RecordCounts(BaseModel):
    drivers: int
    vehicles: int


class ResetDone(BaseModel):
    reset: list[Part]


def _counts(service: MockState) -> RecordCounts:
    records = service.records
    return RecordCounts(drivers=len(records.drivers), vehicles=len(records.vehicles))


@router.get("/records", summary="The programmed records")
async def get_records(service: ServiceDep) -> RecordSet:
    return service.records.snapshot()


@router.put("/records", summary="Replace the programmed records")
async def put_records(records: RecordSet, service: ServiceDep) -> RecordCounts:
    service.records.replace(records)
    return _counts(service)


@router.post("/records", summary="Add programmed records")
async def post_records(records: RecordSet, service: ServiceDep) -> RecordCounts:
    service.records.add(records)
    return _counts(service)


@router.delete("/records", summary="Forget the programmed records")
async def delete_records(service: ServiceDep) -> RecordCounts:
    service.records.clear()
    return _counts(service)


@router.get("/faults", summary="The active faults", response_model_exclude_none=True)
async def get_faults(service: ServiceDep) -> list[Fault]:
    return service.faults.faults


@router.put("/faults", summary="Replace the active faults", response_model_exclude_none=True)
async def put_faults(faults: FaultList, service: ServiceDep) -> list[Fault]:
    service.faults.replace(faults)
    return service.faults.faults


@router.post("/faults", summary="Add faults", response_model_exclude_none=True)
async def post_faults(faults: FaultList, service: ServiceDep) -> list[Fault]:
    service.faults.extend(faults)
    return service.faults.faults


@router.delete("/faults", summary="Clear every fault", response_model_exclude_none=True)
async def delete_faults(service: ServiceDep) -> list[Fault]:
    service.faults.replace([])
    return service.faults.faults


@router.delete(
    "/faults/{name}", summary="Clear the faults of one name", response_model_exclude_none=True
)
async def delete_fault(name: str, service: ServiceDep) -> list[Fault]:
    if not service.faults.remove(name):
        raise HTTPException(404, f"no fault named {name!r}")
    return service.faults.faults


@router.get("/journal", summary="What the state received, oldest first")
async def get_journal(
    service: ServiceDep,
    key: str | None = Query(None, description="message key, e.g. DQ"),
    ori: str | None = Query(None, description="requester ORI; a glob such as VTICE* works"),
    since: datetime | None = Query(None, description="received at or after (ISO 8601)"),
    after: int | None = Query(None, ge=0, description="sequence number: entries after it"),
    outcome: Outcome | None = Query(None),
    limit: int | None = Query(None, ge=1, description="keep only the latest N"),
) -> list[JournalEntry]:
    return service.journal.entries(
        key=key, ori=ori, since=since, after=after, outcome=outcome, limit=limit
    )


@router.post("/reset", summary="Clear journal, faults and records (or only some)")
async def post_reset(
    service: ServiceDep,
    only: list[Part] | None = Query(None, description="repeat to clear several; none: all"),
) -> ResetDone:
    return ResetDone(reset=service.reset(only or PARTS))
