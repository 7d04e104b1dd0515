"""API keys: issued once, stored as a SHA-256 digest, bound to one ORI or to
an admin scope (`*` or a state); they may expire and may be revoked.

`KeyRing` is the hub's view of the `api_keys` table. It caches what the
database said so the hot path is a dictionary lookup, and asks again about
the cached keys, all in one query, every `recheck_seconds`: a key revoked by
another process (`switch keys revoke`) stops working within that time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from switch.audit import chain
from switch.audit.acts import KEY_ISSUE, KEY_REVOKE, Act, Actor, record_all
from switch.audit.crosscheck import key_details, key_state
from switch.db.schema import api_keys
from switch.errors import AuthError, NotFoundError

log = logging.getLogger("switch.access.keys")

PREFIX = "sw_"
# How old a cached answer may be before the database is asked again.
RECHECK_SECONDS = 1.0
# Refused secrets remembered, so a client retrying a bad key costs no query;
# bounded, so a flood of distinct bad keys cannot grow the hub's memory.
REFUSED_CACHE = 4096
# Cached keys asked about in one statement when rechecking.
_RECHECK_BATCH = 500


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


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What `switch keys list` shows of a key: never its secret or digest."""

    id: str
    ori: str | None
    admin_scope: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def status(self, now: datetime | None = None) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or datetime.now(UTC)):
            return "expired"
        return "active"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ori": self.ori,
            "admin_scope": self.admin_scope,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "status": self.status(),
        }


def digest(secret: str) -> str:
    # The secret has 256 bits of entropy, so a plain hash is enough: a slow
    # password hash would buy nothing and cost every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; every time here is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _new_key(
    ori: str | None, admin_scope: str | None, expires_at: datetime | None = None
) -> tuple[str, dict[str, object]]:
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
        "expires_at": _utc(expires_at),
    }
    return secret, row


def _store(conn: Connection, rows: list[dict[str, object]], acts: list[Act]) -> None:
    """Insert keys with the admin acts that issue them, in one transaction."""
    conn.execute(insert(api_keys), rows)
    for row, act in zip(rows, acts, strict=True):
        ori, scope = row["ori"], row["admin_scope"]
        assert ori is None or isinstance(ori, str)
        assert scope is None or isinstance(scope, str)
        act.about(str(row["id"]), key_state(ori, scope))
        act.note(**key_details(row))
    record_all(conn, acts)


def issue_key(
    engine: Engine,
    *,
    ori: str | None = None,
    admin_scope: str | None = None,
    expires_at: datetime | None = None,
    act: Act | None = None,
) -> str:
    """Store a new key and return its secret, which is never stored. The
    issue is an admin act (`act`, or one by this OS user)."""
    secret, row = _new_key(ori, admin_scope, expires_at)
    act = act or Act(Actor.local("switch.access.keys.issue_key"), KEY_ISSUE)
    with chain.transaction(engine) as conn:
        _store(conn, [row], [act])
    return secret


def issue_keys(engine: Engine, oris: list[str], *, by: Actor | None = None) -> list[str]:
    """Agency keys for many ORIs in one transaction, in the order given;
    an admin act each."""
    made = [_new_key(ori, None) for ori in oris]
    if made:
        actor = by or Actor.local("switch.access.keys.issue_keys")
        with chain.transaction(engine) as conn:
            _store(conn, [row for _, row in made], [Act(actor, KEY_ISSUE) for _ in made])
    return [secret for secret, _ in made]


def _info(row: Any) -> KeyInfo:
    created = _utc(row.created_at)
    assert created is not None
    return KeyInfo(
        id=row.id,
        ori=row.ori,
        admin_scope=row.admin_scope,
        created_at=created,
        expires_at=_utc(row.expires_at),
        revoked_at=_utc(row.revoked_at),
    )


_INFO_COLUMNS = (
    api_keys.c.id,
    api_keys.c.ori,
    api_keys.c.admin_scope,
    api_keys.c.created_at,
    api_keys.c.expires_at,
    api_keys.c.revoked_at,
)


