"""Cross-checking the tables outside the chain that decide access against
the admin acts in it (`switch audit verify` runs this after the chain walk).

`api_keys`, `policy_changes` and `notices.sent_at` change only with an admin
act committed in the same transaction (switch.audit.acts). Folding the acts
in chain order gives what each table must hold: each key issued, with a
fingerprint of its id, digest, binding and expiry, and whether it was
revoked; each policy change with its state, version and SHA-256; each notice
marked sent, and when. A row the acts do not account for was changed
outside the switch: a key un-revoked by hand, a policy row slipped in, a
notice marked sent with no act.

A baseline act holds a whole fold: migration 0009 adopts the tables as they
stood (there were no acts before it), and a prune writes one at the chain's
head, folded from the chain, before it deletes the acts it covered. Folding
starts from the newest baseline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from typing import Any

from sqlalchemy import Connection, and_, func, select

from switch.audit.acts import (
    ADMIN,
    BASELINE,
    DONE,
    KEY_ISSUE,
    KEY_REVOKE,
    NOTICES_SENT,
    POLICY_CHANGES,
    Act,
    Actor,
    record_all,
)
from switch.audit.chain import utc_text
from switch.db.schema import api_keys, audit_records, notices, policy_changes

FOLDED = (BASELINE, KEY_ISSUE, KEY_REVOKE, *POLICY_CHANGES, NOTICES_SENT)


@dataclass(frozen=True, slots=True)
class TableFinding:
    """A row of a table outside the chain that its admin acts do not account for."""

    problem: str  # altered | removed | inserted
    table: str
    row: str  # `row ID` or `seq N`
    detail: str

    @property
    def where(self) -> str:
        return f"{self.table} {self.row}"

    @property
    def checkpoint(self) -> str | None:
        return None  # what verify's findings name when a checkpoint is not extended

    def __str__(self) -> str:
        return f"{self.problem} {self.where}: {self.detail}"


# -- what an act records, and the cross-check compares -----------------------


def text_sha256(text: str) -> str:
    return sha256(text.encode()).hexdigest()


def _time(value: datetime | None) -> str:
    return utc_text(value) if value is not None else ""


def key_fingerprint(row: Mapping[Any, Any]) -> str:
    """A key's id, digest, binding and times: what no one may change in place."""
    parts = (
        row["id"],
        row["key_hash"],
        row["ori"] or "",
        row["admin_scope"] or "",
        _time(row["created_at"]),
        _time(row["expires_at"]),
    )
    return text_sha256("\n".join(parts))


def key_state(ori: str | None, admin_scope: str | None) -> str | None:
    """The state whose admins read acts on this key (None: scope `*`)."""
    if ori is not None:
        return ori[:2]
    return admin_scope if admin_scope != "*" else None


def key_details(row: Mapping[Any, Any]) -> dict[str, Any]:
    expires = row["expires_at"]
    return {
        "ori": row["ori"],
        "admin_scope": row["admin_scope"],
        "expires_at": expires.isoformat() if expires is not None else None,
        "fingerprint": key_fingerprint(row),
    }


def policy_details(seq: int, candidate: bool, version: str, text: str) -> dict[str, Any]:
    return {"change": seq, "candidate": candidate, "version": version, "sha256": text_sha256(text)}


def ranges(seqs: Iterable[int]) -> list[list[int]]:
    """Sorted seqs as [first, last] runs: a year of notices marked in a few numbers."""
    runs: list[list[int]] = []
    for seq in sorted(set(seqs)):
        if runs and runs[-1][1] == seq - 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    return runs


def _expand(runs: Iterable[Iterable[int]]) -> Iterator[int]:
    for first, last in runs:
        yield from range(int(first), int(last) + 1)


def notices_details(seqs: Iterable[int], sent_at: datetime) -> dict[str, Any]:
    return {"seqs": ranges(seqs), "sent_at": utc_text(sent_at)}


# -- the fold ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Key:
    fingerprint: str | None  # None: revoked by an act, but issued by none
    revoked: bool
    act: str


@dataclass(frozen=True, slots=True)
class _Change:
    state: str
    candidate: bool
    version: str
    sha256: str
    act: str


