"""What a py-spy raw profile (collapsed stacks) says about the hub's hot path."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

# Frames worth naming, by function (py-spy's `name (file:line)`, line dropped).
WATCHED = {
    "post_message": "route body (key lookup, body read, Hub.submit, JSON reply)",
    "Hub.submit": "Hub.submit: parse, policy, destination, reply, audit await",
    "Router.route": "router: policy decisions and the destination",
    "new_message_id": "new_message_id",
    "solve_dependencies": "FastAPI dependency solving",
    "run_in_threadpool": "sync dependencies run on the thread pool (a hop per request)",
    "GroupCommitWriter._run": "audit writer thread",
    "DefaultDialect.do_commit": "audit commit (SQLite fsync)",
    "Response.__call__": "sending the response",
    "APIRouter.app": "FastAPI routing (everything under the router)",
}


def _function(frame: str) -> str:
    return frame.split(" (", 1)[0]


def summarise(path: Path, top: int = 12) -> dict[str, Any] | None:
    if not path.exists():
        return None
    own: Counter[str] = Counter()
    within: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        frames = stack.split(";")
        total += int(samples)
        own[frames[-1].split(":", 1)[0] + ")"] += int(samples)
        for name in {_function(f) for f in frames}:
            within[name] += int(samples)
    if total == 0:
        return None
    return {
        "samples": total,
        "inclusive": {label: round(within[name] / total, 3) for name, label in WATCHED.items()},
        "top_self": [[frame, round(n / total, 3)] for frame, n in own.most_common(top)],
    }
