"""GET /v1/reports/{ST}: a state's transparency report, for admins whose
scope covers the state."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse, JSONResponse

from switch.api.deps import AdminDep, RuntimeDep, require_scope
from switch.reports import build_report, check_state, parse_period, render

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get(
    "/{state}",
    summary="Who asked for a state's data, and what became of it",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "The report: JSON by default, or CSV or a self-contained HTML page.",
            "content": {"text/csv": {}, "text/html": {}},
        }
    },
)
def read_report(
    admin: AdminDep,
    runtime: RuntimeDep,
    state: str,
    since: str | None = None,
    until: str | None = None,
    format: Literal["json", "csv", "html"] = "json",
) -> Response:
    """`since` and `until` take ISO dates or times, both inclusive (a date
    alone runs to the end of its day); without them, everything recorded."""
    require_scope(admin, state.strip().upper())
    code = check_state(state)
    report = build_report(runtime.engine, runtime.directory, code, parse_period(since, until))
    if format == "json":
        return JSONResponse(report.as_dict())
    text = render(report, format)
    if format == "html":
        return HTMLResponse(text)
    headers = {"Content-Disposition": f'attachment; filename="report-{code}.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
