"""The simulated court registry: warrants issued to agencies, stored in the
audit database, read back when a message cites one."""

from __future__ import annotations

import builtins
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Engine, Row, insert, select
from sqlalchemy.exc import IntegrityError

from switch.db.schema import audit_outcomes, audit_records, warrants
from switch.directory import JURISDICTIONS, Directory
from switch.errors import InvalidDOB
from switch.messages import dob_date
from switch.messages.fields import FIELD_RULES, MAX_NAME
from switch.warrants._assess import Assessment, appraise_warrant, as_utc
from switch.warrants._model import FORMS, Warrant, WarrantError, WarrantKind, WarrantLevel

MAX_DAYS = 3650
MAX_ISSUER = 128
# Crockford's base 32: no I, L, O or U, so an id read aloud is not misheard.
_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_PREFIX: Mapping[str, str] = {"judicial": "JW", "administrative": "AW"}
_JUDGES = ("A. Reyes", "M. Okafor", "L. Brennan", "S. Nakamura", "R. Delgado", "T. Lindqvist")
_OFFICERS = ("J. Carter", "K. Morales", "D. Whitfield", "P. Novak", "E. Ruiz", "B. Holloway")
_ATTEMPTS = 5


def _new_id(kind: str, year: int) -> str:
    # INVARIANT: ids fit the WRT/ field, [A-Z0-9-]{1,32}.
    tail = "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))
    return f"{_ID_PREFIX[kind]}-{year}-{tail}"


def _default_issuer(kind: str, to: str) -> str:
    if kind == "judicial":
        where = JURISDICTIONS.get(to[:2], "the United States")
        return f"Hon. {secrets.choice(_JUDGES)}, U.S. District Court, {where}"
    return f"SDDO {secrets.choice(_OFFICERS)}, ICE ERO"


def _kind(kind: str) -> WarrantKind:
    folded = kind.strip().lower()
    if folded not in FORMS:
        raise WarrantError(f"kind must be judicial or administrative, not {kind!r}")
    return cast(WarrantKind, folded)


def _form(kind: WarrantKind, form: str | None) -> str:
    allowed = FORMS[kind]
    if form is None:
        return allowed[0]
    for name in allowed:
        if name.lower() == form.strip().lower():
            return name
    raise WarrantError(f"a {kind} warrant's form is one of {', '.join(allowed)}, not {form!r}")


def _recipient(to: str, directory: Directory | None) -> str:
    ori = to.strip().upper()
    if len(ori) != 9 or not ori.isalnum() or not ori.isascii():
        raise WarrantError(f"{to!r} is not an ORI (9 letters or digits)")
    if directory is not None and ori not in directory:
        raise WarrantError(f"ORI {ori} is not in the directory")
    return ori


def _subject(
    oln: str | None, name: str | None, dob: str | None, today: date
) -> tuple[str | None, str | None, date | None]:
    if oln is not None and (name is not None or dob is not None):
        raise WarrantError("a warrant names an OLN or a name and DOB, not both")
    if oln is not None:
        oln = oln.strip().upper()
        if FIELD_RULES["OLN"].pattern.fullmatch(oln) is None:
            raise WarrantError(f"OLN must be {FIELD_RULES['OLN'].shape}")
        return oln, None, None
    if name is None or dob is None:
        raise WarrantError("a warrant names an OLN, or a name with a DOB")
    name = " ".join(name.upper().split()).replace(", ", ",")
    if FIELD_RULES["NAM"].pattern.fullmatch(name) is None or len(name) > MAX_NAME:
        raise WarrantError(f"name must be {FIELD_RULES['NAM'].shape}")
    dob = dob.strip()
    if len(dob) != 8:
        raise WarrantError("DOB must be CCYYMMDD")
    try:
        born = dob_date(dob, today=today)
    except InvalidDOB as err:
        raise WarrantError(err.message) from None
    return None, name, born


def _warrant(row: Row[Any]) -> Warrant:
    dob = row.subject_dob
    return Warrant(
        id=row.id,
        kind=row.kind,
        form=row.form,
        issued_to=row.issued_to,
        issued_by=row.issued_by,
        subject_oln=row.subject_oln,
        subject_name=row.subject_name,
        subject_dob=datetime.strptime(dob, "%Y%m%d").date() if dob else None,
        issued_at=as_utc(row.issued_at),
        expires_at=as_utc(row.expires_at),
    )


