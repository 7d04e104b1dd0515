"""`switch policy propose|approve|promote|settings`, and the replay of a
state's recorded traffic against its candidate: a candidate's way into
force, over HTTP with --hub (an admin key from --key or SWITCH_KEY) or on
the database directly (--db or SWITCH_DATABASE_URL), so the whole loop
runs with no hub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import Engine

from switch.audit import chain
from switch.audit.acts import (
    POLICY_APPROVE,
    POLICY_PROMOTE,
    POLICY_PUT,
    POLICY_REPLAY,
    POLICY_SETTINGS,
    Actor,
    acting,
)
from switch.cli import impact
from switch.cli.common import fail, known_state
from switch.cli.policy_versions import (
    DbOption,
    FormatOption,
    HubOption,
    KeyOption,
    Source,
    _line,
    _refused,
)
from switch.clock import utc_now
from switch.directory import Directory
from switch.errors import SwitchError
from switch.impact.candidate_replay import replay_candidate
from switch.impact.replay_input import parse_window
from switch.policy import PolicyStore, promotion, versions
from switch.policy.sources.database import SharedPolicies
from switch.settings import Settings

CommentOption = typer.Option(None, "--comment", help="Why: kept with the version.")


class Candidates(Source):
    """Where a candidate is proposed, replayed, approved and promoted."""

    def __init__(self, hub: str | None, key: str | None, db: str | None, *, new: bool = False):
        super().__init__(hub, key, db)
        self._new = new  # a proposal may start a database; nothing else may

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.open(existing=not self._new)
        return self._engine

    def _acting(self, via: str, name: str, state: str) -> Any:
        return acting(self.engine, Actor.local(via), name, target=state, state=state)

    def propose(self, state: str, text: str, comment: str | None) -> dict[str, Any]:
        if self.hub:
            params = {"candidate": "true", **({"comment": comment} if comment else {})}
            shown = self.http(
                "PUT", f"/v1/policies/{state}", params=params, content=text.encode("utf-8")
            )
            return self.version(state, shown["candidate"]["version"])
        via = f"switch policy propose {state}"
        with self._acting(via, POLICY_PUT, state) as act:
            act.note(candidate=True, bytes=len(text.encode("utf-8", "surrogatepass")))
            shared = SharedPolicies(self.engine, PolicyStore(None))
            shared.put(
                state,
                text,
                candidate=True,
                act=act,
                author=versions.local_author(),
                comment=comment,
            )
        with self.engine.connect() as conn:
            found = versions.newest(conn, state, candidate=True)
        assert found is not None  # just recorded
        return found.as_dict()

    def replay(self, state: str, since: str | None, until: str | None) -> dict[str, Any]:
        if self.hub:
            params = {k: v for k, v in (("since", since), ("until", until)) if v}
            found: dict[str, Any] = self.http(
                "POST", f"/v1/policies/{state}/candidate/replay", params=params, timeout=600
            )
            return found
        via = f"switch policy replay --state {state} --against-candidate"
        with self._acting(via, POLICY_REPLAY, state) as act:
            start, end = parse_window(since, until)
            return replay_candidate(
                self.engine,
                state,
                Directory.load(Settings().directory),
                act=act,
                author=versions.local_author(),
                now=utc_now(),
                since=start,
                until=end,
            )

    def approve(self, state: str, version: str) -> dict[str, Any]:
        wanted = versions.normal_hash(version)
        if self.hub:
            found: dict[str, Any] = self.http(
                "POST", f"/v1/policies/{state}/versions/{wanted}/approve"
            )
            return found
        via = f"switch policy approve {state} {wanted}"
        with (
            self._acting(via, POLICY_APPROVE, state) as act,
            chain.transaction(self.engine) as conn,
        ):
            versions.lock(conn)
            return promotion.approve(
                conn, state, wanted, approver=versions.local_author(), act=act, now=utc_now()
            )

    def promote(self, state: str, since: str | None, comment: str | None) -> dict[str, Any]:
        if self.hub:
            body = {"since": since, "comment": comment}
            made: dict[str, Any] = self.http("POST", f"/v1/policies/{state}/promote", json=body)
            return made
        with self._acting(f"switch policy promote {state}", POLICY_PROMOTE, state) as act:
            start = parse_window(since, None)[0] if since else None
            shared = SharedPolicies(self.engine, PolicyStore(None))
            return promotion.promote(
                shared,
                state,
                act=act,
                author=versions.local_author(),
                now=utc_now(),
                since=start,
                comment=comment,
            ).as_dict()

    def settings(self, state: str, require_approval: bool | None) -> dict[str, Any]:
        if self.hub:
            path = f"/v1/policies/{state}/settings"
            if require_approval is None:
                shown: dict[str, Any] = self.http("GET", path)
                return shown
            changed: dict[str, Any] = self.http(
                "PUT", path, json={"require_approval": require_approval}
            )
            return changed
        if require_approval is None:
            with self.engine.connect() as conn:
                return {"state": state, "require_approval": promotion.require_approval(conn, state)}
        flag = "--require-approval" if require_approval else "--no-require-approval"
        via = f"switch policy settings {state} {flag}"
        with (
            self._acting(via, POLICY_SETTINGS, state) as act,
            chain.transaction(self.engine) as conn,
        ):
            promotion.set_require_approval(
                conn,
                state,
                require_approval,
                author=versions.local_author(),
                act=act,
                now=utc_now(),
            )
        return {"state": state, "require_approval": require_approval}


def _run(source: Candidates, do: Any) -> Any:
    try:
        return do()
    except SwitchError as exc:
        _refused(exc)
    finally:
        source.close()


def _show(found: dict[str, Any], format_: impact.OutputFormat) -> None:
    if format_ is impact.OutputFormat.json:
        typer.echo(json.dumps(found, indent=1))
    else:
        typer.echo(_line(found))


def propose(
    state: str = typer.Argument(..., help="The state, e.g. WA."),
    file: Path = typer.Argument(..., help="The candidate policy file (<ST>.yaml)."),
    comment: str | None = CommentOption,
    format_: impact.OutputFormat = FormatOption,
    hub: str | None = HubOption,
    key: str | None = KeyOption,
    db: str | None = DbOption,
) -> None:
    """Record FILE as the state's candidate version: decided in shadow mode,
    not enforced, until promoted."""
    state = known_state(state)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {type(exc).__name__}")
    source = Candidates(hub, key, db, new=True)
    _show(_run(source, lambda: source.propose(state, text, comment)), format_)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items()) or "-"


def show_replay(found: dict[str, Any], format_: impact.OutputFormat) -> None:
    if format_ is impact.OutputFormat.json:
        typer.echo(json.dumps(found, indent=1))
        return
    # One fact a line, never wrapped: a reviewer greps them.
    typer.echo(
        f"{found['state']} candidate {found['version']}: {found['records']} recorded "
        f"queries from {found['since'] or 'the first'} to {found['until'] or 'now'}, "
        f"{found['replayed']} replayed"
    )
    for name in ("tightened", "loosened"):
        typer.echo(f"{name}: {found[name]}")
        typer.echo(f"{name} by component: {_counts(found[f'{name}_by_component'])}")
        for reason in found[f"{name}_by_reason"]:
            typer.echo(f"{name} by {reason['rule']}: {reason['count']} ({reason['reason'] or '-'})")
    typer.echo(f"recorded as evidence: replay {found['replay']}, audit record {found['audit_id']}")


def replay_against_candidate(
    states: list[str] | None,
    since: str | None,
    until: str | None,
    format_: impact.OutputFormat,
    hub: str | None,
    key: str | None,
    db: str | None,
) -> None:
    """`switch policy replay --state ST --against-candidate`."""
    if not states or len(states) != 1:
        fail("--against-candidate replays one state: give --state ST once")
    state = known_state(states[0])
    source = Candidates(hub, key, db)
    show_replay(_run(source, lambda: source.replay(state, since, until)), format_)


def approve(
    state: str = typer.Argument(..., help="The state, e.g. WA."),
    version: str = typer.Argument(..., help="The candidate's hash."),
    format_: impact.OutputFormat = FormatOption,
    hub: str | None = HubOption,
    key: str | None = KeyOption,
    db: str | None = DbOption,
) -> None:
    """Approve the state's candidate, as a second admin (not its author)."""
    state = known_state(state)
    source = Candidates(hub, key, db)
    found = _run(source, lambda: source.approve(state, version))
    if format_ is impact.OutputFormat.json:
        typer.echo(json.dumps(found, indent=1))
    else:
        typer.echo(f"{found['state']}\t{found['version']}\tapproved by {found['approved_by']}")