@dataclass(slots=True)
class Expected:
    """What the tables must hold, by the admin acts."""

    keys: dict[str, _Key] = field(default_factory=dict)
    changes: dict[int, _Change] = field(default_factory=dict)
    sent: dict[int, tuple[str, str]] = field(default_factory=dict)  # seq -> (sent_at, act)

    def apply(self, act_id: str, name: str, target: str | None, d: dict[str, Any]) -> None:
        if name == BASELINE:
            self.keys = {
                k: _Key(v["fingerprint"], bool(v["revoked"]), act_id) for k, v in d["keys"].items()
            }
            self.changes = {int(seq): _change(v, act_id) for seq, v in d["policy_changes"].items()}
            self.sent = {
                seq: (group["sent_at"], act_id)
                for group in d["notices_sent"]
                for seq in _expand(group["seqs"])
            }
        elif name == KEY_ISSUE and target is not None:
            self.keys[target] = _Key(d["fingerprint"], False, act_id)
        elif name == KEY_REVOKE and target is not None:
            issued = self.keys.get(target)
            self.keys[target] = _Key(issued.fingerprint if issued else None, True, act_id)
        elif name in POLICY_CHANGES:
            self.changes[int(d["change"])] = _change(d, act_id)
        elif name == NOTICES_SENT:
            for seq in _expand(d.get("seqs", [])):
                self.sent[seq] = (d["sent_at"], act_id)

    def as_baseline(self) -> dict[str, Any]:
        by_time: dict[str, list[int]] = {}
        for seq, (sent_at, _) in self.sent.items():
            by_time.setdefault(sent_at, []).append(seq)
        return {
            "keys": {
                k: {"fingerprint": v.fingerprint, "revoked": v.revoked}
                for k, v in sorted(self.keys.items())
            },
            "policy_changes": {
                str(seq): {
                    "state": c.state,
                    "candidate": c.candidate,
                    "version": c.version,
                    "sha256": c.sha256,
                }
                for seq, c in sorted(self.changes.items())
            },
            "notices_sent": [
                {"sent_at": t, "seqs": ranges(seqs)} for t, seqs in sorted(by_time.items())
            ],
        }


def _change(d: Mapping[str, Any], act_id: str) -> _Change:
    return _Change(d["state"], bool(d["candidate"]), d["version"], d["sha256"], act_id)


def fold(conn: Connection) -> Expected:
    """The admin acts from the newest baseline on, in chain order."""
    r = audit_records.c
    done = and_(r.kind == ADMIN, r.outcome == DONE, r.chain_pos.is_not(None))
    start = conn.execute(select(func.max(r.chain_pos)).where(done, r.act == BASELINE)).scalar()
    query = select(r.id, r.act, r.target, r.state, r.detail).where(done, r.act.in_(FOLDED))
    if start is not None:
        query = query.where(r.chain_pos >= start)
    expected = Expected()
    for act_id, name, target, state, detail in conn.execute(query.order_by(r.chain_pos)):
        details = json.loads(detail or "{}")
        if name in POLICY_CHANGES:
            details.setdefault("state", state)
        expected.apply(act_id, name, target, details)
    return expected


# -- the check -------------------------------------------------------------------


def cross_check(conn: Connection) -> TableFinding | None:
    """The first row of api_keys, policy_changes or notices that the admin
    acts do not account for, or None."""
    try:
        expected = fold(conn)
    except (ValueError, KeyError, TypeError) as exc:
        detail = f"an admin act's details cannot be read ({exc!r})"
        return TableFinding("altered", "audit_records", "admin acts", detail)
    return _keys(conn, expected) or _changes(conn, expected) or _sent(conn, expected)


def _keys(conn: Connection, expected: Expected) -> TableFinding | None:
    seen: set[str] = set()
    for row in conn.execute(select(api_keys).order_by(api_keys.c.id)).mappings():
        key_id = row["id"]
        seen.add(key_id)
        found = expected.keys.get(key_id)

        def finding(problem: str, detail: str, key: str = key_id) -> TableFinding:
            return TableFinding(problem, "api_keys", f"row {key}", detail)

        if found is None or found.fingerprint is None:
            detail = "no admin act issued this key: it was written outside the switch"
            return finding("inserted", detail)
        if key_fingerprint(row) != found.fingerprint:
            return finding(
                "altered",
                f"its digest, binding or expiry is not what admin act {found.act} recorded",
            )
        revoked = row["revoked_at"] is not None
        if found.revoked and not revoked:
            return finding(
                "altered",
                f"admin act {found.act} revoked it, but its row is not revoked: "
                "it was un-revoked outside the switch",
            )
        if revoked and not found.revoked:
            return finding("altered", "its row is revoked, but no admin act revoked it")
    for key_id, found in sorted(expected.keys.items()):
        if key_id not in seen and found.fingerprint is not None:
            detail = f"admin act {found.act} issued it, but its row is gone"
            return TableFinding("removed", "api_keys", f"row {key_id}", detail)
    return None


