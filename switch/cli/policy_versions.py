"""`switch policy history|rollback|export`, and `diff` of two kept versions
(`ST@HASH`): over HTTP with --hub (an admin key from --key or SWITCH_KEY),
or on the database directly (--db or SWITCH_DATABASE_URL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import httpx
import typer
from sqlalchemy import Engine

from switch.audit.acts import POLICY_ROLLBACK, Actor, acting
from switch.cli import impact
from switch.cli.common import fail, known_state, open_database
from switch.db.database import migrate
from switch.errors import SwitchError
from switch.impact.diff import DiffReport, diff_policies
from switch.impact.diff_render import render_diff
from switch.policy import PolicyError, PolicyStore, compile_policy, load_policy_text, versions
from switch.policy.sources.database import SharedPolicies
from switch.settings import Settings, policy_location

HubOption = typer.Option(None, "--hub", help="A running hub's URL; none: the database.")
KeyOption = typer.Option(None, "--key", envvar="SWITCH_KEY", help="Admin key for --hub.")
DbOption = typer.Option(
    None, "--db", envvar="SWITCH_DATABASE_URL", help="The database (default: the settings')."
)
FormatOption = typer.Option(impact.OutputFormat.table, "--format", help="table or json.")


class Source:
    """Where versions are read and changed: a hub over HTTP, or the database."""

    def __init__(self, hub: str | None, key: str | None, db: str | None) -> None:
        self.hub = hub.rstrip("/") if hub else None
        self.key = key
        self.db = db
        self._engine: Engine | None = None
        if self.hub and not key:
            fail("--hub needs an admin key: --key KEY or SWITCH_KEY")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.open(existing=True)
        return self._engine

    def open(self, *, existing: bool) -> Engine:
        """The database, migrated, and told the policy folder a hub here would
        enforce, as a hub's start tells it (each changed file a version). So
        a version proposed, promoted or rolled back here has the folder's as
        its parent, and a hub started later finds its files already recorded
        instead of taking them for new edits that outrank this work."""
        engine = open_database(self.db or Settings().database_url, existing=existing)
        migrate(engine)
        folder = policy_location(Settings()).folder
        if folder is not None:
            SharedPolicies(engine, PolicyStore(folder)).sync_files(
                via="switch policy", catch_up=False
            )
        return engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def http(self, method: str, path: str, **kwargs: Any) -> Any:
        assert self.hub is not None
        timeout = kwargs.pop("timeout", 10)
        try:
            response = httpx.request(
                method,
                self.hub + path,
                headers={"Authorization": f"Bearer {self.key}"},
                timeout=timeout,
                **kwargs,
            )
        except httpx.HTTPError as exc:
            fail(f"cannot reach the hub at {self.hub}: {type(exc).__name__}")
        if response.status_code >= 400:
            fail(f"the hub refused (HTTP {response.status_code}): {_message(response)}")
        return response.json()

    def history(self, state: str, limit: int, before: int | None) -> list[dict[str, Any]]:
        if self.hub:
            params: dict[str, Any] = {"limit": limit}
            if before is not None:
                params["before"] = before
            found: list[dict[str, Any]] = self.http(
                "GET", f"/v1/policies/{state}/versions", params=params
            )["versions"]
            return found
        with self.engine.connect() as conn:
            kept = versions.history(conn, state, limit=limit, before=before)
        return [v.as_dict(text=False) for v in kept]

    def version(self, state: str, version: str) -> dict[str, Any]:
        if self.hub:
            path = f"/v1/policies/{state}/versions/{versions.normal_hash(version)}"
            found: dict[str, Any] = self.http("GET", path)
            return found
        with self.engine.connect() as conn:
            return versions.find(conn, state, version).as_dict()

    def rollback(self, state: str, version: str, comment: str | None) -> dict[str, Any]:
        if self.hub:
            body = {"version": versions.normal_hash(version), "comment": comment}
            made: dict[str, Any] = self.http("POST", f"/v1/policies/{state}/rollback", json=body)
            return made
        engine = self.engine
        via = f"switch policy rollback {state} {version}"
        with acting(engine, Actor.local(via), POLICY_ROLLBACK, target=state, state=state) as act:
            act.note(rollback_to=version[:80], comment=comment)
            shared = SharedPolicies(engine, PolicyStore(None))
            return shared.rollback(
                state, version, act=act, author=versions.local_author(), comment=comment
            ).as_dict()

    def in_force(self) -> list[dict[str, Any]]:
        """Every state's version in force and candidate, with their text."""
        if not self.hub:
            with self.engine.connect() as conn:
                return [v.as_dict() for v in versions.in_force(conn)]
        found: list[dict[str, Any]] = []
        for state, version in sorted(self.http("GET", "/v1/policies").items()):
            found.append(self.version(state, version))
            candidate = self.http("GET", f"/v1/policies/{state}").get("candidate")
            if candidate:
                found.append({**self.version(state, candidate["version"]), "candidate": True})
        return found


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip().splitlines()[0] if response.text.strip() else "no reason"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and "message" in error:
        return str(error["message"])
    return json.dumps(body)


