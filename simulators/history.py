"""A year of audit history shaped like the public figures, written straight
into the audit database at bulk speed.

Nlets carried about 290 million DMV queries in the year before 1 Oct 2025,
292,114 of them from ICE and 605,116 from HSI (SPEC.md). `write_history`
scales that year by `scale` and writes one audit record and one outcome per
query, each decided by the policies given (the ones in force), so replay and
reports can be shown on a million records and more. The same plan and seed
write the same rows.

What is not public is assumed and named here: the other federal components'
volumes, the in-state share, the key and reason mix, the warrant rates.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select

from switch.audit import chain
from switch.audit.verify import ANCHOR_OUTCOME
from switch.db.schema import audit_records
from switch.directory import Directory
from switch.directory.model import Agency
from switch.messages.model import RESPONSE_KEYS, Message
from switch.policy import Facts, PolicyDecider

ANNUAL_QUERIES = 290_000_000
# Public (SPEC.md): ICE (ERO, with the LESC at VTICE0900) and HSI.
# Assumed: the other federal components' yearly queries.
FEDERAL_QUERIES = {
    "ICE-ERO": 292_114,
    "ICE-HSI": 605_116,
    "CBP": 1_150_000,
    "FBI": 2_400_000,
    "USMS": 900_000,
    "DEA": 450_000,
    "ATF": 350_000,
    "USSS": 200_000,
}
REQUIRED = ("ICE-ERO", "ICE-HSI")
LOCAL = "state-local"
LESC = "VTICE0900"
LESC_SHARE = 0.5  # of ICE-ERO's queries: the LESC answers for field officers
IN_STATE = 0.88  # of state and local queries
FEDERAL_OWN_STATE = 0.25  # of a field office's queries: its own state
KEYS = {"DQ": 46, "RQ": 38, "KQ": 6, "DNQ": 6, "RNQ": 4}
REASONS = {"none": 88, "T": 4, "S": 2, "N": 2, "V": 1.5, "F": 1.5, "H": 1}
IMAGE_SHARE = 0.12  # of DQ, DNQ and KQ
# Warrant levels on federal queries; state and local queries cite none.
IMMIGRATION_WARRANTS = {"none": 96.5, "administrative": 2, "judicial": 1, "cited": 0.5}
FEDERAL_WARRANTS = {"none": 98, "judicial": 1.5, "cited": 0.5}
# A US working day seen in UTC, and a quieter weekend.
HOUR_WEIGHTS = (5, 4, 3, 2.5, 2, 2, 2, 2, 2.5, 3, 4, 5, 6, 7, 8, 8.5, 9, 9, 9, 8.5, 8, 7.5, 7, 6)
WEEKDAY_WEIGHTS = (1.0, 1.02, 1.03, 1.02, 1.05, 0.75, 0.6)
# Residents, millions (2020 census, rounded): where queries go and come from.
POPULATION = {
    "AL": 5.0, "AK": 0.73, "AZ": 7.2, "AR": 3.0, "CA": 39.0, "CO": 5.8, "CT": 3.6,
    "DE": 1.0, "DC": 0.68, "FL": 22.6, "GA": 11.0, "HI": 1.4, "ID": 1.9, "IL": 12.5,
    "IN": 6.8, "IA": 3.2, "KS": 2.9, "KY": 4.5, "LA": 4.6, "ME": 1.4, "MD": 6.2,
    "MA": 7.0, "MI": 10.0, "MN": 5.7, "MS": 2.9, "MO": 6.2, "MT": 1.1, "NE": 2.0,
    "NV": 3.2, "NH": 1.4, "NJ": 9.3, "NM": 2.1, "NY": 19.6, "NC": 10.8, "ND": 0.78,
    "OH": 11.8, "OK": 4.0, "OR": 4.2, "PA": 13.0, "PR": 3.2, "RI": 1.1, "SC": 5.4,
    "SD": 0.92, "TN": 7.1, "TX": 30.5, "UT": 3.4, "VT": 0.65, "VA": 8.7, "WA": 7.8,
    "WV": 1.8, "WI": 5.9, "WY": 0.58,
}  # fmt: skip
# Agencies that query DMVs, and how much more the state police does.
LOCAL_TYPE_WEIGHTS = {"SA": 3.0, "PD": 1.0, "SO": 1.0, "CJ": 0.3, "LE": 0.3}

# One wide row per query, staged, then copied into both audit tables by the
# database: the shared values cross from Python once.
STAGE_COLUMNS = (
    ("id", "TEXT"), ("received_at", "TIMESTAMPTZ"), ("sender_ori", "TEXT"),
    ("message_key", "TEXT"), ("message_reason", "TEXT"), ("state", "TEXT"), ("fields", "TEXT"),
    ("latency_ms", "DOUBLE PRECISION"), ("warrant", "TEXT"), ("image", "INTEGER"),
    ("decision", "TEXT"), ("rule", "TEXT"), ("reason", "TEXT"), ("policy_version", "TEXT"),
    ("status", "TEXT"), ("response_key", "TEXT"), ("redacted", "TEXT"), ("obligations", "TEXT"),
    ("flagged", "INTEGER"), ("reported", "INTEGER"), ("shadow_decision", "TEXT"),
    ("shadow_rule", "TEXT"), ("shadow_version", "TEXT"),
)  # fmt: skip
# Each query's two places in the audit chain, added when its batch is linked.
CHAIN_STAGE_COLUMNS = (
    ("record_pos", "BIGINT"), ("record_hash", "TEXT"),
    ("outcome_pos", "BIGINT"), ("outcome_hash", "TEXT"),
)  # fmt: skip
STAGE = "history_stage"
# Every audit record written here names its sender so; nothing else does.
IDENTITY = "history/"
# INVARIANT: `_chain_rows` builds the same rows these copies write.
_TO_RECORDS = f"""
INSERT INTO audit_records (id, received_at, identity, sender_ori, message_key, control, reason,
    destinations, fields, outcome, er_code, http_status, detail, raw, latency_ms,
    chain_pos, chain_hash)
