"""The one exception hierarchy of the switch.

Every error a user can cause maps to one Nlets ER code and one HTTP status::

    SwitchError
    ├── MessageError            an ER answer; HTTP 422 unless noted
    │   ├── InvalidHeader       .01.
    │   ├── NotAllowed          .02.
    │   ├── TextNotFound        .03.
    │   │   └── MalformedXML    .03.  XML not well formed, hostile, or with no body
    │   ├── InvalidDOB          .05.
    │   ├── InvalidYear         .10.
    │   ├── FieldsMissing       .14.
    │   ├── InvalidAttention    .16.
    │   ├── InvalidDestination  .19.
    │   ├── InvalidFormat       .22.
    │   ├── SenderMismatch      .01.  HTTP 403: header ORI is not the key's ORI
    │   └── MessageTooLarge     .22.  HTTP 413
    ├── AuthError               HTTP 401: no key, or a key the switch does not know
    ├── ForbiddenError          HTTP 403: a known key asking for what it may not have
    ├── NotFoundError           HTTP 404
    ├── AuditUnavailable        HTTP 503: the audit could not commit (switch.audit.writer)
    ├── TicketsUnavailable      HTTP 503: no stream ticket issued or spent (switch.access.tickets)
    ├── ChainError              HTTP 503: the audit chain has no head (switch.audit.chain)
    ├── RegistryUnavailable     HTTP 503: the court registry could not be asked
    ├── PruneRefused            HTTP 409: a prune of the last year (switch.audit.prune)
    ├── AuditKeyError           HTTP 503: an audit key that cannot be used (switch.audit.signing)
    ├── CheckpointFileError     HTTP 503: a checkpoint file that cannot be used
    │                           (switch.audit.signed_checkpoints)
    ├── RateLimited             HTTP 429: an ORI over its rate (switch.access.ratelimit)
    ├── RequestTimeout          HTTP 408: a request not whole in time (switch.serving.connections)
    ├── ServerBusy              HTTP 503: a connection over a cap (switch.serving.connections)
    ├── AuditQueryError         HTTP 422: an audit search asked for badly (switch.audit.search)
    ├── PolicyError             HTTP 422: a policy refused whole (switch.policy.loader)
    │   └── UnknownState        HTTP 422: a policy for no jurisdiction (switch.policy.store)
    ├── NoPolicies              no policy file found: a hub refuses to start (switch.policy.store)
    ├── WarrantError            HTTP 422: a warrant the registry refuses (switch.warrants)
    ├── ReportError             HTTP 422: a report asked for badly (switch.reports)
    ├── DatabaseURLError        a database URL that opens no database (switch.db.database_url)
    ├── ReplayError             a replay that cannot run (switch.impact)
    └── DirectoryError          a directory that cannot be loaded (switch.directory)
"""

from __future__ import annotations

from typing import ClassVar

# INVARIANT: an ER quotes at most this many characters of the offending input.
QUOTE_LIMIT = 100


class SwitchError(Exception):
    """Base of every error the switch raises on purpose."""

    http_status: ClassVar[int] = 500
    code: ClassVar[str] = "ERR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MessageError(SwitchError):
    """A message the switch refuses; answered with an ER from NL0000000."""

    http_status = 422
    code = ".22."
    meaning: ClassVar[str] = "INVALID MESSAGE FORMAT"

    def __init__(self, message: str, offending: str = "") -> None:
        super().__init__(message)
        self.offending = offending[:QUOTE_LIMIT]

    @property
    def er_text(self) -> str:
        """The ER body: `.NN. MEANING`, the detail, then the quoted input."""
        lines = [f"{self.code} {self.meaning}", self.message.upper()]
        if self.offending:
            lines.append(self.offending)
        return "\n".join(lines)


class InvalidHeader(MessageError):
    code = ".01."
    meaning = "INVALID HEADER"


class NotAllowed(MessageError):
    code = ".02."
    meaning = "MESSAGE TYPE NOT ALLOWED TO DESTINATION"


class TextNotFound(MessageError):
    code = ".03."
    meaning = "TXT NOT FOUND"


class MalformedXML(TextNotFound):
    """XML the switch will not read: not well formed, too deep, with a DTD or
    entities (never expanded), or an NLETS document with no body. The Nlets
    guide gives `.03.` this longer meaning for XML."""

    meaning = "TXT NOT FOUND OR IMPROPERLY FORMED XML"


class InvalidDOB(MessageError):
    code = ".05."
    meaning = "DOB INVALID OR MISSING"


class InvalidYear(MessageError):
    """A year field (here LIY/, the plate's year) that is no year, or empty."""

    code = ".10."
    meaning = "A YEAR FIELD IS INVALID OR MISSING"


class FieldsMissing(MessageError):
    code = ".14."
    meaning = "FIELDS MISSING"


class InvalidAttention(MessageError):
    """An ATN/ (attention) field that is empty or not a name Nlets can carry."""

    code = ".16."
    meaning = "ATN FIELD INVALID"


class InvalidDestination(MessageError):
    code = ".19."
    meaning = "INVALID DESTINATION"


class InvalidFormat(MessageError):
    code = ".22."
    meaning = "INVALID MESSAGE FORMAT"


class SenderMismatch(InvalidHeader):
    http_status = 403


class MessageTooLarge(InvalidFormat):
    http_status = 413


class AuthError(SwitchError):
    http_status = 401
    code = "UNAUTHORIZED"


class ForbiddenError(SwitchError):
    http_status = 403
    code = "FORBIDDEN"


class NotFoundError(SwitchError):
    http_status = 404
    code = "NOT_FOUND"


class RegistryUnavailable(SwitchError):
    """The court registry could not be asked about a cited warrant."""

    http_status = 503
    code = "REGISTRY_UNAVAILABLE"
