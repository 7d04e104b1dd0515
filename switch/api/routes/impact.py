"""GET /v1/impact/proxies: queries that may have been made for a refused
federal immigration requester. A state admin sees its own state's only (and
gets it without asking); a national admin any state's, or every state's."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse, JSONResponse

from switch.api.deps import AdminDep, RuntimeDep, require_scope
from switch.impact.proxies import find_proxies
from switch.impact.proxies_input import parse_period, parse_span, parse_state
from switch.impact.proxies_render import render_csv, render_html, report_dict

router = APIRouter(prefix="/v1/impact", tags=["impact"])


@router.get(
    "/proxies",
    summary="Suspected relays: later queries about a person refused to ICE or CBP",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "Each suspected relay with its evidence and score, and totals: "
            "JSON by default, or CSV or a self-contained HTML page.",
            "content": {"text/csv": {}, "text/html": {}},
        }
    },
)
def read_proxies(
    admin: AdminDep,
    runtime: RuntimeDep,
    state: str | None = None,
    since: str | None = None,
    until: str | None = None,
    window: str = "24h",
    format: Literal["json", "csv", "html"] = "json",
) -> Response:
    """`since` and `until` take ISO dates or times, both inclusive; `window`
    how long after a refusal a query counts (`24h`, `90m`, `2d`)."""
    code = parse_state(state)
    if code is None and admin.admin_scope != "*":
        code = parse_state(admin.admin_scope)
    if code is None:
        if admin.admin_scope != "*":
            require_scope(admin, "*")
    else:
        require_scope(admin, code)
    start, end = parse_period(since, until)
    span = parse_span(window)
    report = find_proxies(
        runtime.engine, runtime.directory, state=code, since=start, until=end, window=span
    )
    if format == "json":
        return JSONResponse(report_dict(report))
    if format == "html":
        return HTMLResponse(render_html(report))
    headers = {"Content-Disposition": f'attachment; filename="proxies-{code or "all"}.csv"'}
    return Response(render_csv(report), media_type="text/csv; charset=utf-8", headers=headers)
