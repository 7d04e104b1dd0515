"""`SwitchClient` (blocking) and `AsyncSwitchClient`: one agency key, the
switch's HTTP API as methods, typed replies.

What raises and what does not: a message the hub refuses with an ER (a
`.NN.` code: HTTP 422, 413, or 403 for a header ORI that is not the key's)
is an answer like any other, a `Reply` with `error` set. Everything else
that is not 2xx raises `SwitchClientError`: 401 (no or unknown key), 403
(e.g. an admin key sending), 404, 5xx (503: the audit could not commit), a
body that is neither JSON nor the switch's XML reply, and transport
failures and timeouts (status None).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Self

import httpx

from switch.client._errors import SwitchClientError
from switch.client._models import Mailbox, Reply, StoredMessage, SwitchErrorInfo
from switch.errors import MessageError
from switch.messages import Message, parse, to_xml
from switch.messages.xmlform import CONTENT_TYPE as XML_CONTENT_TYPE
from switch.messages.xmlreply import reply_from_xml

# Nlets waits up to 60 s for a multi-state query; a reply may take that long.
DEFAULT_TIMEOUT = 70.0
USER_AGENT = "switch-client/0.1"


def _headers(key: str) -> dict[str, str]:
    # No key (""): only /healthz answers, which is all such a client is for.
    if not key:
        return {"User-Agent": USER_AGENT}
    return {"Authorization": f"Bearer {key}", "User-Agent": USER_AGENT}


def _params(wait: float | None) -> dict[str, float]:
    return {} if wait is None else {"wait": wait}


def _text_post(agency_key: str, text: str, wait: float | None) -> dict[str, Any]:
    return {
        "content": text.encode(),
        "params": _params(wait),
        "headers": {**_headers(agency_key), "Content-Type": "text/plain"},
    }


def _json_post(
    agency_key: str,
    message_key: str,
    dest: str | Sequence[str],
    fields: Mapping[str, str],
    control: str | None,
    wait: float | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": message_key,
        "dest": [dest] if isinstance(dest, str) else list(dest),
        "fields": dict(fields),
    }
    if control is not None:
        body["control"] = control
    return {
        "content": json.dumps(body).encode(),
        "params": _params(wait),
        "headers": {**_headers(agency_key), "Content-Type": "application/json"},
    }


def _xml_post(agency_key: str, message: str | Message, wait: float | None) -> dict[str, Any]:
    """The POST of `message`: a Message, legacy text, or an XML document as given."""
    if isinstance(message, Message):
        document = to_xml(message)
    elif message.lstrip().startswith("<"):
        document = message
    else:
        try:
            document = to_xml(parse(message))
        except MessageError as err:
            raise SwitchClientError(f"cannot write it as XML: {err.er_text}") from err
    return {
        "content": document.encode(),
        "params": _params(wait),
        "headers": {**_headers(agency_key), "Content-Type": XML_CONTENT_TYPE},
    }


def _body(response: httpx.Response) -> dict[str, Any]:
    if "xml" in response.headers.get("content-type", ""):
        try:
            return reply_from_xml(response.content)
        except MessageError as err:
            raise SwitchClientError(
                f"the hub answered HTTP {response.status_code} with XML that is not a reply: "
                f"{err.message}",
                status_code=response.status_code,
            ) from err
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SwitchClientError(
            f"the hub answered HTTP {response.status_code} without a JSON object",
            status_code=response.status_code,
        )
    return body


def _failure(response: httpx.Response, body: dict[str, Any]) -> SwitchClientError:
    error = SwitchErrorInfo.from_json(body)
    detail = f"{error.code} {error.message}" if error else "no error detail"
    return SwitchClientError(
        f"HTTP {response.status_code} from {response.request.url.path}: {detail}",
        status_code=response.status_code,
        error=error,
        body=body,
    )


def _reply(response: httpx.Response) -> Reply:
    body = _body(response)
    if response.is_success:
        return Reply.from_json(response.status_code, body)
    error = SwitchErrorInfo.from_json(body)
    if error is not None and error.is_er:
        return Reply.from_json(response.status_code, body)
    raise _failure(response, body)


def _checked(response: httpx.Response) -> dict[str, Any]:
    body = _body(response)
    if not response.is_success:
        raise _failure(response, body)
    return body


def _spare_failed_sniffio_imports() -> None:
    # httpcore imports sniffio on every async request to learn which event
    # loop runs it. Where sniffio is not installed each attempt is a failed
    # import that searches sys.path again (~0.25 ms, a dozen per request); a
    # None entry makes it fail at once, with the same answer: asyncio.
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def _transport_error(exc: httpx.HTTPError) -> SwitchClientError:
    return SwitchClientError(f"no answer from the hub: {type(exc).__name__}: {exc}")


class SwitchClient:
    """A blocking client for one agency key.

    >>> with SwitchClient("http://127.0.0.1:8000", key) as hub:  # doctest: +SKIP
    ...     reply = hub.send("DQ.NY0303000.WA.TXTOLN/WDL123456789")
    """

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.key = key
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)
        self._owns_http = True

    def with_key(self, key: str) -> SwitchClient:
        """Another agency's client on the same connections; closing it closes
        nothing, closing this one closes both."""
        other = object.__new__(SwitchClient)
        other.key = key
        other._http = self._http
        other._owns_http = False
        return other

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("headers", _headers(self.key))
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise _transport_error(exc) from exc

    def send(self, text: str, *, wait: float | None = None) -> Reply:
        """Send a message in the legacy text form; its header ORI must be the key's."""
        return _reply(self._request("POST", "/v1/messages", **_text_post(self.key, text, wait)))

    def send_json(
        self,
        key: str,
        dest: str | Sequence[str],
        fields: Mapping[str, str],
        control: str | None = None,
        *,
        wait: float | None = None,
    ) -> Reply:
        """Send a message in the JSON form; the sender is the key's ORI."""
        post = _json_post(self.key, key, dest, fields, control, wait)
        return _reply(self._request("POST", "/v1/messages", **post))

    def send_xml(self, message: str | Message, *, wait: float | None = None) -> Reply:
        """Send a message in Nlets XML 4.00: an XML document as given, or a
        `Message` or legacy text written as XML. The hub answers in XML,
        read into the same `Reply` as the other forms'."""
        post = _xml_post(self.key, message, wait)
        return _reply(self._request("POST", "/v1/messages", **post))

    def get_message(self, message_id: str) -> StoredMessage:
        return StoredMessage.from_json(_checked(self._request("GET", f"/v1/messages/{message_id}")))

    def mailbox(self, *, limit: int = 100) -> Mailbox:
        return Mailbox.from_json(
            _checked(self._request("GET", "/v1/mailbox", params={"limit": limit}))
        )

    def health(self) -> dict[str, Any]:
        """`GET /healthz` (needs no key): status, and `warm` once the DMVs are indexed."""
        return _checked(self._request("GET", "/healthz"))


