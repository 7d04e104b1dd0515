"""`switch audit verify`, `prune`, `checkpoint` and `key`: check the audit
hash chain against signed checkpoints; delete old audit and keep the chain
verifiable; show the latest checkpoint and the audit key."""

from __future__ import annotations

import getpass
import json
import os
from datetime import datetime
from pathlib import Path

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from switch import progress
from switch.audit import signing
from switch.audit.prune import describe, prune
from switch.audit.signed_checkpoints import Checkpoint, CheckpointLog
from switch.audit.signing import AuditKey, PublicKeys
from switch.audit.verify import verify
from switch.cli.common import err_console, fail, open_database
from switch.db.database import migrate
from switch.db.locations import audit_key_path, checkpoint_path
from switch.errors import SwitchError
from switch.settings import Settings

app = typer.Typer(
    help="The audit trail: verify its chain and checkpoints, prune it.",
    no_args_is_help=True,
)

# Exit codes of `verify`: 1 the chain is broken, 2 it could not be checked.
BROKEN, UNCHECKED = 1, 2
# Below this many rows a walk ends before a bar would be worth drawing.
PROGRESS_FROM = 100_000

DbOption = typer.Option(
    None, "--db", "--database", help="Audit database URL (default: SWITCH_DATABASE_URL)."
)
PublicKeyOption = typer.Option(
    None,
    "--public-key",
    help="A PEM file of one or more public audit keys whose signatures are accepted "
    "(repeatable; default: the local audit key, SWITCH_AUDIT_KEY_FILE).",
)


def _settings(db: str | None) -> Settings:
    # The default key and checkpoint files sit beside a SQLite database: --db moves them.
    return Settings(database_url=db) if db else Settings()


def _local_key(settings: Settings) -> AuditKey:
    """The audit key this host signs with, made when there is none yet."""
    try:
        key = signing.load_or_create(audit_key_path(settings))
    except SwitchError as exc:
        fail(exc.message, UNCHECKED)
    if key.created:
        err_console.print(f"made a new audit key {key.id} at {key.path}", highlight=False)
    return key


def _given(files: list[Path]) -> list[Ed25519PublicKey]:
    try:
        return [k for path in files for k in signing.read_public_keys(path)]
    except SwitchError as exc:
        fail(exc.message, UNCHECKED)


def _trusted(settings: Settings, files: list[Path] | None) -> PublicKeys:
    """The public keys given, or the local audit key's when none are (none
    at all when this host has no audit key yet)."""
    if files:
        return PublicKeys(_given(files))
    try:
        path = audit_key_path(settings)
        if not os.path.lexists(path):
            return PublicKeys()
        return signing.load(path).trusted()
    except SwitchError as exc:
        fail(exc.message, UNCHECKED)


def _checkpoints(files: list[Path]) -> list[Checkpoint]:
    found: list[Checkpoint] = []
    for path in files:
        try:
            read = CheckpointLog(path).read()
        except SwitchError as exc:
            fail(exc.message, UNCHECKED)
        if not read:
            fail(f"the checkpoint file {path} holds no checkpoint", UNCHECKED)
        found += read
    return found


def _open(db: str | None) -> Engine:
    url = db or Settings().database_url
    engine = open_database(url, UNCHECKED)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        fail(f"cannot open the audit database {url}: {exc}", UNCHECKED)
    return engine