def _refused(exc: SwitchError) -> NoReturn:
    if isinstance(exc, PolicyError):
        impact._refuse(exc)
    fail(exc.message)


def _line(v: dict[str, Any]) -> str:
    # One line a version, never wrapped: scripts cut it by tabs.
    fields = (
        str(v["seq"]),
        v["version"],
        v["status"],
        v["origin"],
        v["time"],
        v["author"] or "-",
        (v["comment"] or "").replace("\n", " "),
    )
    return "\t".join(fields)


def history(
    state: str = typer.Argument(..., help="The state, e.g. WA."),
    limit: int = typer.Option(50, "--limit", min=1, max=versions.MAX_PAGE),
    before: int | None = typer.Option(None, "--before", help="Only versions before this seq."),
    format_: impact.OutputFormat = FormatOption,
    hub: str | None = HubOption,
    key: str | None = KeyOption,
    db: str | None = DbOption,
) -> None:
    """A state's policy versions, newest first: seq, hash, status, origin,
    time, author, comment (tab-separated)."""
    state = known_state(state)
    source = Source(hub, key, db)
    try:
        found = source.history(state, limit, before)
    finally:
        source.close()
    if format_ is impact.OutputFormat.json:
        typer.echo(json.dumps(found, indent=1))
        return
    if not found:
        fail(f"no versions of {state}'s policy recorded")
    for v in found:
        typer.echo(_line(v))


def rollback(
    state: str = typer.Argument(..., help="The state, e.g. WA."),
    version: str = typer.Argument(..., help="The version to put back in force (its hash)."),
    comment: str | None = typer.Option(None, "--comment", help="Why: kept with the version."),
    format_: impact.OutputFormat = FormatOption,
    hub: str | None = HubOption,
    key: str | None = KeyOption,
    db: str | None = DbOption,
) -> None:
    """Put an older version's text in force, as a new version."""
    state = known_state(state)
    source = Source(hub, key, db)
    try:
        made = source.rollback(state, version, comment)
    except SwitchError as exc:
        _refused(exc)
    finally:
        source.close()
    if format_ is impact.OutputFormat.json:
        typer.echo(json.dumps(made, indent=1))
    else:
        typer.echo(_line(made))


def _compiled(source: Source, spec: str) -> tuple[str, Any]:
    state, _, version = spec.partition("@")
    state = known_state(state)
    if not version:
        fail(f"{spec}: expected ST@HASH, e.g. WA@sha256:0f3a…")
    try:
        found = source.version(state, version)
        text = found["text"]
        return state, compile_policy(load_policy_text(text, spec, expected_state=state))
    except SwitchError as exc:
        _refused(exc)


def diff(
    old: str = typer.Argument(..., help="The policy as it is: a file, a folder, or ST@HASH."),
    new: str = typer.Argument(..., help="The policy as proposed: a file, a folder, or ST@HASH."),
    format_: impact.OutputFormat = FormatOption,
    state: str | None = typer.Option(None, "--state", help="Compare only this state."),
    hub: str | None = HubOption,
    key: str | None = KeyOption,
    db: str | None = DbOption,
) -> None:
    """Semantic diff: every request class whose effect, redactions or obligations
    change, loosenings (deny → permit) first. Two files or folders, or two kept
    versions (ST@HASH, from --hub or the database). Exit 0 when it ran."""
    kept = [spec for spec in (old, new) if "@" in spec and not Path(spec).exists()]
    if not kept:
        impact.diff(Path(old), Path(new), format_, state)
        return
    if len(kept) == 1:
        fail("compare two versions (ST@HASH ST@HASH) or two files, not one of each")
    source = Source(hub, key, db)
    try:
        (was_state, was), (now_state, now) = _compiled(source, old), _compiled(source, new)
    finally:
        source.close()
    if was_state != now_state:
        fail(f"{old} and {new} are two states' policies: diff two versions of one state's")
    report = DiffReport([diff_policies(was, now, impact._directory(), was_state)])
    if format_ is impact.OutputFormat.json:
        typer.echo(json.dumps(report.as_dict(), indent=1))
    else:
        impact._show(render_diff(report))


def export(
    to: Path = typer.Option(..., "--to", help="The folder to write <ST>.yaml and candidates/ in."),
    hub: str | None = HubOption,
    key: str | None = KeyOption,
    db: str | None = DbOption,
) -> None:
    """Write the versions in force as <ST>.yaml files, and candidates/<ST>.yaml,
    each file's text as it was given."""
    source = Source(hub, key, db)
    try:
        found = source.in_force()
    finally:
        source.close()
    if not found:
        fail("no policy versions recorded: nothing to export")
    for v in found:
        folder = to / "candidates" if v["candidate"] else to
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{v['state']}.yaml"
        path.write_text(v["text"], encoding="utf-8")
        typer.echo(f"{path}\t{v['version']}")
