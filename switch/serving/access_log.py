"""The server's log lines hold no secret.

An access log line shows each request's URL, and a client may have put a
secret there: a key as `?key=` (refused, but already sent) or a stream
ticket as `?ticket=` (switch.access.tickets). A filter on the handlers of uvicorn's
logging rewrites the values of those parameters, and anything shaped like a
key or a ticket, to `...` before a line is written. The routes never put a
secret in the URLs they hand out but a ticket's, so this is the backstop.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import unquote_plus

import uvicorn.config

SECRET_PARAMS = frozenset({"key", "ticket"})
REDACTED = "..."
# A query parameter: its separator, name and value, as they stand in a URL.
_PARAM = re.compile(r'([?&;])([^=&;#\s"]*)=([^&;#\s"]+)')
# API keys (sw_<id>_<secret>) and tickets (st_<secret>) wherever they stand.
_SHAPED = re.compile(r"(?:sw_[0-9a-f]{12}_|st_)[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    """`text` with the values of secret query parameters and anything
    shaped like a key or ticket replaced by `...`."""

    def param(match: re.Match[str]) -> str:
        # Named as a server would read the name: `%6Bey` and `KEY` are `key`.
        if unquote_plus(match[2]).strip().lower() in SECRET_PARAMS:
            return f"{match[1]}{match[2]}={REDACTED}"
        return match[0]

    return _SHAPED.sub(REDACTED, _PARAM.sub(param, text))


class RedactSecrets(logging.Filter):
    """Redacts a record's message and arguments in place, so every handler
    after it writes the redacted line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                name: redact(a) if isinstance(a, str) else a for name, a in record.args.items()
            }
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with RedactSecrets on each of
    its handlers (the access log's and the error log's)."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"redact_secrets": {"()": RedactSecrets}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_secrets"]
    return config
