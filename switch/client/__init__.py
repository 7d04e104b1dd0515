"""A Python client for the switch's HTTP API, blocking or async.

>>> from switch.client import SwitchClient
>>> with SwitchClient("http://127.0.0.1:8000", key) as hub:  # doctest: +SKIP
...     reply = hub.send("DQ.NY0303000.WA.TXTOLN/WDL123456789")
...     [(r.destination, r.decision, r.status) for r in reply.results]
[('WA', 'permit', 'answered')]

A message the hub refuses with an ER comes back as a `Reply` with `error`
set; anything else that is not a reply (401, 403, 404, 5xx, no answer at all)
raises `SwitchClientError`. Pass `transport=` (e.g. `httpx.ASGITransport`)
to talk to an app in the same process.
"""

from switch.client._client import AsyncSwitchClient, SwitchClient
from switch.client._errors import SwitchClientError
from switch.client._models import (
    Mailbox,
    MailboxItem,
    Reply,
    Response,
    Result,
    StoredMessage,
    SwitchErrorInfo,
    Withheld,
)

__all__ = [
    "AsyncSwitchClient",
    "Mailbox",
    "MailboxItem",
    "Reply",
    "Response",
    "Result",
    "StoredMessage",
    "SwitchClient",
    "SwitchClientError",
    "SwitchErrorInfo",
    "Withheld",
]
