"""A replay of a state's recorded traffic against the candidate version the
database holds for it (its exact hash), kept as the evidence a promotion
needs (switch.policy.promotion)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from switch.audit import chain
from switch.audit.acts import Act
from switch.directory import Directory
from switch.impact.evidence import rule_reasons, summarize
from switch.impact.replay import replay_policies
from switch.policy import compile_policy, load_policy_text, promotion


def replay_candidate(
    engine: Engine,
    state: str,
    directory: Directory,
    *,
    act: Act,
    author: str,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Replay [since, until) (since: 90 days before `now` unless given) against
    the state's candidate; the summary, recorded with `act`."""
    since = since if since is not None else promotion.default_since(now)
    act.about(state, state)
    with engine.connect() as conn:
        found = promotion.candidate(conn, state)
    act.note(version=found.version)
    policy = compile_policy(
        load_policy_text(found.text, f"{state}@{found.version}", expected_state=state)
    )
    report = replay_policies(
        engine, {state: policy}, directory, states=[state], since=since, until=until
    )
    summary = summarize(report, state, found.version, rule_reasons(policy))
    with chain.transaction(engine) as conn:
        seq = promotion.record_replay(
            conn, summary, since=since, until=until, author=author, act=act, now=now
        )
    return {**summary, "replay": seq, "audit_id": act.id}