def promote(
    state: str = typer.Argument(..., help="The state, e.g. WA."),
    comment: str | None = CommentOption,
    since: str | None = typer.Option(
        None, "--since", help="The replay must reach back to here (default: 90 days ago)."
    ),
    format_: impact.OutputFormat = FormatOption,
    hub: str | None = HubOption,
    key: str | None = KeyOption,
    db: str | None = DbOption,
) -> None:
    """Put the state's candidate in force, with its replay's evidence; refused
    without a replay against that exact candidate (and an approval, where
    the state requires one)."""
    state = known_state(state)
    source = Candidates(hub, key, db)
    _show(_run(source, lambda: source.promote(state, since, comment)), format_)


def settings(
    state: str = typer.Argument(..., help="The state, e.g. WA."),
    require_approval: bool | None = typer.Option(
        None,
        "--require-approval/--no-require-approval",
        help="Whether a promotion needs a second admin's approval (none: show).",
    ),
    format_: impact.OutputFormat = FormatOption,
    hub: str | None = HubOption,
    key: str | None = KeyOption,
    db: str | None = DbOption,
) -> None:
    """Show or change a state's promotion settings."""
    state = known_state(state)
    source = Candidates(hub, key, db)
    found = _run(source, lambda: source.settings(state, require_approval))
    if format_ is impact.OutputFormat.json:
        typer.echo(json.dumps(found, indent=1))
    else:
        on = "on" if found["require_approval"] else "off"
        typer.echo(f"{found['state']}\trequire_approval {on}")