def _changes(conn: Connection, expected: Expected) -> TableFinding | None:
    seen: set[int] = set()
    c = policy_changes.c
    query = select(c.seq, c.state, c.candidate, c.version, c.text).order_by(c.seq)
    for seq, state, candidate, version, text in conn.execute(query):
        seen.add(seq)
        found = expected.changes.get(seq)
        where = f"seq {seq}"
        if found is None:
            detail = (
                f"no admin act put this {state} policy in force: it was written outside the switch"
            )
            return TableFinding("inserted", "policy_changes", where, detail)
        recorded = (found.state, found.candidate, found.version, found.sha256)
        if (state, bool(candidate), version, text_sha256(text)) != recorded:
            detail = f"its state, version or text is not what admin act {found.act} recorded"
            return TableFinding("altered", "policy_changes", where, detail)
    for seq, found in sorted(expected.changes.items()):
        if seq not in seen:
            detail = f"admin act {found.act} put it in force, but its row is gone"
            return TableFinding("removed", "policy_changes", f"seq {seq}", detail)
    return None


def _sent(conn: Connection, expected: Expected) -> TableFinding | None:
    c = notices.c
    rows = conn.execute(select(c.seq, c.sent_at).where(c.sent_at.is_not(None)).order_by(c.seq))
    marked: set[int] = set()
    for seq, sent_at in rows:
        marked.add(seq)
        found = expected.sent.get(seq)
        if found is None:
            detail = "marked sent, but no admin act marked it: it was changed outside the switch"
            return TableFinding("altered", "notices", f"seq {seq}", detail)
        if utc_text(sent_at) != found[0]:
            detail = f"sent_at is {utc_text(sent_at)}; admin act {found[1]} recorded {found[0]}"
            return TableFinding("altered", "notices", f"seq {seq}", detail)
    for seq, (_, act_id) in sorted(expected.sent.items()):
        if seq not in marked:
            exists = conn.execute(select(c.seq).where(c.seq == seq)).first() is not None
            if exists:
                detail = f"admin act {act_id} marked it sent, but its sent_at was cleared"
                return TableFinding("altered", "notices", f"seq {seq}", detail)
            detail = f"admin act {act_id} marked it sent, but its row is gone"
            return TableFinding("removed", "notices", f"seq {seq}", detail)
    return None


# -- baselines --------------------------------------------------------------------


def _baseline(conn: Connection, actor: Actor, expected: Expected) -> None:
    act = Act(actor, BASELINE, target="api_keys, policy_changes, notices.sent_at")
    act.note(**expected.as_baseline())
    record_all(conn, [act])


def carry_forward(conn: Connection, actor: Actor) -> None:
    """Before a prune deletes acts: their fold, as a baseline at the head."""
    expected = fold(conn)
    if expected.keys or expected.changes or expected.sent:
        _baseline(conn, actor, expected)


def adopt(conn: Connection, actor: Actor) -> None:
    """The tables as they stand, as a baseline (migration 0009: no act
    recorded the rows written before it)."""
    expected = Expected()
    k = api_keys.c
    # The columns the tables had at migration 0009, which runs this.
    keys = select(k.id, k.key_hash, k.ori, k.admin_scope, k.created_at, k.expires_at, k.revoked_at)
    for row in conn.execute(keys).mappings():
        fingerprint = key_fingerprint(row)
        expected.keys[row["id"]] = _Key(fingerprint, row["revoked_at"] is not None, "")
    c = policy_changes.c
    for seq, state, candidate, version, text in conn.execute(
        select(c.seq, c.state, c.candidate, c.version, c.text)
    ):
        expected.changes[seq] = _Change(state, bool(candidate), version, text_sha256(text), "")
    n = notices.c
    for seq, sent_at in conn.execute(select(n.seq, n.sent_at).where(n.sent_at.is_not(None))):
        expected.sent[seq] = (utc_text(sent_at), "")
    if expected.keys or expected.changes or expected.sent:
        _baseline(conn, actor, expected)
