"""Signed checkpoints of the audit chain, after Certificate Transparency's
signed tree heads: a hub's word, under its audit key, that the chain had
reached `pos` with link hash `hash` at time `at`.

They are kept outside the database in an append-only file, one JSON object
a line:

    {"at":"2026-11-26T12:00:00.000000+00:00","hash":"9f…","key":"5c…","pos":1234,"signature":"…"}

A database that still extends every checkpoint (the same hash at each one's
position, a head at or past it) has lost no row before the latest one and
had none rewritten; `switch.audit.consistency` checks that while verify
walks the chain. The writer that appends them is `switch.audit.checkpoint_writer`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from switch.audit.signing import CHECKPOINT_DOMAIN, AuditKey, PublicKeys
from switch.errors import SwitchError

_FIELDS = ("at", "hash", "key", "pos", "signature")


class CheckpointFileError(SwitchError):
    """A checkpoint file that cannot be read or written, or a line in it
    that is not a checkpoint."""

    http_status = 503
    code = "AUDIT_CHECKPOINTS"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    pos: int
    hash: str
    at: str  # ISO 8601, UTC
    key: str  # the signer's key id
    signature: str
    source: str = ""  # where it was read: `file:line`

    def signed_fields(self) -> dict[str, Any]:
        return {"at": self.at, "hash": self.hash, "pos": self.pos}

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}

    def line(self) -> str:
        return json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"))

    def problem(self, keys: PublicKeys) -> str:
        """Why this checkpoint's signature is not good, or "" when it is."""
        return keys.problem(CHECKPOINT_DOMAIN, self.signed_fields(), self.key, self.signature)

    def __str__(self) -> str:
        return f"position {self.pos:,}, hash {self.hash}, at {self.at}, signed by key {self.key}"


def sign(key: AuditKey, pos: int, digest: str, at: datetime) -> Checkpoint:
    stamp = at.isoformat(timespec="microseconds")
    fields = {"at": stamp, "hash": digest, "pos": pos}
    return Checkpoint(pos, digest, stamp, key.id, key.sign(CHECKPOINT_DOMAIN, fields))


def _parse(text: str, source: str) -> Checkpoint:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise CheckpointFileError(f"{source}: not a JSON object") from None
    if not isinstance(data, dict) or set(data) != set(_FIELDS):
        raise CheckpointFileError(f"{source}: a checkpoint has exactly {', '.join(_FIELDS)}")
    pos = data["pos"]
    if type(pos) is not int or pos < 1:
        raise CheckpointFileError(f"{source}: pos must be a chain position (a whole number >= 1)")
    if not all(isinstance(data[name], str) for name in _FIELDS if name != "pos"):
        raise CheckpointFileError(f"{source}: at, hash, key and signature must be text")
    return Checkpoint(pos, data["hash"], data["at"], data["key"], data["signature"], source)


class CheckpointLog:
    """The append-only checkpoint file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def ensure_writable(self) -> None:
        """Fail now, not at the first checkpoint, if the file cannot be written.
        A line a crash cut short is ended, so the next checkpoint is a line
        of its own (verify names the cut one)."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    os.write(fd, b"\n")
            finally:
                os.close(fd)
        except OSError as exc:
            raise CheckpointFileError(
                f"cannot write the checkpoint file {self.path}: {exc.strerror}"
            ) from None

    def append(self, checkpoint: Checkpoint) -> None:
        """One whole line, appended and made durable before this returns."""
        data = (checkpoint.line() + "\n").encode()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise CheckpointFileError(
                f"cannot write the checkpoint file {self.path}: {exc.strerror}"
            ) from None

    def read(self) -> list[Checkpoint]:
        """Every checkpoint in the file, in file order; a line that is not
        one is an error (blank lines are allowed). A last line cut short by
        a crash mid-write is an error too: nothing in the file is skipped."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CheckpointFileError(f"there is no checkpoint file {self.path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise CheckpointFileError(
                f"cannot read the checkpoint file {self.path}: {reason}"
            ) from None
        return [
            _parse(line, f"{self.path}:{number}")
            for number, line in enumerate(text.split("\n"), 1)
            if line.strip()
        ]

    def latest(self) -> Checkpoint | None:
        """The last checkpoint written, or None when the file has none yet.
        Only the last line is parsed: the file grows for as long as the audit."""
        at, last = 0, b""
        try:
            with self.path.open("rb") as file:
                for number, line in enumerate(file, 1):
                    if line.strip():
                        at, last = number, line
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CheckpointFileError(
                f"cannot read the checkpoint file {self.path}: {exc.strerror}"
            ) from None
        if not last:
            return None
        try:
            text = last.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointFileError(f"{self.path}:{at}: not UTF-8 text") from None
        return _parse(text, f"{self.path}:{at}")
