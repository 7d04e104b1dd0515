"""Building policies and requests in tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import yaml

from switch.directory import Directory
from switch.policy import CompiledPolicy, PolicyRequest, compile_policy, load_policy_text
from switch.policy.requests import probe_request

DIRECTORY = Directory.load()
# Wednesday 25 Nov 2026, 16:00 UTC = 08:00 in Washington.
WEDNESDAY = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def policy(rules: list[dict[str, Any]], **top: Any) -> CompiledPolicy:
    data = {"state": "WA", "title": "test", **top, "rules": rules}
    return compile_policy(load_policy_text(yaml.safe_dump(data, sort_keys=False), "WA.yaml"))


def request(ori: str = "VTICE0900", state: str = "WA", **kw: Any) -> PolicyRequest:
    kw.setdefault("at", WEDNESDAY)
    return probe_request(DIRECTORY, state=state, ori=ori, **kw)
