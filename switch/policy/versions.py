"""Every version of every state's policy, kept in `policy_changes`.

A version is a row: its text as given (comments included), its hash (the
`version` every decision names), the parent (the version in force it
replaced or shadows), the author (`key:<id> (<scope>)`, `file:<path in the
folder>`, `cli:<login>`), the time, a comment and the origin (file, put,
rollback, promote). A promotion fills `evidence` (JSON) and `approved_by`.

Status is derived, never stored, so it cannot disagree with the rows: the
newest row of a state that is not a candidate is `in force`, the newest
candidate row is `candidate` until a promotion after it makes it
`promoted` (the state then has no candidate until the next is proposed),
every older row is `superseded`. A hash can
name several rows (a rollback repeats an old text); it is looked up as the
newest of them.

INVARIANT: a row is inserted only by `record`, with its admin act in the
same transaction (switch.audit.crosscheck folds those acts).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select
from sqlalchemy import text as sql_text

from switch.audit.acts import Act, login
from switch.audit.crosscheck import policy_details
from switch.db.schema import policy_changes
from switch.errors import NotFoundError
from switch.policy.compiler import CompiledPolicy

FILE, PUT, ROLLBACK, PROMOTE = "file", "put", "rollback", "promote"
ORIGINS = (FILE, PUT, ROLLBACK, PROMOTE)
IN_FORCE, CANDIDATE, PROMOTED, SUPERSEDED = "in force", "candidate", "promoted", "superseded"

MAX_PAGE = 200
_COMMENT_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class Version:
    seq: int
    state: str
    candidate: bool
    version: str
    parent: str | None
    author: str | None
    changed_at: datetime
    comment: str | None
    origin: str
    status: str
    text: str
    evidence: Any = None
    approved_by: str | None = None

    def as_dict(self, *, text: bool = True) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "seq": self.seq,
            "state": self.state,
            "version": self.version,
            "parent": self.parent,
            "author": self.author,
            "time": self.changed_at.astimezone(UTC).isoformat(),
            "comment": self.comment,
            "origin": self.origin,
            "status": self.status,
            "candidate": self.candidate,
            "evidence": self.evidence,
            "approved_by": self.approved_by,
        }
        if text:
            shown["text"] = self.text
        return shown


def key_author(key_id: str, scope: str | None) -> str:
    """An admin key as an author: its id and scope (`key:k1 (WA)`)."""
    return f"key:{key_id} ({scope})"


def file_author(path: str) -> str:
    return f"file:{path}"


def local_author() -> str:
    """Someone working on the database directly, as this OS user."""
    return f"cli:{login()}"


def normal_hash(text: str) -> str:
    """A version as typed: `sha256:…`, or its hex alone."""
    text = text.strip().lower()
    return text if text.startswith("sha256:") else f"sha256:{text}"


def lock(conn: Connection) -> None:
    """Before reading what a new row depends on (its parent, a file's last
    version): one writer at a time on PostgreSQL. SQLite serialises writers."""
    if conn.dialect.name == "postgresql":
        # INVARIANT: changes commit in seq order, so a hub that has read up
        # to seq N never misses a smaller seq committed later.
        conn.execute(sql_text("LOCK TABLE policy_changes IN EXCLUSIVE MODE"))


def record(
    conn: Connection,
    policy: CompiledPolicy,
    *,
    act: Act,
    origin: str,
    author: str,
    candidate: bool = False,
    comment: str | None = None,
    changed_by: str | None = None,
    evidence: Mapping[str, Any] | None = None,
    approved_by: str | None = None,
) -> int:
    """Insert a version and its admin act, in `conn`'s transaction (call
    `lock` first); the new row's seq. The parent is the version in force."""
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r}")
    parent = newest(conn, policy.state, candidate=False)
    seq: int = conn.execute(
        insert(policy_changes)
        .values(
            state=policy.state,
            candidate=int(candidate),
            text=policy.text,
            version=policy.version,
            changed_at=datetime.now(UTC),
            changed_by=changed_by,
            parent=parent.version if parent is not None else None,
            author=author[:160],
            comment=comment[:_COMMENT_LIMIT] if comment else None,
            origin=origin,
            evidence=json.dumps(evidence, sort_keys=True) if evidence is not None else None,
            approved_by=approved_by,
        )
        .returning(policy_changes.c.seq)
    ).scalar_one()
    act.about(policy.state, policy.state)
    act.note(**policy_details(seq, candidate, policy.version, policy.text))
    act.note(origin=origin, author=author, comment=comment)
    act.record(conn)
    return seq


@dataclass(frozen=True, slots=True)
class Heads:
    """A state's newest row in force, newest candidate row and newest
    promotion (seqs): all a row's status depends on."""

    in_force: int | None = None
    candidate: int | None = None
    promoted: int | None = None

    def status(self, seq: int, candidate: bool) -> str:
        if not candidate:
            return IN_FORCE if seq == self.in_force else SUPERSEDED
        if seq != self.candidate:
            return SUPERSEDED
        return PROMOTED if self.promoted is not None and self.promoted > seq else CANDIDATE


