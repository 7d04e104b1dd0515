"""POST /v1/policies/{state}/compare: blocking options side by side, each
replayed over the same recorded history, the policy in force first (the
API's `switch policy compare`)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from switch.api.deps import AdminDep, RuntimeDep, require_scope
from switch.directory import JURISDICTIONS
from switch.impact.compare import compare_options
from switch.impact.compare_input import CompareError, Option, no_policy, option_texts
from switch.impact.compare_render import comparison_dict
from switch.impact.replay_input import parse_window
from switch.policy.store import UnknownState
from switch.reports import render_compare_html

router = APIRouter(prefix="/v1/policies", tags=["policies"])

MAX_OPTION_BYTES = 256 * 1024  # as a policy put in force
MAX_OPTIONS = 8
_MOMENT = "ISO date or time (UTC if no zone)"
_DESCRIPTION = (
    "Each option (a policy file's YAML text, the state's) is replayed over the recorded "
    "queries to the state in [since, until], beside the policy in force: immigration queries "
    "still answered (directly, by component, and through the relays `GET /v1/impact/proxies` "
    "suspects), serious-crime cooperation kept and lost, notices and reports owed, the "
    "agencies affected, and the letter's test as numbers. The columns are named `option-1`, "
    "`option-2`, … in the order given. Options may test `subject.refused_to`: such an option "
    "is replayed in arrival order, remembering only its own refusals. An option with a "
    "mistake is refused whole (422), every problem as `option-N:line: reason`. Admin keys "
    "only; a state admin may compare only its own state's options (403). Nothing is changed: "
    "the comparison reads the audit."
)


def _in_force(runtime: RuntimeDep, state: str) -> Option:
    policy = runtime.policies.get(state)
    if policy is None:
        return no_policy(state)
    return Option("in-force", policy.source, policy)


@router.post(
    "/{state}/compare",
    summary="Blocking options side by side, each replayed over the recorded history",
    description=_DESCRIPTION,
    response_class=JSONResponse,
    responses={
        200: {
            "description": "One column per option, the policy in force first: JSON, or a "
            "self-contained HTML page (`format=html`) with the reports' charts.",
            "content": {"text/html": {}},
        },
        403: {"description": "Not an admin key, or another state's admin"},
        422: {"description": "An option refused (`option-N:line: reason`), or a bad window"},
    },
)
async def compare_policies(
    state: str,
    admin: AdminDep,
    runtime: RuntimeDep,
    options: list[str] = Body(
        ...,
        min_length=1,
        max_length=MAX_OPTIONS,
        description="The options' YAML texts, at most 8, each at most 256 KiB",
    ),
    since: str | None = Query(default=None, max_length=40, description=_MOMENT),
    until: str | None = Query(default=None, max_length=40, description=_MOMENT),
    format: Literal["json", "html"] = Query(default="json", description="json or html"),
) -> Response:
    state = state.upper()
    require_scope(admin, state)
    if state not in JURISDICTIONS:
        raise UnknownState(state)
    named: list[tuple[str, str]] = []
    for n, text in enumerate(options, 1):
        # surrogatepass: a lone surrogate (JSON allows `"\ud800"`) is counted
        # here and refused by the policy reader as a bad option, not a 500.
        if len(text.encode("utf-8", "surrogatepass")) > MAX_OPTION_BYTES:
            raise CompareError(f"option-{n}: over 256 KiB")
        named.append((f"option-{n}", text))
    columns = [_in_force(runtime, state), *option_texts(named, state)]
    start, end = parse_window(since, until)
    # A comparison reads every recorded query of the window: never on the loop.
    comparison = await asyncio.to_thread(
        compare_options,
        runtime.engine,
        columns,
        runtime.directory,
        state=state,
        since=start,
        until=end,
    )
    if format == "html":
        return HTMLResponse(render_compare_html(comparison))
    body: dict[str, Any] = comparison_dict(comparison, runtime.directory)
    return JSONResponse(body)
