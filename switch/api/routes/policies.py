"""The policies in force: read, replace (validated whole), explain."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, SQLAlchemyError

from switch.api.admin_acts import admin_act, state_of
from switch.api.deps import AdminDep, RuntimeDep, require_scope
from switch.api.text import Text
from switch.audit.acts import POLICY_PUT
from switch.audit.crosscheck import text_sha256
from switch.db.schema import audit_outcomes
from switch.directory import JURISDICTIONS
from switch.errors import InvalidFormat, RegistryUnavailable
from switch.messages.subjects import person_keys
from switch.policy.refusals import NO_REFUSALS, Refusals
from switch.policy.requests import probe_request
from switch.policy.store import UnknownState
from switch.policy.versions import key_author

router = APIRouter(prefix="/v1/policies", tags=["policies"])
log = logging.getLogger("switch.api")

MAX_POLICY_BODY = 256 * 1024


class ExplainRequest(BaseModel):
    ori: Text = Field(description="The requesting agency's ORI", examples=["VTICE0900"])
    key: str = Field(default="DQ", pattern="^(DQ|DNQ|RQ|RNQ|KQ|AM)$")
    rsn: str | None = Field(default=None, pattern="^(N|F|V|T|S|H|none)$")
    image: bool = False
    warrant: Text | None = Field(
        default=None,
        description="A warrant id from the court registry, assessed as a message would be",
    )
    fields: dict[Text, Text] = Field(
        default_factory=dict,
        description=(
            "The query's subject fields (OLN, or NAM and DOB): a warrant must name them,"
            " and a subject.refused_to rule looks them up"
        ),
    )
    warrant_level: str | None = Field(
        default=None,
        pattern="^(none|cited|administrative|judicial)$",
        description="Or a warrant level, to ask what-if without a registry entry",
    )


def _disagreements(runtime: Any, state: str) -> dict[str, int]:
    """Recorded decisions where the candidate disagreed, by enforced->candidate."""
    query = (
        select(audit_outcomes.c.decision, audit_outcomes.c.shadow_decision, func.count())
        .where(
            audit_outcomes.c.state == state,
            audit_outcomes.c.shadow_decision.is_not(None),
            audit_outcomes.c.shadow_decision != audit_outcomes.c.decision,
        )
        .group_by(audit_outcomes.c.decision, audit_outcomes.c.shadow_decision)
    )
    with runtime.engine.connect() as conn:
        return {f"{old}->{new}": n for old, new, n in conn.execute(query)}


def _summary(runtime: Any, state: str) -> dict[str, Any]:
    policy = runtime.policies.require(state)
    candidate = runtime.policies.candidate(state)
    shadow: dict[str, Any] | None = None
    if candidate is not None:
        shadow = {
            "version": candidate.version,
            "title": candidate.title,
            "source": candidate.source,
            "disagreements": _disagreements(runtime, state),
        }
    return {
        "state": policy.state,
        "title": policy.title,
        "version": policy.version,
        "combine": policy.combine,
        "default": policy.default.effect,
        "rules": [r.id for r in policy.rules],
        "source": policy.source,
        "text": policy.text,
        "candidate": shadow,
    }


@router.get("", summary="Every state's policy version in force (a state admin: its own)")
def list_policies(admin: AdminDep, runtime: RuntimeDep) -> dict[str, str]:
    versions = runtime.policies.versions()
    if admin.admin_scope == "*":
        return versions
    return {state: v for state, v in versions.items() if state == admin.admin_scope}


@router.get("/{state}", summary="A state's policy in force")
def read_policy(state: str, admin: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    state = state.upper()
    require_scope(admin, state)
    return _summary(runtime, state)


@router.put(
    "/{state}",
    summary="Replace a state's policy (YAML body); refused whole when invalid",
    openapi_extra={
        "requestBody": {"content": {"application/yaml": {"schema": {"type": "string"}}}}
    },
)
async def put_policy(
    state: str,
    request: Request,
    admin: AdminDep,
    runtime: RuntimeDep,
    candidate: bool = Query(
        default=False, description="Put the version in shadow mode instead of in force"
    ),
    comment: str | None = Query(
        default=None,
        max_length=2000,
        description="Why: kept with the version (or the X-Switch-Comment header)",
    ),
) -> dict[str, Any]:
    state = state.upper()
    comment = comment or request.headers.get("x-switch-comment")
    async with admin_act(request, admin, POLICY_PUT, target=state, state=state_of(state)) as act:
        require_scope(admin, state)
        if state not in JURISDICTIONS:
            # Refused before any body is read; the act records the refusal.
            raise UnknownState(state)
        body = await request.body()
        act.note(candidate=candidate, bytes=len(body))
        if len(body) > MAX_POLICY_BODY:
            raise InvalidFormat("policy over 256 KiB")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidFormat("policy is not UTF-8 text") from exc
        act.note(sha256=text_sha256(text))
        # A version in the database only (never the folder): every hub on it enforces it.
        await asyncio.to_thread(
            runtime.shared_policies.put,
            state,
            text,
            candidate=candidate,
            changed_by=admin.key_id,
            act=act,
            author=key_author(admin.key_id, admin.admin_scope),
            comment=comment,
        )
    return _summary(runtime, state)


def _recent_refusals(runtime: RuntimeDep, fields: Mapping[str, str], at: datetime) -> Refusals:
    """What the hub's index holds of the subject, as a message would be told
    (None, and the rule fails closed, when it cannot be read)."""
    hours = runtime.policies.snapshot.memory_hours()
    subjects = person_keys(fields, at.date())
    if hours <= 0 or not subjects:
        return NO_REFUSALS
    try:
        return runtime.refusals.recent(subjects, at, hours)
    except SQLAlchemyError as exc:
        log.warning("recent refusals unavailable: %s", type(exc).__name__)
        return None


@router.post("/{state}/explain", summary="The full decision trace for a request")
def explain_policy(
    state: str, body: ExplainRequest, admin: AdminDep, runtime: RuntimeDep
) -> dict[str, Any]:
    state = state.upper()
    require_scope(admin, state)
    at = datetime.now(UTC)
    level = body.warrant_level or "none"
    assessment = None
    if body.warrant:
        fields = {**body.fields, "WRT": body.warrant}
        try:
            assessment = runtime.warrants.appraise(body.warrant, body.ori.upper(), fields, at)
            level = assessment.level
        except DataError:
            raise  # an id no database can hold (a NUL): the caller's, a 422
        except SQLAlchemyError as exc:
            # A real message is denied then (the policy fails closed); what
            # it would be with the warrant cannot be told, so say that.
            log.warning(
                "court registry unavailable for WRT/%s: %s", body.warrant, type(exc).__name__
            )
            raise RegistryUnavailable(
                "the court registry cannot be asked about the warrant now; try again later"
            ) from None
    request = probe_request(
        runtime.directory,
        state=state,
        ori=body.ori.upper(),
        key=body.key,
        reason=body.rsn,
        image=body.image,
        warrant=level,
        warrant_id=body.warrant,
        fields=body.fields,
        at=at,
        refusals=_recent_refusals(runtime, body.fields, at),
    )
    trace = runtime.policies.explain(request)
    if assessment is not None and body.warrant:
        # As `switch policy explain --warrant-id` shows it: why the warrant counts or not.
        trace["warrant"] = {
            "id": body.warrant.strip().upper(),
            "level": assessment.level,
            "reason": assessment.reason,
        }
    return trace
