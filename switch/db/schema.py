"""The audit database's tables (SQLAlchemy Core: the hot path inserts rows,
it never needs ORM identity tracking)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row per message the switch received, good or bad.
audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("identity", String(64), nullable=True),
    Column("sender_ori", String(16), nullable=True),
    Column("message_key", String(8), nullable=True),
    Column("control", String(16), nullable=True),
    Column("reason", String(8), nullable=True),
    Column("destinations", String(128), nullable=True),
    Column("fields", Text, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("er_code", String(8), nullable=True),
    Column("http_status", Integer, nullable=False),
    Column("detail", Text, nullable=True),
    Column("raw", Text, nullable=True),
    Column("latency_ms", Float, nullable=False),
    # The hash chain (switch.audit.chain): place in the database's chain and
    # SHA-256 over the previous link and this row's content.
    Column("chain_pos", BigInteger, nullable=True),
    Column("chain_hash", String(64), nullable=True),
    # An admin act (switch.audit.acts): kind `admin`, the act, what it was
    # done to and the state it is about (None: the whole switch). NULL on
    # messages and refused requests.
    Column("kind", String(8), nullable=True),
    Column("act", String(32), nullable=True),
    Column("target", String(128), nullable=True),
    Column("state", String(4), nullable=True),
    # The ORI a message's header claimed, when it is not the key's (a
    # spoofing attempt is filed under the key's ORI, never the victim's).
    Column("claimed_ori", String(16), nullable=True),
    # A refused request's client address, and how many requests an
    # aggregated refusal record stands for (switch.audit.refusal_windows).
    Column("client", String(64), nullable=True),
    Column("count", Integer, nullable=True),
    # The form a message arrived in: text, json or xml (switch.messages).
    # NULL on rows from before it was kept, on acts and on requests refused
    # before any body was read. Hashed in the chain like any later column,
    # only when not NULL, so older rows keep their hashes.
    Column("form", String(8), nullable=True),
)
Index("ix_audit_records_sender", audit_records.c.sender_ori, audit_records.c.seq)
# Admin acts are few among millions of messages: only they are indexed.
Index(
    "ix_audit_records_admin",
    audit_records.c.kind,
    audit_records.c.seq,
    sqlite_where=audit_records.c.kind.is_not(None),
    postgresql_where=audit_records.c.kind.is_not(None),
)
Index("ix_audit_records_chain", audit_records.c.chain_pos, unique=True)

# One row per destination of a routed message.
audit_outcomes = Table(
    "audit_outcomes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(32), nullable=False, index=True),
    Column("destination", String(16), nullable=False),
    Column("state", String(4), nullable=True),
    Column("decision", String(8), nullable=False),
    Column("rule", String(128), nullable=True),
    Column("reason", Text, nullable=True),
    Column("policy_version", String(80), nullable=False),
    Column("status", String(16), nullable=False),
    Column("response_key", String(8), nullable=True),
    Column("response", Text, nullable=True),
    Column("latency_ms", Float, nullable=False),
    # What the policy saw and imposed, so a decision can be explained later.
    Column("warrant", String(16), nullable=True),
    Column("redacted", String(128), nullable=True),
    Column("obligations", Text, nullable=True),
    Column("flagged", Integer, nullable=False, default=0),
    Column("reported", Integer, nullable=False, default=0),
    # The request as a policy saw it, kept on the outcome itself so replay
    # and reports read one table at bulk speed instead of joining per row.
    Column("received_at", DateTime(timezone=True), nullable=True),
    Column("sender_ori", String(16), nullable=True),
    Column("message_key", String(8), nullable=True),
    Column("message_reason", String(8), nullable=True),
    Column("image", Integer, nullable=False, default=0),
    # Shadow mode: what the state's candidate policy would have decided.
    Column("shadow_decision", String(8), nullable=True),
    Column("shadow_rule", String(128), nullable=True),
    Column("shadow_version", String(80), nullable=True),
    # A likely relay of a refused federal immigration query:
    # "<pattern> <refused message id>" (switch.core.relays), else NULL.
    Column("relay", String(64), nullable=True),
    # Who refused the query on its state's policy: nlets | state-switch |
    # dmv, else NULL. Older rows are NULL, and a deny among them was refused
    # by Nlets (the only place a block could happen before migration 0016).
    # Chained like `relay`: hashed as [name, value] when not NULL, so who
    # refused cannot be rewritten, and the older rows keep their hashes.
    Column("refused_by", String(16), nullable=True),
    Column("chain_pos", BigInteger, nullable=True),
    Column("chain_hash", String(64), nullable=True),
)
Index("ix_audit_outcomes_state", audit_outcomes.c.state, audit_outcomes.c.seq)
Index("ix_audit_outcomes_state_received", audit_outcomes.c.state, audit_outcomes.c.received_at)
Index("ix_audit_outcomes_chain", audit_outcomes.c.chain_pos, unique=True)

# One row (id 1): the chain's last link, and where it starts: position 1 after
# GENESIS, or the first position a prune kept and the hash before it.
audit_chain_head = Table(
    "audit_chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("pos", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("start_pos", BigInteger, nullable=False),
    Column("start_hash", String(64), nullable=False),
)

# Items waiting for an ORI: AMs sent to it and outcomes of its wait=0 messages.
mailbox = Table(
    "mailbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("ori", String(16), nullable=False),
    Column("message_id", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("key", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("acked_at", DateTime(timezone=True), nullable=True),
)
Index("ix_mailbox_ori", mailbox.c.ori, mailbox.c.seq)

# API keys, stored as SHA-256 of the secret: the secret is shown once.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("ori", String(16), nullable=True),
    Column("admin_scope", String(8), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# The simulated court registry: judicial warrants, court orders and subpoenas
# (signed by a judge) and administrative warrants (ICE I-200/I-205, signed by
# an officer).
warrants = Table(
    "warrants",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),  # judicial | administrative
    Column("form", String(32), nullable=False),  # warrant, court-order, subpoena, I-200, I-205
    Column("issued_to", String(16), nullable=False),
    Column("issued_by", String(128), nullable=False),
    Column("subject_oln", String(32), nullable=True),
    Column("subject_name", String(64), nullable=True),
    Column("subject_dob", String(8), nullable=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Notices owed to people whose records were released under a notify_subject
# obligation.
notices = Table(
    "notices",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(32), nullable=False),
    Column("state", String(4), nullable=False),
    Column("rule", String(128), nullable=True),
    Column("requester_ori", String(16), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("due_date", String(10), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)
Index("ix_notices_state", notices.c.state, notices.c.seq)

# Queries kept for a state that is out of service, forwarded in order when it
# returns. INVARIANT: a row leaves `queued` in the same transaction that
# writes its outcome and mailbox item, so a restart neither loses nor doubles.
forward_queue = Table(
    "forward_queue",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(32), nullable=False),
    Column("destination", String(16), nullable=False),
    Column("state", String(4), nullable=False),
    Column("sender_ori", String(16), nullable=False),
    Column("message_key", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # queued | forwarded | rejected | given_up
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
)
Index("ix_forward_queue_status", forward_queue.c.status, forward_queue.c.state, forward_queue.c.seq)

# States an admin marked out of service, per message key.
service_status = Table(
    "service_status",
    metadata,
    Column("state", String(4), primary_key=True),
    Column("message_key", String(8), primary_key=True),
    Column("since", DateTime(timezone=True), nullable=False),
    # 1: out of service, queries kept (.02.); 0: remove status, not kept (.04.)
    Column("forward", Integer, nullable=False, default=1),
)

# Policy versions put in force through the API, in the order they were made:
# every hub on this database polls for rows it has not seen and installs
# them, so a change made through one hub is in force on all of them.
policy_changes = Table(
    "policy_changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("state", String(4), nullable=False),
    Column("candidate", Integer, nullable=False, default=0),  # 1: a shadow-mode candidate
    Column("text", Text, nullable=False),
    Column("version", String(80), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changed_by", String(16), nullable=True),  # the admin key's id
    # Versions (migration 0011, switch/policy/versions.py): the version in
    # force this one replaced or shadows, who made it (`key:<id> (<scope>)`,
    # `file:<path in the folder>`, `cli:<login>`), why, and how.
    Column("parent", String(80), nullable=True),
    Column("author", String(160), nullable=True),
    Column("comment", Text, nullable=True),
    Column("origin", String(16), nullable=False, default="put"),  # file|put|rollback|promote
    # Filled by a promotion: the replay's summary (JSON) and the approving key.
    Column("evidence", Text, nullable=True),
    Column("approved_by", String(160), nullable=True),
)
Index(
    "ix_policy_changes_state",
    policy_changes.c.state,
    policy_changes.c.candidate,
    policy_changes.c.seq,
)
Index("ix_policy_changes_version", policy_changes.c.state, policy_changes.c.version)

# Promotion (migration 0012, switch/policy/promotion.py): a replay of a
# state's recorded traffic against one candidate hash, with its window and
# summary (JSON); an admin's approval of one candidate row; a state's
# setting that a promotion needs a second admin's approval.
policy_replays = Table(
    "policy_replays",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("state", String(4), nullable=False),
    Column("version", String(80), nullable=False),
    Column("since", DateTime(timezone=True), nullable=True),  # None: all recorded traffic
    Column("until", DateTime(timezone=True), nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("author", String(160), nullable=False),
    Column("summary", Text, nullable=False),
    Column("act_id", String(40), nullable=False),
)
Index("ix_policy_replays_version", policy_replays.c.state, policy_replays.c.version)
policy_approvals = Table(
    "policy_approvals",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("state", String(4), nullable=False),
    Column("change_seq", Integer, nullable=False),  # the candidate row approved
    Column("version", String(80), nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Column("approved_by", String(160), nullable=False),
)
Index("ix_policy_approvals_change", policy_approvals.c.state, policy_approvals.c.change_seq)
policy_settings = Table(
    "policy_settings",
    metadata,
    Column("state", String(4), primary_key=True),
    Column("require_approval", Integer, nullable=False, default=0),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changed_by", String(160), nullable=False),
)

# Hubs sharing this database, and when each was last seen: work held by a
# hub not seen for a few seconds is taken over (switch/forwarding/instances.py).
hub_instances = Table(
    "hub_instances",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("host", String(128), nullable=True),
)

# Which hub works each state's forward queue: one at a time, so several hubs
# never send a state the same kept query, and its order holds.
forward_leases = Table(
    "forward_leases",
    metadata,
    Column("state", String(4), primary_key=True),
    Column("holder", String(32), nullable=False),
)

# wait=0 messages accepted (202) and not yet routed, with the hub routing
# them; the row goes in the commit that delivers the outcomes. A hub that
# dies leaves its rows behind for another (or its restart) to route.
pending_deliveries = Table(
    "pending_deliveries",
    metadata,
    Column("message_id", String(32), primary_key=True),
    Column("holder", String(32), nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
)

# Stream tickets (switch/access/tickets.py): each opens one live stream, once, for a
# minute, in place of the key a browser's EventSource would put in the URL.
# In the database, so a ticket one hub issued opens a stream on any other.
stream_tickets = Table(
    "stream_tickets",
    metadata,
    Column("ticket_hash", String(64), primary_key=True),
    Column("key_hash", String(64), nullable=False),
    Column("stream", String(16), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("ix_stream_tickets_key", stream_tickets.c.key_hash)

# Recent refusals (switch/recent_refusals): one row per subject key of each
# query a state's policy refused to a federal requester, written in the
# commit that audits the refusal and read before a later query is decided.
# In the database, so a refusal through one hub closes the door on every
# hub; bounded by time and by count (the oldest rows go first).
recent_refusals = Table(
    "recent_refusals",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(160), nullable=False),
    Column("state", String(4), nullable=False),
    Column("refused_at", DateTime(timezone=True), nullable=False),
    Column("message_id", String(32), nullable=False),
    Column("requester_ori", String(16), nullable=False),
    Column("component", String(16), nullable=False),
)
Index("ix_recent_refusals_subject", recent_refusals.c.subject, recent_refusals.c.refused_at)
Index("ix_recent_refusals_at", recent_refusals.c.refused_at)

# The live flow between hubs sharing a PostgreSQL database
# (switch/app/shared_flow.py): a hub writes its events here while a watcher
# is on another hub, and NOTIFYs their ids; rows live about a minute.
hub_events = Table(
    "hub_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),
)
Index("ix_hub_events_at", hub_events.c.at)
