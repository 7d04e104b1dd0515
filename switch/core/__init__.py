"""The core path: a message routed by policy, answered, captured for the audit, published."""