def list_keys(engine: Engine) -> list[KeyInfo]:
    """Every key, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_INFO_COLUMNS).order_by(api_keys.c.created_at, api_keys.c.id)
        ).all()
    return [_info(row) for row in rows]


def revoke_key(
    engine: Engine, key_id: str, at: datetime | None = None, *, act: Act | None = None
) -> KeyInfo:
    """Revoke a key for good; revoking it again keeps the first time. The
    revocation is an admin act (`act`, or one by this OS user). Raises
    NotFoundError for an id no key has."""
    act = act or Act(Actor.local("switch.access.keys.revoke_key"), KEY_REVOKE)
    with chain.transaction(engine) as conn:
        changed = conn.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=_utc(at) or datetime.now(UTC))
        ).rowcount
        row = conn.execute(select(*_INFO_COLUMNS).where(api_keys.c.id == key_id)).first()
        if row is None:
            raise NotFoundError(f"no key {key_id}")
        key = _info(row)
        act.about(key.id, key_state(key.ori, key.admin_scope))
        act.note(already_revoked=not changed, revoked_at=_when(key.revoked_at))
        act.record(conn)
    return key


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(slots=True)
class _Known:
    identity: Identity
    expires: float | None  # wall-clock seconds; checked on every use


@dataclass(slots=True)
class _Refused:
    identity: Identity | None  # None: no key has this digest
    reason: str
    checked: float  # monotonic seconds


class KeyRing:
    """Resolves bearer secrets to identities, caching what the database said.

    A key issued by another process (`switch keys issue`) is found on first
    use, because a cache miss reads the database. Every `recheck_seconds`
    one query, off the request's path, asks which cached keys are still
    good, so a key revoked elsewhere is refused within about that time at
    the cost of one query a second, however many keys are in use. A key
    that expires is refused from that instant.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        recheck_seconds: float = RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        background: bool = True,
    ) -> None:
        self._engine = engine
        self.recheck_seconds = recheck_seconds
        self._clock = clock
        self._wall = wall
        # In the background the recheck's query never holds up a request;
        # in the foreground (tests) the request that finds it due waits.
        self._background = background
        self._known: dict[str, _Known] = {}
        self._refused: OrderedDict[str, _Refused] = OrderedDict()
        self._lock = threading.Lock()
        self._rechecking = threading.Lock()
        self._checked = clock()
        self.rechecks = 0

    def resolve(self, secret: str | None) -> Identity:
        if not secret:
            raise AuthError("missing bearer key")
        return self.resolve_digest(digest(secret))

    def resolve_digest(self, hashed: str) -> Identity:
        """As `resolve`, for a key known by its digest: an open stream asks
        again about the key it was opened with, and a stream ticket names
        its key so, without either holding the secret."""
        now = self._clock()
        if now - self._checked >= self.recheck_seconds:
            self._start_recheck(now)
        known = self._known.get(hashed)
        if known is not None and (known.expires is None or self._wall() < known.expires):
            return known.identity
        refused = self._refused.get(hashed)
        if refused is not None and now - refused.checked < self.recheck_seconds:
            raise AuthError(refused.reason)
        return self._check(hashed, now)

    def describe(self, secret: str | None) -> tuple[str, str | None]:
        """Who presented `secret`, for the audit of a refusal: the key's
        identity (`id/ORI` or `id/admin:SCOPE`) and ORI when any key has this
        digest, else `unknown:` and a prefix of the digest, or `anonymous`.
        Reads only what `resolve` cached, so it costs no query."""
        if not secret:
            return "anonymous", None
        hashed = digest(secret)
        known = self._known.get(hashed)
        identity = known.identity if known is not None else None
        if identity is None:
            refused = self._refused.get(hashed)
            identity = refused.identity if refused is not None else None
        if identity is None:
            return f"unknown:{hashed[:12]}", None
        return str(identity), identity.ori

    def _start_recheck(self, now: float) -> None:
        if not self._rechecking.acquire(blocking=False):
            return  # one is running; the cached answers stand meanwhile
        self._checked = now
        if self._background:
            threading.Thread(target=self._recheck, name="key-recheck", daemon=True).start()
        else:
            self._recheck()

    def _recheck(self) -> None:
        """Forget cached keys the database no longer holds good; their next
        use reads them again and is refused with the reason."""
        try:
            cached = list(self._known)
            good: set[str] = set()
            with self._engine.connect() as conn:
                for start in range(0, len(cached), _RECHECK_BATCH):
                    batch = cached[start : start + _RECHECK_BATCH]
                    good.update(
                        conn.execute(
                            select(api_keys.c.key_hash).where(
                                api_keys.c.key_hash.in_(batch), api_keys.c.revoked_at.is_(None)
                            )
                        ).scalars()
                    )
            with self._lock:
                for hashed in cached:
                    if hashed not in good:
                        self._known.pop(hashed, None)
            self.rechecks += 1
        except Exception:  # the database is away: keep what it last said, try again later
            log.warning("could not recheck API keys", exc_info=True)
        finally:
            self._rechecking.release()

    def _check(self, hashed: str, now: float) -> Identity:
        identity, reason, expires = self._load(hashed)
        with self._lock:
            if reason is None:
                assert identity is not None
                self._known[hashed] = _Known(identity, expires)
                self._refused.pop(hashed, None)
                return identity
            self._known.pop(hashed, None)
            self._refused[hashed] = _Refused(identity, reason, now)
            self._refused.move_to_end(hashed)
            while len(self._refused) > REFUSED_CACHE:
                self._refused.popitem(last=False)
        raise AuthError(reason)

    def _load(self, hashed: str) -> tuple[Identity | None, str | None, float | None]:
        """(identity, why it is refused or None, expiry as wall-clock seconds)."""
        with self._engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.key_hash == hashed)).first()
        if row is None or not hmac.compare_digest(row.key_hash, hashed):
            return None, "unknown key", None
        identity = Identity(key_id=row.id, ori=row.ori, admin_scope=row.admin_scope)
        if row.revoked_at is not None:
            return identity, "key revoked", None
        expires_at = _utc(row.expires_at)
        expires = expires_at.timestamp() if expires_at is not None else None
        if expires is not None and expires <= self._wall():
            return identity, "key expired", expires
        return identity, None, expires
