"""How likely a query was made for a refused federal immigration requester.

`score(refusal, query, directory)` is the whole rule of thumb, pure: the
refused original, the later query about the same person at the same state,
and the directory in, a `Suspicion` (or None) out. A hub can call it for
each message it routes; `proxies` calls it for each linked pair it reads.

Points, added up (`RULE_OF_THUMB` says the same in words):

- who asks: a 287(g)-tagged agency +4; HSI after a refused ERO query +4;
  a member of a federal task force led by an immigration component +3
  (+1 more when the refused office leads it); a police department in a
  county where such a member sits +2, or only in its region +1;
- where: the requester is in the refused office's state +1 (task forces
  and annual agreements are local);
- when: within an hour of the refusal +2, within eight hours +1;
- why: a WRT that names immigration (ICE-WARRANT, DETAINER, ...) +3 and
  counts as a relation of its own; a declared reason that is not
  immigration (RSN T, V, N, F, S, H) -2: an ordinary stop or case says why.

A query is a suspected relay when some relation ties it to immigration
(the three patterns) and its points reach `THRESHOLD`. The pattern is the
relation that ties it: 287(g) first, then HSI for ERO, then local police.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from switch.directory import TAG_287G, Directory
from switch.directory.model import Agency

PATTERN_287G = "287g-relay"
PATTERN_HSI = "hsi-for-ero"
PATTERN_LOCAL = "local-for-federal"
PATTERNS = (PATTERN_287G, PATTERN_HSI, PATTERN_LOCAL)
# The federal components whose refusals a relay gets around.
IMMIGRATION = frozenset({"ICE-ERO", "ICE-HSI", "CBP"})
DEFAULT_WINDOW = timedelta(hours=24)
# Measured on the shipped history (README): every pattern's precision and
# recall 1.0 at seed 0, scale 0.00345, from 1 to 3 points; 3 keeps a margin
# above the look-alikes (at most 0) and the background.
THRESHOLD = 3
# Words in a WRT that name immigration enforcement rather than a court.
IMMIGRATION_WORDS = ("ICE", "IMMIGRATION", "DETAINER", "ERO", "HSI", "CBP", "DHS", "DEPORT")
POINTS = {
    "287g": 4,
    "hsi-after-ero": 4,
    "task-force": 3,
    "task-force-of-refused": 1,
    "partner-county": 2,
    "partner-region": 1,
    "same-state-as-office": 1,
    "within-1h": 2,
    "within-8h": 1,
    "immigration-warrant": 3,
    "declared-reason": -2,
}
RULE_OF_THUMB = (
    "a query about a person their state refused to ICE or CBP, made within the window by an "
    "agency tied to immigration enforcement (a 287(g) agreement, HSI after ERO, a federal task "
    "force or its county) or citing an immigration warrant: points for the tie (287(g) or HSI "
    "+4, task force +3, its county +2), the speed (+2 within an hour, +1 within 8 h), an "
    "immigration WRT (+3), the same state as the refused office (+1), less 2 for a declared "
    f"non-immigration reason; flagged from {THRESHOLD} points"
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A federal immigration query the subject's state refused."""

    id: str
    at: datetime
    ori: str
    state: str
    subject: str  # switch.messages.subjects key: OLN:..., NAM+DOB:..., LIC:...


