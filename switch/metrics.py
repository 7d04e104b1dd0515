"""Prometheus metrics the hub exports at /metrics."""

from __future__ import annotations

import functools

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

MESSAGES = Counter(
    "switch_messages",
    "Messages received, by key and outcome (routed, accepted, rejected).",
    ["key", "outcome"],
    registry=REGISTRY,
)
OUTCOMES = Counter(
    "switch_destination_outcomes",
    "Per-destination outcomes, by state, policy effect and delivery status.",
    ["state", "effect", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "switch_message_seconds",
    "Time from receiving a message to its audited reply.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5, 10.0, 60.0),
    registry=REGISTRY,
)
SHADOW_DISAGREEMENTS = Counter(
    "switch_shadow_disagreements",
    "Decisions where a state's candidate policy disagreed with the enforced one.",
    ["state", "enforced", "candidate"],
    registry=REGISTRY,
)

REFUSALS = Counter(
    "switch_policy_refusals",
    "Queries a state's policy refused, by state and where the refusal happened "
    "(nlets, state-switch, dmv: the policy's enforced_at).",
    ["state", "refused_by"],
    registry=REGISTRY,
)

SUSPECTED_RELAYS = Counter(
    "switch_suspected_relays",
    "Queries flagged as likely made for a federal immigration requester the state refused, "
    "by state and pattern (switch.impact.proxies_score).",
    ["state", "pattern"],
    registry=REGISTRY,
)
RELAY_CHECKS_FAILED = Counter(
    "switch_relay_checks_failed",
    "Messages the relay flag could not be checked for: the index of refusals was unreadable.",
    registry=REGISTRY,
)


@functools.cache
def child(metric: Counter, *labels: str) -> Counter:
    """`metric.labels(*labels)`, looked up once: label sets are few, and
    the lookup takes a lock and builds a key on every message otherwise."""
    return metric.labels(*labels)
