"""The ground truth of a history: what each planted query really was.

Nlets does not ask why a query is made, and the audit holds only what a real
switch would, so why a planted query was made is written here, beside the
database, never into it. One JSON object a line, one line per plant:

    {"pattern": "287g-relay", "original_id": "...", "query_id": "...", "state": "WA",
     "subject": "OLN:WAL012345678", "original_ori": "WAICE0100",
     "query_ori": "TX2200000", "seconds_after": 1834.2}

`pattern` is one of `profiles.PATTERNS`; `original_id` is the refused federal
immigration query's message id and `query_id` the planted one's (for a
look-alike, the innocent query; `seconds_after` may then be negative);
`subject` links them as an audit can: `OLN:<number>` or
`NAM+DOB:<LAST,FIRST>|<ccyymmdd>`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

SUFFIX = ".truth.jsonl"


def default_path(url: str | URL) -> Path:
    """Beside a SQLite database file (`<db>.truth.jsonl`); for a server
    database or one in memory, `<database name>.truth.jsonl` here."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        return Path(database + SUFFIX)
    return Path(
        (Path(database).name if database and database != ":memory:" else "history") + SUFFIX
    )


def write_truth(path: Path, entries: Iterable[dict[str, Any]], *, append: bool = False) -> int:
    """Write the entries, one JSON line each; replace the file unless
    `append`. A new file appears whole or not at all."""
    lines = [json.dumps(entry, separators=(",", ":")) + "\n" for entry in entries]
    if append and path.exists():
        with path.open("a", encoding="utf-8") as handle:
            handle.writelines(lines)
        return len(lines)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.writelines(lines)
    os.replace(partial, path)
    return len(lines)


def read_truth(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
