"""Per-ORI rate limits: a token bucket for each sending ORI, its rate and
burst chosen by the agency's class.

`SWITCH_RATE_LIMITS` is a comma-separated list of `CLASS=RATE/BURST`:

- CLASS is a federal component (`ICE-ERO`, `CBP`, `FBI`, ...), an ORION
  agency type (`PD`, `SO`, `SA`, `LE`, `FE`, `CJ`, `NJ`) or `default`;
  an agency takes its component's entry, else its type's, else `default`.
- RATE is messages per second (a decimal), BURST how many may come at once
  (a whole number, at least 1; `CLASS=RATE` alone means a burst of RATE,
  rounded up). `CLASS=0` lifts the limit for that class.
- `0` or `off` alone turns rate limiting off.

Example: `default=100/200,FE=50/100,ICE-ERO=10/20,NJ=0`.

A message costs one token for each destination it reaches: a DQ to `WA,OR`
two, an NL query one for every state that answers its key (52 built in), so
a fan-out buys no more state queries than single ones would. The first
token is taken before the body is read, the rest once the hub knows where
the message goes (`Admission.cover`); a sender whose bucket cannot cover
them is refused with the same SM and 429. A message reaching more states
than the burst may go from a full bucket, which it leaves in debt.

The buckets live in the memory of one hub process: replicas behind a load
balancer each enforce their own, so an ORI may send up to N times the rate
to N replicas.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from switch.directory import Directory
from switch.errors import SwitchError
from switch.messages.model import SWITCH_ORI, OutputMessage
from switch.rate_limits import DEFAULT_CLASS, Limit, RateLimits

_SLACK = 1e-9


class RateLimited(SwitchError):
    """An ORI over its rate: HTTP 429, answered with an SM."""

    http_status = 429
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: float, status: OutputMessage) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


def check_classes(limits: RateLimits, directory: Directory) -> None:
    """Refuse a class no agency in the directory belongs to (a typo would
    otherwise leave its agencies on the default without a word)."""
    known = set(directory.components()) | {agency.type for agency in directory}
    unknown = sorted(name for name in limits if name != DEFAULT_CLASS and name not in known)
    if unknown:
        raise ValueError(
            f"rate limits name {', '.join(unknown)}: no agency in the directory has that "
            "type or component"
        )


class TokenBucket:
    """Holds up to `burst` tokens, refilled at `rate` a second; a message
    takes one for each destination it reaches, `cost`. One that costs more
    than the burst may go from a full bucket, which it leaves in debt.
    INVARIANT: over any window of t seconds the messages admitted cost at
    most burst + rate * t, plus the most one of them costs past the burst."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, limit: Limit, now: float) -> None:
        self.rate = limit.rate
        self.burst = float(limit.burst)
        self.tokens = self.burst
        self.stamp = now

    def take(self, now: float, cost: int = 1, *, paid: int = 0) -> float:
        """0.0 when a message of `cost` may go now (`paid` of it taken
        already), else the seconds until it may."""
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        needed = min(float(cost), self.burst) - paid
        # The slack forgives float rounding: a sender at exactly the rate
        # refills 0.999... of a token and must not be refused for it.
        if self.tokens >= needed - _SLACK:
            self.tokens -= cost - paid
            return 0.0
        # What was paid is kept: the retry pays it again before the rest.
        return (needed + paid - self.tokens) / self.rate


class RateLimiter:
    """One bucket per sending ORI, made on its first message."""

    def __init__(
        self,
        limits: RateLimits,
        directory: Directory,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_classes(limits, directory)
        self.limits = limits
        self._directory = directory
        self._clock = clock
        # INVARIANT: at most one bucket per ORI that holds a key, so memory
        # is bounded by the keys issued, not by what senders send.
        self._buckets: dict[str, TokenBucket | None] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return any(limit is not None for limit in self.limits.values())

    def limit_for(self, ori: str) -> Limit | None:
        agency = self._directory.get(ori)
        for name in (agency.component, agency.type) if agency is not None else ():
            if name is not None and name in self.limits:
                return self.limits[name]
        return self.limits.get(DEFAULT_CLASS)

    def take(self, ori: str, cost: int = 1, *, paid: int = 0) -> float:
        """0.0 when `ori` may send a message of `cost` now, else the seconds
        until it may (TokenBucket.take)."""
        now = self._clock()
        with self._lock:
            try:
                bucket = self._buckets[ori]
            except KeyError:
                limit = self.limit_for(ori)
                bucket = self._buckets[ori] = TokenBucket(limit, now) if limit else None
            return bucket.take(now, cost, paid=paid) if bucket is not None else 0.0

    def refusal(
        self, ori: str, wait: float, numbers: Callable[[], int], *, reach: int = 1
    ) -> RateLimited:
        """The 429 for `ori`, with its SM; `numbers` draws the switch's
        message numbers."""
        limit = self.limit_for(ori)
        status = limited_status(
            ori, limit, wait, datetime.now(UTC), numbers(), numbers(), reach=reach
        )
        why = f"{ori} is over its rate limit ({limit})"
        if reach > 1:
            why += f": the message reaches {reach} destinations, a token each"
        return RateLimited(why, wait, status)


@dataclass(frozen=True, slots=True)
class Admission:
    """A message let in on the one token taken before its body was read;
    `cover` takes the rest once the hub knows how far it reaches."""

    limiter: RateLimiter
    ori: str

    def cover(self, reach: int, numbers: Callable[[], int]) -> None:
        """A token for each destination past the first, or RateLimited."""
        if reach <= 1:
            return
        wait = self.limiter.take(self.ori, reach, paid=1)
        if wait > 0:
            raise self.limiter.refusal(self.ori, wait, numbers, reach=reach)


def limited_status(
    ori: str,
    limit: Limit | None,
    retry_after: float,
    at: datetime,
    input_number: int,
    output_number: int,
    *,
    reach: int = 1,
) -> OutputMessage:
    """The SM an ORI over its rate receives from the switch."""
    seconds = max(1, math.ceil(retry_after))
    unit = "SECOND" if seconds == 1 else "SECONDS"
    lines = [
        "RATE LIMIT EXCEEDED",
        f"{ori} MAY SEND {limit.rate:g} MESSAGES A SECOND, {limit.burst} AT ONCE"
        if limit is not None
        else f"{ori} IS OVER ITS RATE",
    ]
    if reach > 1:
        lines.append(f"THIS MESSAGE REACHES {reach} DESTINATIONS AND COUNTS AS {reach}")
    lines.append(f"RETRY AFTER {seconds} {unit}")
    return OutputMessage(
        key="SM",
        to=ori,
        sender=SWITCH_ORI,
        body="\n".join(lines),
        timestamp=at,
        input_number=input_number,
        output_number=output_number,
    )