def _cited(conn: Connection, state: str, warrant_id: str | None = None) -> set[str]:
    """Warrant ids cited (`WRT/`) in queries that reached `state`: messages
    with an outcome there. The fields are JSON text, read the same way on
    every back end: LIKE narrows the rows, the JSON decides."""
    needle = warrant_id if warrant_id is not None else '"WRT"'
    rows = conn.execute(
        select(audit_records.c.fields)
        .select_from(
            audit_outcomes.join(audit_records, audit_records.c.id == audit_outcomes.c.message_id)
        )
        .where(
            audit_outcomes.c.state == state,
            audit_records.c.fields.contains(needle, autoescape=True),
        )
        .distinct()
    ).scalars()
    cited: set[str] = set()
    for text in rows:
        try:
            value = json.loads(text).get("WRT")
        except (ValueError, AttributeError):
            continue  # not a fields object: it cites nothing
        if isinstance(value, str):
            cited.add(value.strip().upper())
    return cited


class WarrantRegistry:
    """Issues, reads and assesses warrants.

    With a `directory`, `issue` refuses an ORI the directory does not hold;
    without one it checks only that `to` looks like an ORI.
    """

    def __init__(self, engine: Engine, directory: Directory | None = None) -> None:
        self._engine = engine
        self._directory = directory

    def issue(
        self,
        *,
        kind: str,
        to: str,
        oln: str | None = None,
        name: str | None = None,
        dob: str | None = None,
        form: str | None = None,
        days: int = 30,
        issued_by: str | None = None,
        now: datetime | None = None,
    ) -> Warrant:
        """Store a new warrant and return it; WarrantError says what was wrong."""
        checked = _kind(kind)
        chosen_form = _form(checked, form)
        ori = _recipient(to, self._directory)
        issued_at = as_utc(now) if now is not None else datetime.now(UTC)
        subject_oln, subject_name, subject_dob = _subject(oln, name, dob, issued_at.date())
        if not 1 <= days <= MAX_DAYS:
            raise WarrantError(f"days must be 1 to {MAX_DAYS}, not {days}")
        issuer = _default_issuer(checked, ori) if issued_by is None else " ".join(issued_by.split())
        if not issuer or len(issuer) > MAX_ISSUER:
            raise WarrantError(f"issued by must be 1 to {MAX_ISSUER} characters")
        for attempt in range(_ATTEMPTS):
            warrant = Warrant(
                id=_new_id(checked, issued_at.year),
                kind=checked,
                form=chosen_form,
                issued_to=ori,
                issued_by=issuer,
                subject_oln=subject_oln,
                subject_name=subject_name,
                subject_dob=subject_dob,
                issued_at=issued_at,
                expires_at=issued_at + timedelta(days=days),
            )
            row = warrant.as_dict() | {"issued_at": issued_at, "expires_at": warrant.expires_at}
            try:
                with self._engine.begin() as conn:
                    conn.execute(insert(warrants), [row])
            except IntegrityError:
                # Two ids alike in a billion: draw again rather than fail.
                if attempt == _ATTEMPTS - 1:
                    raise
                continue
            return warrant
        raise AssertionError("unreachable")

    def get(self, warrant_id: str, *, cited_in: str | None = None) -> Warrant | None:
        """The warrant, or None; with `cited_in` (a state), None unless a
        query to that state cited it."""
        wanted = warrant_id.strip().upper()
        with self._engine.connect() as conn:
            if cited_in is not None and wanted not in _cited(conn, cited_in, wanted):
                return None
            row = conn.execute(select(warrants).where(warrants.c.id == wanted)).first()
        return None if row is None else _warrant(row)

    def list(
        self, issued_to: str | None = None, *, cited_in: str | None = None
    ) -> builtins.list[Warrant]:
        """Warrants in the order they were issued, all or one ORI's; with
        `cited_in` (a state), only those cited in a query to that state."""
        query = select(warrants).order_by(warrants.c.issued_at, warrants.c.id)
        if issued_to is not None:
            query = query.where(warrants.c.issued_to == issued_to.strip().upper())
        with self._engine.connect() as conn:
            if cited_in is not None:
                query = query.where(warrants.c.id.in_(_cited(conn, cited_in)))
            return [_warrant(row) for row in conn.execute(query)]

    def assess(
        self,
        warrant_id: str | None,
        requester_ori: str,
        fields: Mapping[str, str],
        at: datetime,
    ) -> WarrantLevel:
        """What the cited `WRT/` is worth to this message: one primary-key read."""
        return self.appraise(warrant_id, requester_ori, fields, at).level

    def appraise(
        self,
        warrant_id: str | None,
        requester_ori: str,
        fields: Mapping[str, str],
        at: datetime,
    ) -> Assessment:
        """The level `assess` gives, with the reason a cited warrant counts or not."""
        if warrant_id is None:
            return appraise_warrant(
                None, cited=False, requester_ori=requester_ori, fields=fields, at=at
            )
        return appraise_warrant(
            self.get(warrant_id),
            cited=True,
            warrant_id=warrant_id.strip().upper(),
            requester_ori=requester_ori,
            fields=fields,
            at=at,
        )
