"""Whether a reply is what a send step expected: each difference as one line,
`WA decision: expected deny, got permit`."""

from __future__ import annotations

from simulators.scenarios._model import Expect, ResultExpect
from switch.client import Reply, Result

NOT_ON_FILE = "NOT ON FILE"
# Answers that carry records (DR, DNR, RR, RNR, KR): one with none is NOT ON FILE.
RECORD_ANSWERS = frozenset({"DR", "DNR", "RR", "RNR", "KR"})


def response_key(result: Result) -> str | None:
    response = result.response
    if response is None:
        return None
    # A DMV's refusal carries no record but is no NOT ON FILE.
    if response.key in RECORD_ANSWERS and not response.hit and result.refused_by is None:
        return NOT_ON_FILE
    return response.key


def has_notice(result: Result) -> bool:
    return any(o.startswith("notify_subject") for o in result.obligations)


def _result(dest: str, want: ResultExpect, result: Result) -> list[str]:
    got: dict[str, object] = {
        "decision": result.decision,
        "rule": result.rule,
        "status": result.status,
        "response": response_key(result),
        "notice": has_notice(result),
        "sender": result.response.sender if result.response else None,
        "refused_by": result.refused_by,
    }
    problems = []
    for name, expected in want.model_dump(exclude_none=True).items():
        if name in ("response", "sender") and isinstance(expected, str):
            expected = expected.upper()
        if got[name] != expected:
            problems.append(f"{dest} {name}: expected {expected}, got {got[name]}")
    return problems


def _matches(dest: str, result: Result) -> bool:
    return result.destination == dest or (len(dest) == 9 and result.destination == dest[:2])


def differences(expect: Expect, reply: Reply) -> list[str]:
    if reply.error is not None:
        if expect.error is not None and expect.error == reply.error.code:
            return []
        return [f"the hub refused the message: ER {reply.error.code} {reply.error.message}"]
    if expect.error is not None:
        return [f"expected ER {expect.error}, but the hub routed the message"]
    problems: list[str] = []
    for dest, want in expect.results.items():
        found = [r for r in reply.results if _matches(dest, r)]
        if not found:
            came = ", ".join(r.destination for r in reply.results) or "none"
            problems.append(f"{dest}: expected a result, got none (results from: {came})")
            continue
        problems.extend(_result(dest, want, found[0]))
    for bucket, states in (expect.summary or {}).items():
        have = (reply.summary or {}).get(bucket, ())
        missing = [s for s in states if s.upper() not in have]
        if missing:
            problems.append(
                f"summary {bucket}: expected {', '.join(missing)} in it, "
                f"got {', '.join(have) if have else 'none'}"
            )
    return problems