SELECT id, received_at, '{IDENTITY}' || sender_ori, sender_ori, message_key, NULL, message_reason,
    state, fields, 'routed', NULL, 200, NULL, NULL, latency_ms, record_pos, record_hash
FROM {STAGE} ORDER BY {{order}}
"""
_TO_OUTCOMES = f"""
INSERT INTO audit_outcomes (message_id, destination, state, decision, rule, reason,
    policy_version, status, response_key, response, latency_ms, warrant, redacted, obligations,
    flagged, reported, received_at, sender_ori, message_key, message_reason, image,
    shadow_decision, shadow_rule, shadow_version, chain_pos, chain_hash)
SELECT id, state, state, decision, rule, reason, policy_version, status, response_key, NULL,
    latency_ms, warrant, redacted, obligations, flagged, reported, received_at, sender_ori,
    message_key, message_reason, image, shadow_decision, shadow_rule, shadow_version,
    outcome_pos, outcome_hash
FROM {STAGE} ORDER BY {{order}}
"""
# Staged in time order: SQLite keeps it (rowid); PostgreSQL is told.
_ORDER = {False: "rowid", True: "received_at, id"}
# A bulk load's connection: temp tables in memory, a cache that holds the indexes' hot pages.
_SQLITE_LOAD = ("PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-200000")
_SQLITE_DONE = ("PRAGMA temp_store=DEFAULT", "PRAGMA cache_size=-2000")


class HistoryError(Exception):
    """The history cannot be written as asked (no such agencies, rows already
    there, live traffic already there)."""


@dataclass(frozen=True, slots=True)
class HistoryPlan:
    """The year ending 30 September of `year`, scaled by `scale`."""

    year: int
    scale: float
    seed: int = 0

    @property
    def start(self) -> datetime:
        return datetime(self.year - 1, 10, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime(self.year, 10, 1, tzinfo=UTC)

    def counts(self, components: Sequence[str] = tuple(FEDERAL_QUERIES)) -> dict[str, int]:
        """Queries per requester group; a component the directory lacks is
        counted with the state and local agencies."""
        total = round(ANNUAL_QUERIES * self.scale)
        federal = {c: round(n * self.scale) for c, n in FEDERAL_QUERIES.items() if c in components}
        return {**federal, LOCAL: max(total - sum(federal.values()), 0)}


@dataclass(frozen=True, slots=True)
class HistoryResult:
    records: int
    outcomes: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_s(self) -> float:
        return (self.records + self.outcomes) / self.seconds if self.seconds else 0.0


Row = tuple[Any, ...]
Request = tuple[Agency, str, str]  # requester, destination state, warrant level
IMAGE_KEYS = frozenset({"DQ", "DNQ", "KQ"})
US_PER_HOUR = 3_600_000_000


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, whole numbers summing exactly
    to `total` (largest remainder)."""
    scale = sum(weights)
    shares = [total * w / scale for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _Picker:
    """Weighted draws with the cumulative weights built once."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))

    def many(self, rng: random.Random, k: int) -> list[Any]:
        return rng.choices(self.items, cum_weights=self.cum, k=k)


class HistoryGenerator:
    """The plan's audit rows, day by day in time order, each query decided
    once per distinct (state, requester, key, reason, image, warrant)."""

    def __init__(
        self,
        plan: HistoryPlan,
        directory: Directory,
        decider: PolicyDecider,
        *,
        postgres: bool = False,
    ) -> None:
        self.plan = plan
        self.decider = decider
        self.postgres = postgres
        states = [s for s in directory.states() if s in POPULATION]
        self._states = _Picker(states, [POPULATION[s] for s in states])
        # Federal offices sit in territories too (GU, VI) whose DMVs do not answer.
        self._answering = frozenset(states)
        self._keys = _Picker(list(KEYS), list(KEYS.values()))
        self._reasons = _Picker(list(REASONS), list(REASONS.values()))
        self._warrants = {
            kind: _Picker(list(w), list(w.values()))
            for kind, w in (("immigration", IMMIGRATION_WARRANTS), ("federal", FEDERAL_WARRANTS))
        }
        self._federal: dict[str, _Picker] = {}
        for component in FEDERAL_QUERIES:
            pool = directory.filter(component=component)
            if pool:
                self._federal[component] = _Picker(pool, [_federal_weight(a, pool) for a in pool])
            elif component in REQUIRED:
                raise HistoryError(f"the directory has no {component} agency")
        self._local = self._local_picker(directory, states)
        self.counts = plan.counts(list(self._federal))
        self._decided: dict[tuple[Any, ...], Row] = {}

    @staticmethod
    def _local_picker(directory: Directory, states: list[str]) -> _Picker:
        """Every state and local agency, weighted so that each state's share
        follows its population and the state police outweighs a city."""
        agencies: list[Agency] = []
        weights: list[float] = []
        for state in states:
            pool = [
                a
                for a in directory.by_state(state)
                if a.department is None and a.type in LOCAL_TYPE_WEIGHTS
            ]
            total = sum(LOCAL_TYPE_WEIGHTS[a.type] for a in pool)
            agencies.extend(pool)
            weights.extend(POPULATION[state] * LOCAL_TYPE_WEIGHTS[a.type] / total for a in pool)
        if not agencies:
            raise HistoryError("the directory has no state or local agency to query")
        return _Picker(agencies, weights)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def evaluations(self) -> int:
        return len(self._decided)

    def days(self) -> Iterator[list[Row]]:
        """Each day's queries as rows of STAGE_COLUMNS, in time order."""
        rng = random.Random(self.plan.seed)
        first = self.plan.start.date()
        days = [first + timedelta(d) for d in range((self.plan.end - self.plan.start).days)]
        weights = [_day_weight(d) for d in days]
        per_group = {g: apportion(n, weights) for g, n in self.counts.items()}
        hours = _Picker(range(24), HOUR_WEIGHTS)
        for index, day in enumerate(days):
            requests: list[Request] = []
            for group, counts in per_group.items():
                requests.extend(self._requests(rng, group, counts[index]))
            rng.shuffle(requests)
            draw = rng.random
            times = sorted(
                h * US_PER_HOUR + int(draw() * US_PER_HOUR) for h in hours.many(rng, len(requests))
            )
            yield self._rows(rng, day, times, requests)

    def _requests(self, rng: random.Random, group: str, n: int) -> list[Request]:
        draw = rng.random
        elsewhere = self._states.many(rng, n)
        if group == LOCAL:
            return [
                (a, a.state if draw() < IN_STATE else other, "none")
                for a, other in zip(self._local.many(rng, n), elsewhere, strict=True)
            ]
        kind = "immigration" if group in REQUIRED else "federal"
        answering = self._answering
        return [
            (a, a.state if draw() < FEDERAL_OWN_STATE and a.state in answering else other, w)
            for a, other, w in zip(
                self._federal[group].many(rng, n),
                elsewhere,
                self._warrants[kind].many(rng, n),
                strict=True,
            )
        ]

    def _rows(
        self, rng: random.Random, day: date, times: list[int], requests: list[Request]
    ) -> list[Row]:
        n = len(requests)
        draw, bits = rng.random, rng.getrandbits
        decided, decide = self._decided, self._decide
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        midnight_ms = int(midnight.timestamp() * 1000)
        day_text = day.isoformat()
        postgres = self.postgres
        rows: list[Row] = []
        for (agency, state, warrant), key, reason, at_us in zip(
            requests, self._keys.many(rng, n), self._reasons.many(rng, n), times, strict=True
        ):
            image = key in IMAGE_KEYS and draw() < IMAGE_SHARE
            ori = agency.ori
            d = decided.get((state, ori, key, reason, image, warrant))
            if d is None:
                d = decide(agency, state, key, reason, image, warrant)
            at: Any
            if postgres:
                at = midnight + timedelta(microseconds=at_us)
            else:
                # SQLAlchemy's SQLite DateTime text: ORM reads and string ranges both work.
                s, us = divmod(at_us, 1_000_000)
                at = f"{day_text} {_CLOCK[s]}.{us:06d}"
            # Ids as the hub makes them: milliseconds then 80 random bits, so they sort by time.
            rows.append(
                (
                    f"{midnight_ms + at_us // 1000:012x}{bits(80):020x}", at, ori, key, reason,
                    state, _FIELDS[reason, image],
                    40.0 + draw() * 360.0 if d[0] == "permit" else 0.3,
                    warrant, int(image), *d,
                )
            )  # fmt: skip
        return rows

    def _decide(
        self, agency: Agency, state: str, key: str, reason: str, image: bool, warrant: str
    ) -> Row:
        fields = {"RSN": reason} if reason != "none" else {}
        if image:
            fields["IMQ"] = "Y"
        message = Message(key, agency.ori, (state,), fields)
        # Noon on the first day: the shipped policies test no time windows.
        at = self.plan.start + timedelta(hours=12)
        ruling = self.decider.ruling(state, Facts(agency, message, warrant, at))
        d, shadow = ruling.decision, ruling.shadow
        kinds = {o.kind for o in d.obligations}
        # In STAGE_COLUMNS order, from "decision" on.
        decided = (
            d.effect,
            d.rule,
            d.reason,
            d.version,
            "answered" if d.permitted else "rejected",
            RESPONSE_KEYS[key] if d.permitted else "ER",
            ",".join(d.redact) or None,
            json.dumps([str(o) for o in d.obligations]) if d.obligations else None,
            int("flag_for_review" in kinds),
            int("report" in kinds),
            shadow.effect if shadow else None,
            shadow.rule if shadow else None,
            shadow.version if shadow else None,
        )
        self._decided[state, agency.ori, key, reason, image, warrant] = decided
        return decided


def _federal_weight(agency: Agency, pool: Sequence[Agency]) -> float:
    # The LESC takes LESC_SHARE of ICE-ERO's queries; field offices share the rest.
    if agency.ori == LESC and len(pool) > 1:
        return LESC_SHARE * (len(pool) - 1) / (1 - LESC_SHARE)
    return 1.0


def _day_weight(day: date) -> float:
    # A little busier in summer than in winter.
    season = 1.0 + 0.06 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 105) / 365)
    return WEEKDAY_WEIGHTS[day.weekday()] * season