@dataclass(frozen=True, slots=True)
class Query:
    """A later query, as the audit holds it."""

    id: str
    at: datetime
    ori: str
    state: str
    key: str
    fields: Mapping[str, str]
    decision: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason to suspect, in words and as a field."""

    code: str  # a POINTS key
    points: int
    words: str
    value: str


@dataclass(frozen=True, slots=True)
class Suspicion:
    refusal: Refusal
    query: Query
    pattern: str
    score: int
    evidence: tuple[Evidence, ...] = field(default=())

    @property
    def seconds_after(self) -> float:
        return (self.query.at - self.refusal.at).total_seconds()

    def flagged(self, threshold: int = THRESHOLD) -> bool:
        return self.score >= threshold


@dataclass(frozen=True, slots=True)
class _Relations:
    """What the directory says about local agencies and immigration task forces."""

    # ORI of a member → the ORIs of the immigration-led task forces it sits on.
    members: Mapping[str, frozenset[str]]
    counties: frozenset[tuple[str, str]]  # (state, county) where a member sits
    regions: frozenset[tuple[str, str]]


@functools.lru_cache(maxsize=8)
def _relations(directory: Directory) -> _Relations:
    # Directories are built once per process and kept: worth drawing once.
    members: dict[str, frozenset[str]] = {}
    for agency in directory:
        led = frozenset(
            ori
            for ori in agency.task_forces
            if (lead := directory.get(ori)) is not None and lead.component in IMMIGRATION
        )
        if led:
            members[agency.ori] = led
    sitting = [a for ori in members if (a := directory.get(ori)) is not None]
    return _Relations(
        members,
        frozenset((a.state, a.county) for a in sitting if a.county),
        frozenset((a.state, a.region) for a in sitting if a.region),
    )


def immigration_warrant(text: str) -> bool:
    """A WRT naming immigration enforcement: ICE-WARRANT, IMMIGRATION-HOLD."""
    words = text.upper().replace("-", " ").replace("_", " ").replace("/", " ").split()
    return any(word in IMMIGRATION_WORDS for word in words)


def _point(code: str, words: str, value: str) -> Evidence:
    return Evidence(code, POINTS[code], words, value)


def _ties(
    refused: Agency | None, asker: Agency, query: Query, relations: _Relations
) -> tuple[str | None, list[Evidence]]:
    """The pattern the requester's relations point to, and the evidence."""
    found: list[Evidence] = []
    pattern: str | None = None
    if TAG_287G in asker.tags:
        found.append(_point("287g", f"{asker.ori} holds a 287(g) agreement", TAG_287G))
        pattern = PATTERN_287G
    if asker.component == "ICE-HSI" and refused is not None and refused.component == "ICE-ERO":
        found.append(_point("hsi-after-ero", "HSI asked after ERO was refused", "ICE-HSI"))
        pattern = pattern or PATTERN_HSI
    led = relations.members.get(asker.ori)
    if led:
        found.append(
            _point("task-force", "sits on " + ", ".join(sorted(led)), ",".join(sorted(led)))
        )
        if refused is not None and refused.ori in led:
            found.append(
                _point("task-force-of-refused", "the refused office leads it", refused.ori)
            )
        pattern = pattern or PATTERN_LOCAL
    elif asker.type == "PD" and asker.county and (asker.state, asker.county) in relations.counties:
        found.append(
            _point("partner-county", f"a task-force member sits in {asker.county}", asker.county)
        )
        pattern = pattern or PATTERN_LOCAL
    elif asker.type == "PD" and asker.region and (asker.state, asker.region) in relations.regions:
        found.append(
            _point("partner-region", f"a task-force member sits in {asker.region}", asker.region)
        )
        pattern = pattern or PATTERN_LOCAL
    wrt = query.fields.get("WRT", "")
    if wrt and immigration_warrant(wrt):
        found.append(_point("immigration-warrant", f"WRT/{wrt} names immigration", wrt))
        pattern = pattern or PATTERN_LOCAL
    return pattern, found


def may_relay(ori: str, fields: Mapping[str, str], directory: Directory) -> bool:
    """Whether anything ties a query by `ori` with `fields` to immigration
    enforcement, whatever was refused: False means `score` is None for every
    refusal, so a hub need not look for one (most traffic is ruled out here,
    by a few lookups, before any index is read)."""
    asker = directory.get(ori)
    if asker is None:
        return False
    if asker.component == "ICE-HSI":
        return True  # HSI after ERO: tied once the refusal is ERO's
    probe = Query("", datetime.min, ori, asker.state, "", fields)
    pattern, _ = _ties(None, asker, probe, _relations(directory))
    return pattern is not None


def score(
    refusal: Refusal,
    query: Query,
    directory: Directory,
    window: timedelta = DEFAULT_WINDOW,
) -> Suspicion | None:
    """The suspicion a later query about the refused subject earns, or None
    when nothing ties it to immigration enforcement (or it is no later query
    about the subject at that state within the window)."""
    after = query.at - refusal.at
    if query.state != refusal.state or after <= timedelta(0) or after > window:
        return None
    if query.ori == refusal.ori:
        return None  # the refused office asking again is no one's relay
    asker = directory.get(query.ori)
    if asker is None:
        return None
    refused = directory.get(refusal.ori)
    pattern, evidence = _ties(refused, asker, query, _relations(directory))
    if pattern is None:
        return None
    if refused is not None and asker.state == refused.state:
        evidence.append(
            _point("same-state-as-office", f"in {asker.state}, as the refused office", asker.state)
        )
    minutes = after.total_seconds() / 60
    if after <= timedelta(hours=1):
        evidence.append(
            _point("within-1h", f"{minutes:.0f} min after the refusal", f"{minutes:.0f}")
        )
    elif after <= timedelta(hours=8):
        evidence.append(
            _point("within-8h", f"{minutes / 60:.1f} h after the refusal", f"{minutes:.0f}")
        )
    reason = query.fields.get("RSN", "")
    if reason:
        evidence.append(_point("declared-reason", f"declared RSN/{reason}", reason))
    total = sum(e.points for e in evidence)
    return Suspicion(refusal, query, pattern, total, tuple(evidence))