@app.command("verify")
def verify_(
    db: str | None = DbOption,
    checkpoint_files: list[Path] | None = typer.Option(
        None,
        "--checkpoints",
        help="A file of signed checkpoints (JSON lines) the database must still extend "
        "(repeatable: one per hub).",
    ),
    public_keys: list[Path] | None = PublicKeyOption,
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as one JSON object."),
) -> None:
    """Walk the audit hash chain from its start to its head. Exit 0 when every
    audit record and outcome is intact, every prune anchor is signed by a key
    given and the database extends every checkpoint given; 1 naming the first
    row altered, removed or inserted, anchor unsigned or forged, or checkpoint
    not extended; 2 when the database, a key or a checkpoint file cannot be read."""
    settings = _settings(db)
    keys = _trusted(settings, public_keys)
    checkpoints = _checkpoints(checkpoint_files or [])
    engine = _open(db)
    try:
        with progress.shown("verify", err_console, bar_from=PROGRESS_FROM) as on_progress:
            verdict = verify(engine, on_progress=on_progress, keys=keys, checkpoints=checkpoints)
    except (SwitchError, SQLAlchemyError) as exc:
        fail(f"cannot verify the audit chain: {exc}", UNCHECKED)
    finally:
        engine.dispose()
    finding = verdict.finding
    if as_json:
        summary = {
            "intact": verdict.intact,
            "records": verdict.records,
            "outcomes": verdict.outcomes,
            "start": verdict.start,
            "head": verdict.head,
            "head_hash": verdict.head_hash,
            "checkpoints": verdict.checkpoints,
            "problem": finding.problem if finding else None,
            "where": finding.where if finding else None,
            "checkpoint": finding.checkpoint if finding else None,
            "detail": finding.detail if finding else None,
        }
        typer.echo(json.dumps(summary))
    if finding is not None:
        fail(f"audit chain broken: {finding}", BROKEN)
    if not as_json:
        extends = (
            f"; extends every signed checkpoint ({verdict.checkpoints:,})" if checkpoints else ""
        )
        typer.echo(
            f"chain intact: {verdict.rows:,} records ({verdict.records:,} audit records, "
            f"{verdict.outcomes:,} outcomes), positions {verdict.start:,} to {verdict.head:,}, "
            f"head {verdict.head_hash}{extends}"
        )


def _operator() -> str:
    try:
        return f"cli/{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in this environment
        return "cli"


@app.command("prune", short_help="Delete audit older than a date.")
def prune_(
    before: datetime = typer.Option(
        ...,
        "--before",
        formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
        help="Delete audit older than this date or time (UTC).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Prune even when the date is less than a year ago."
    ),
    public_keys: list[Path] | None = typer.Option(
        None,
        "--public-key",
        help="A PEM file of public audit keys whose earlier anchors are accepted, "
        "besides the local key's (repeatable).",
    ),
    db: str | None = DbOption,
) -> None:
    """Delete audit records and outcomes older than a date (and acknowledged mailbox
    items and finished forwards), leaving an anchor signed with the local audit key
    so `switch audit verify` still passes. Refuses a date less than a year ago
    unless --force, and a chain that does not verify."""
    settings = _settings(db)
    # The database first: a URL that opens nothing must not leave a new key behind.
    engine = _open(db)
    key = _local_key(settings)
    trusted = PublicKeys([key.public, *_given(public_keys)]) if public_keys else None
    try:
        label = "verify before prune"
        with progress.shown(label, err_console, bar_from=PROGRESS_FROM) as on_progress:
            result = prune(
                engine,
                before,
                by=_operator(),
                key=key,
                trusted=trusted,
                force=force,
                on_progress=on_progress,
            )
    except SwitchError as exc:
        fail(exc.message)
    except SQLAlchemyError as exc:
        fail(f"cannot prune the audit database: {exc}")
    finally:
        engine.dispose()
    typer.echo(describe(result))
    if result.mailbox or result.forwards:
        typer.echo(
            f"also deleted {result.mailbox:,} acknowledged mailbox items and "
            f"{result.forwards:,} finished forwards"
        )


@app.command("checkpoint")
def checkpoint_(
    file: Path | None = typer.Option(
        None,
        "--file",
        help="The checkpoint file (default: SWITCH_AUDIT_CHECKPOINT_FILE, or beside the database).",
    ),
    db: str | None = DbOption,
    as_json: bool = typer.Option(
        False, "--json", help="Print it as the JSON line the file holds (to keep elsewhere)."
    ),
) -> None:
    """Print the latest signed checkpoint. It says the chain's position and link
    hash at a time, under the signer's key. Exit 1 when none has been written
    yet, 2 when the file cannot be read."""
    path = file or checkpoint_path(_settings(db))
    try:
        latest = CheckpointLog(path).latest()
    except SwitchError as exc:
        fail(exc.message, UNCHECKED)
    if latest is None:
        fail(f"no checkpoint in {path} yet: a hub writes one as the chain grows, and at stop")
    typer.echo(latest.line() if as_json else f"checkpoint {latest.source}: {latest}")


@app.command("key")
def key_(
    public: bool = typer.Option(
        False, "--public", help="Print the public key (PEM), for verifiers: --public-key FILE."
    ),
    db: str | None = DbOption,
) -> None:
    """Show the audit key's id and file. The key signs checkpoints and prune
    anchors and is made, mode 0600, when there is none yet; --public prints
    its public half."""
    key = _local_key(_settings(db))
    if public:
        typer.echo(key.public_pem(), nl=False)
    else:
        typer.echo(f"audit key {key.id} (Ed25519) at {key.path}")