_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]
_FIELDS = {
    (reason, image): json.dumps(
        ({"RSN": reason} if reason != "none" else {}) | ({"IMQ": "Y"} if image else {})
    )
    for reason in REASONS
    for image in (False, True)
}


# -- writing --------------------------------------------------------------


def _stage(cursor: Any, postgres: bool) -> None:
    for pragma in () if postgres else _SQLITE_LOAD:
        cursor.execute(pragma)
    columns = ", ".join(
        f"{name} {kind if postgres else kind.replace('TIMESTAMPTZ', 'TEXT')}"
        for name, kind in STAGE_COLUMNS + CHAIN_STAGE_COLUMNS
    )
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({columns})")


def _unstage(cursor: Any, postgres: bool) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    for pragma in () if postgres else _SQLITE_DONE:
        cursor.execute(pragma)


def _chain_rows(row: Row) -> tuple[dict[str, Any], dict[str, Any]]:
    """The audit record and outcome the copies make of a staged row."""
    (
        message_id, at, ori, key, reason, state, fields, latency, warrant, image, decision,
        rule, why, version, status, response_key, redacted, obligations, flagged, reported,
        shadow_decision, shadow_rule, shadow_version,
    ) = row  # fmt: skip
    record = {
        "id": message_id, "received_at": at, "identity": IDENTITY + ori, "sender_ori": ori,
        "message_key": key, "control": None, "reason": reason, "destinations": state,
        "fields": fields, "outcome": "routed", "er_code": None, "http_status": 200,
        "detail": None, "raw": None, "latency_ms": latency,
    }  # fmt: skip
    outcome = {
        "message_id": message_id, "destination": state, "state": state, "decision": decision,
        "rule": rule, "reason": why, "policy_version": version, "status": status,
        "response_key": response_key, "response": None, "latency_ms": latency,
        "warrant": warrant, "redacted": redacted, "obligations": obligations,
        "flagged": flagged, "reported": reported, "received_at": at, "sender_ori": ori,
        "message_key": key, "message_reason": reason, "image": image,
        "shadow_decision": shadow_decision, "shadow_rule": shadow_rule,
        "shadow_version": shadow_version,
    }  # fmt: skip
    return record, outcome


