"""The one exception the client raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from switch.client._models import SwitchErrorInfo


class SwitchClientError(Exception):
    """The hub did not answer the call as a message reply.

    `status_code` is the HTTP status (401 bad key, 403, 404, 5xx ...), or None
    when no HTTP answer came at all: connection refused, timeout, a reset.
    `error` is the hub's `{"error": ...}` when it sent one; `body` the JSON.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error: SwitchErrorInfo | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error = error
        self.body = body