class AsyncSwitchClient:
    """The same calls as `SwitchClient`, awaited."""

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        _spare_failed_sniffio_imports()
        self.key = key
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            limits=limits or httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )
        self._owns_http = True

    def with_key(self, key: str) -> AsyncSwitchClient:
        """Another agency's client on the same connection pool; closing it
        closes nothing, closing this one closes both."""
        other = object.__new__(AsyncSwitchClient)
        other.key = key
        other._http = self._http
        other._owns_http = False
        return other

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("headers", _headers(self.key))
        try:
            return await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise _transport_error(exc) from exc

    async def send(self, text: str, *, wait: float | None = None) -> Reply:
        post = _text_post(self.key, text, wait)
        return _reply(await self._request("POST", "/v1/messages", **post))

    async def send_json(
        self,
        key: str,
        dest: str | Sequence[str],
        fields: Mapping[str, str],
        control: str | None = None,
        *,
        wait: float | None = None,
    ) -> Reply:
        post = _json_post(self.key, key, dest, fields, control, wait)
        return _reply(await self._request("POST", "/v1/messages", **post))

    async def send_xml(self, message: str | Message, *, wait: float | None = None) -> Reply:
        post = _xml_post(self.key, message, wait)
        return _reply(await self._request("POST", "/v1/messages", **post))

    async def get_message(self, message_id: str) -> StoredMessage:
        response = await self._request("GET", f"/v1/messages/{message_id}")
        return StoredMessage.from_json(_checked(response))

    async def mailbox(self, *, limit: int = 100) -> Mailbox:
        response = await self._request("GET", "/v1/mailbox", params={"limit": limit})
        return Mailbox.from_json(_checked(response))

    async def health(self) -> dict[str, Any]:
        return _checked(await self._request("GET", "/healthz"))