def _write_batch(conn: Connection, cursor: Any, rows: list[Row], postgres: bool) -> int:
    # Each query's record, then its outcome: the chain's order within a batch.
    contents: list[bytes] = []
    for row in rows:
        record, outcome = _chain_rows(row)
        contents.append(chain.content("audit_records", record))
        contents.append(chain.content("audit_outcomes", outcome))
    names = ", ".join(name for name, _ in STAGE_COLUMNS + CHAIN_STAGE_COLUMNS)
    connection = conn.connection
    try:
        chain.begin_write(conn)
        links = chain.advance(conn, contents)
        staged = [(*row, *links[2 * i], *links[2 * i + 1]) for i, row in enumerate(rows)]
        if postgres:
            with cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
                for row in staged:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in STAGE_COLUMNS + CHAIN_STAGE_COLUMNS)
            cursor.executemany(f"INSERT INTO {STAGE} ({names}) VALUES ({marks})", staged)
        cursor.execute(_TO_RECORDS.format(order=_ORDER[postgres]))
        cursor.execute(_TO_OUTCOMES.format(order=_ORDER[postgres]))
        cursor.execute(f"DELETE FROM {STAGE}")
        connection.commit()
    except Exception:
        connection.rollback()
        raise
    return len(rows)


def write_history(
    engine: Engine,
    plan: HistoryPlan,
    directory: Directory,
    decider: PolicyDecider,
    *,
    append: bool = False,
    batch_size: int = 50_000,
    on_progress: Callable[[int], None] | None = None,
) -> HistoryResult:
    """Write the plan's history into a migrated audit database, about
    `batch_size` queries per transaction; `on_progress` hears the total so far.
    A database with live traffic is refused unless `append`."""
    if not append:
        _refuse_live(engine)
    postgres = engine.dialect.name == "postgresql"
    generator = HistoryGenerator(plan, directory, decider, postgres=postgres)
    started = time.perf_counter()
    written = 0
    # The chain is linked through a SQLAlchemy connection; the rows go
    # through its driver connection at bulk speed.
    conn = engine.connect()
    connection = conn.connection
    cursor = connection.cursor()
    try:
        _stage(cursor, postgres)
        pending: list[Row] = []
        for day in generator.days():
            if not written and not pending and day:
                _refuse_rewrite(cursor, day[0][0], postgres)
            pending.extend(day)
            if len(pending) >= batch_size:
                written += _write_batch(conn, cursor, pending, postgres)
                pending = []
                if on_progress is not None:
                    on_progress(written)
        if pending:
            written += _write_batch(conn, cursor, pending, postgres)
            if on_progress is not None:
                on_progress(written)
    finally:
        connection.rollback()
        _unstage(cursor, postgres)
        connection.commit()
        cursor.close()
        conn.close()
    seconds = time.perf_counter() - started
    return HistoryResult(written, written, seconds, dict(generator.counts))


def _refuse_rewrite(cursor: Any, first_id: str, postgres: bool) -> None:
    mark = "%s" if postgres else "?"
    cursor.execute(f"SELECT 1 FROM audit_records WHERE id = {mark}", (first_id,))
    if cursor.fetchone() is not None:
        raise HistoryError(
            "this database already holds the history for this seed; "
            "use another --seed or a fresh database"
        )


def live_records(conn: Connection) -> int:
    """Audit records of live traffic: every one not written here, less prune
    anchors (they only say where the chain starts)."""
    r = audit_records.c
    return conn.execute(
        select(func.count()).where(
            or_(r.identity.is_(None), r.identity.not_like(f"{IDENTITY}%")),
            r.outcome != ANCHOR_OUTCOME,
        )
    ).scalar_one()


def _refuse_live(engine: Engine) -> None:
    # The chain runs in the order rows are written and prune removes only its
    # start: a past year written after live traffic would sit behind newer
    # rows for good.
    with engine.connect() as conn:
        live = live_records(conn)
    if live:
        raise HistoryError(
            f"this database already holds {live:,} audit records of live traffic; history "
            "written now would follow them in the audit chain, older rows after newer ones, "
            "where prune cannot remove it: use a fresh database, or --append to write it anyway"
        )
