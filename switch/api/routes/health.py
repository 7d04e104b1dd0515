"""GET /healthz and GET /metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from switch.api.deps import IdentityDep, RuntimeDep
from switch.destinations.breaker import CircuitBreaker
from switch.metrics import REGISTRY

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness; needs no key")
def healthz(runtime: RuntimeDep) -> dict[str, Any]:
    policies = runtime.policies
    problems, failing_closed = policies.problems(), policies.failing_closed()
    return {
        # Degraded: a policy file is refused. Its state's queries are denied
        # (failing_closed) or its last valid version stays in force.
        "status": "degraded" if problems or failing_closed else "ok",
        "policies": {
            # Which folder won (SWITCH_POLICIES, working directory, package);
            # its path, which a keyless reader has no need of, is in the
            # `switch serve` start-up line.
            "source": runtime.policy_location.origin,
            "in_force": len(policies.versions()),
            "failing_closed": failing_closed,
            "problems": problems,
        },
        "states": len(runtime.destinations),
        "agencies": len(runtime.directory),
        "audit_batches": runtime.writer.batches,
        # False while the built-in DMVs' name indexes are still being built.
        "warm": runtime.warmed.is_set(),
        # States answered for at once while their circuit is open (or being
        # tried again): the hub is healthy with a state down.
        "open_circuits": sorted(
            state
            for state, destination in runtime.destinations.items()
            if isinstance(destination, CircuitBreaker) and destination.status != "closed"
        ),
    }


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(_identity: IdentityDep) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