def promotions(conn: Connection, state: str | None = None) -> dict[str, int]:
    """Each state's newest promotion (its seq)."""
    c = policy_changes.c
    query = select(c.state, func.max(c.seq)).where(c.origin == PROMOTE, c.candidate == 0)
    if state is not None:
        query = query.where(c.state == state)
    return {s: seq for s, seq in conn.execute(query.group_by(c.state))}


def _heads(conn: Connection, state: str) -> Heads:
    c = policy_changes.c
    rows = conn.execute(
        select(c.candidate, func.max(c.seq)).where(c.state == state).group_by(c.candidate)
    )
    newest = {bool(candidate): seq for candidate, seq in rows}
    promoted = promotions(conn, state).get(state)
    return Heads(newest.get(False), newest.get(True), promoted)


def _version(row: Any, heads: Heads) -> Version:
    candidate = bool(row.candidate)
    status = heads.status(row.seq, candidate)
    return Version(
        seq=row.seq,
        state=row.state,
        candidate=candidate,
        version=row.version,
        parent=row.parent,
        author=row.author or (f"key:{row.changed_by}" if row.changed_by else None),
        changed_at=_aware(row.changed_at),
        comment=row.comment,
        origin=row.origin or PUT,
        status=status,
        text=row.text,
        evidence=json.loads(row.evidence) if row.evidence else None,
        approved_by=row.approved_by,
    )


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def newest(conn: Connection, state: str, *, candidate: bool) -> Version | None:
    """The state's version in force, or its newest candidate row (whose
    status says whether it is still the candidate or was promoted)."""
    c = policy_changes.c
    row = conn.execute(
        select(policy_changes)
        .where(c.state == state, c.candidate == int(candidate))
        .order_by(c.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else _version(row, _heads(conn, state))


def candidate_of(conn: Connection, state: str) -> Version | None:
    """The state's candidate, if it has one not yet promoted."""
    found = newest(conn, state, candidate=True)
    return found if found is not None and found.status == CANDIDATE else None


def last_from(conn: Connection, state: str, *, candidate: bool, author: str) -> Version | None:
    """The newest version one author recorded (a file's last version)."""
    c = policy_changes.c
    row = conn.execute(
        select(policy_changes)
        .where(c.state == state, c.candidate == int(candidate), c.author == author)
        .order_by(c.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else _version(row, _heads(conn, state))


def last_file_texts(conn: Connection) -> dict[tuple[str, bool, str], str]:
    """The text of each file's last version, by (state, candidate, author):
    one read for a whole folder, so unchanged files cost no lock."""
    c = policy_changes.c
    newest = (
        select(func.max(c.seq))
        .where(c.author.like("file:%"))
        .group_by(c.state, c.candidate, c.author)
        .scalar_subquery()
    )
    rows = conn.execute(select(c.state, c.candidate, c.author, c.text).where(c.seq.in_(newest)))
    return {(state, bool(candidate), author): text for state, candidate, author, text in rows}


def history(
    conn: Connection, state: str, *, limit: int = 50, before: int | None = None
) -> list[Version]:
    """A state's versions, newest first; `before` a seq, to page on."""
    c = policy_changes.c
    query = select(policy_changes).where(c.state == state)
    if before is not None:
        query = query.where(c.seq < before)
    rows = conn.execute(query.order_by(c.seq.desc()).limit(max(1, min(limit, MAX_PAGE))))
    heads = _heads(conn, state)
    return [_version(row, heads) for row in rows]


def find(conn: Connection, state: str, version: str) -> Version:
    """The newest row of a state with this hash; NotFoundError, saying so."""
    c = policy_changes.c
    wanted = normal_hash(version)
    row = conn.execute(
        select(policy_changes)
        .where(and_(c.state == state, c.version == wanted))
        .order_by(c.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFoundError(f"no version {version.strip()[:80]} of {state}'s policy")
    return _version(row, _heads(conn, state))


def in_force(conn: Connection) -> list[Version]:
    """Every state's version in force and candidate (not yet promoted), by the database."""
    c = policy_changes.c
    newest_seqs = select(func.max(c.seq)).group_by(c.state, c.candidate).scalar_subquery()
    rows = conn.execute(
        select(policy_changes).where(c.seq.in_(newest_seqs)).order_by(c.state, c.candidate)
    ).all()
    promoted = promotions(conn)
    found = []
    for row in rows:
        promotion = promoted.get(row.state)
        heads = Heads(row.seq, row.seq, promotion) if row.candidate else Heads(in_force=row.seq)
        version = _version(row, heads)
        if version.status != PROMOTED:  # a promoted candidate is no one's candidate now
            found.append(version)
    return found
