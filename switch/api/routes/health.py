"""GET /healthz and GET /metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from switch.api.deps import IdentityDep, RuntimeDep
from switch.metrics import REGISTRY

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness; needs no key")
def healthz(runtime: RuntimeDep) -> dict[str, Any]:
    return {
        "status": "ok",
        "states": len(runtime.destinations),
        "agencies": len(runtime.directory),
        "audit_batches": runtime.writer.batches,
        # False while the built-in DMVs' name indexes are still being built.
        "warm": runtime.warmed.is_set(),
    }


@router.get("/metrics", summary="Prometheus metrics")
def metrics(_identity: IdentityDep) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
