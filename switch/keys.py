"""API keys: issued once, stored as a SHA-256 digest, bound to one ORI or to
an admin scope (`*` or a state)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from switch.audit.schema import api_keys
from switch.errors import AuthError

PREFIX = "sw_"


@dataclass(frozen=True, slots=True)
class Identity:
    key_id: str
    ori: str | None = None
    admin_scope: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.admin_scope is not None

    def __str__(self) -> str:
        who = self.ori if self.ori is not None else f"admin:{self.admin_scope}"
        return f"{self.key_id}/{who}"


def digest(secret: str) -> str:
    # The secret has 256 bits of entropy, so a plain hash is enough: a slow
    # password hash would buy nothing and cost every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_key(ori: str | None, admin_scope: str | None) -> tuple[str, dict[str, object]]:
    if (ori is None) == (admin_scope is None):
        raise ValueError("a key is bound to exactly one ORI or one admin scope")
    key_id = secrets.token_hex(6)
    secret = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    row: dict[str, object] = {
        "id": key_id,
        "key_hash": digest(secret),
        "ori": ori,
        "admin_scope": admin_scope,
        "created_at": datetime.now(UTC),
    }
    return secret, row


def issue_key(engine: Engine, *, ori: str | None = None, admin_scope: str | None = None) -> str:
    """Store a new key and return its secret, which is never stored."""
    secret, row = _new_key(ori, admin_scope)
    with engine.begin() as conn:
        conn.execute(insert(api_keys), [row])
    return secret


def issue_keys(engine: Engine, oris: list[str]) -> list[str]:
    """Agency keys for many ORIs in one transaction, in the order given."""
    made = [_new_key(ori, None) for ori in oris]
    if made:
        with engine.begin() as conn:
            conn.execute(insert(api_keys), [row for _, row in made])
    return [secret for secret, _ in made]


class KeyRing:
    """Resolves bearer secrets to identities, caching what the database said.

    A key issued by another process (`switch keys issue`) is found on first
    use, because a cache miss reads the database.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._known: dict[str, Identity] = {}
        self._lock = threading.Lock()

    def resolve(self, secret: str | None) -> Identity:
        if not secret:
            raise AuthError("missing bearer key")
        hashed = digest(secret)
        found = self._known.get(hashed)
        if found is not None:
            return found
        found = self._load(hashed)
        if found is None:
            raise AuthError("unknown or revoked key")
        with self._lock:
            self._known[hashed] = found
        return found

    def _load(self, hashed: str) -> Identity | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(api_keys).where(
                    api_keys.c.key_hash == hashed, api_keys.c.revoked_at.is_(None)
                )
            ).first()
        if row is None or not hmac.compare_digest(row.key_hash, hashed):
            return None
        if row.expires_at is not None and row.expires_at.replace(tzinfo=UTC) <= datetime.now(UTC):
            return None
        return Identity(key_id=row.id, ori=row.ori, admin_scope=row.admin_scope)
