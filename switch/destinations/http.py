"""A state DMV reached over HTTP (a mock state from `switch sim state`).

The switch POSTs `{"key", "ori", "fields"}` to `{base}/v1/query` and reads
`{"key", "records": [{field: text}]}`. What the wire does maps to the
router's outcomes the way Nlets reports them:

    200 with the right response key      an answer
    503, or nothing listening            OutOfService     -> out_of_service, SM .02.
    no complete reply within `timeout`   TimeoutError     -> no_response
    any other status, a reply that is    DestinationFault -> fault, SM
    not the expected JSON, a connection
    reset or dropped mid-reply

The per-destination timeout comes from the constructor or from the URL
(`WA=http://127.0.0.1:9001?timeout=2.5` in `SWITCH_STATES`); the hub's own
wait still bounds it. One pooled client per destination keeps connections warm.

A state that speaks Nlets XML (`switch sim state WA --xml`, registered as
`WA=http://127.0.0.1:9001?form=xml`) is sent the query as an NLETS
document and answers with one (switch.messages.xmlform); an answer that is
not one, or is for another key, is a fault as a bad JSON answer is.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from switch.destinations.base import DestinationFault, OutOfService, StateAnswer
from switch.errors import MessageError
from switch.messages import parse_output_xml, to_xml
from switch.messages.model import QUERY_KEYS, RESPONSE_KEYS, Message
from switch.messages.xmlform import CONTENT_TYPE as XML_CONTENT_TYPE

# Nlets waits up to 60 s for a state; the hub's wait per request is usually shorter.
DEFAULT_TIMEOUT = 60.0
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
# How a state's HTTP service is spoken to: {key, ori, fields} JSON, or Nlets XML.
FORMS = ("json", "xml")
_XML_HEADERS = {"Content-Type": XML_CONTENT_TYPE, "Accept": XML_CONTENT_TYPE}


class HttpDestination:
    def __init__(
        self,
        state: str,
        base_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float | None = None,
        limits: httpx.Limits | None = None,
        form: str | None = None,
    ) -> None:
        """`form`: json or xml; by default the URL's `?form=`, else json."""
        base, url_timeout, url_form = url_options(base_url)
        self.form = form or url_form or "json"
        if self.form not in FORMS:
            raise ValueError(f"{state}: form must be json or xml, got {self.form!r}")
        self.state = state
        self.supports = QUERY_KEYS
        self.base_url = base
        if timeout is None:
            timeout = DEFAULT_TIMEOUT if url_timeout is None else url_timeout
        self.timeout = timeout
        if self.timeout <= 0:
            raise ValueError(f"{state}: timeout must be positive, got {self.timeout}")
        self._url = base + "/v1/query"
        self._limits = limits or DEFAULT_LIMITS
        # Made on first use, inside the event loop that will use it.
        self._client = client
        self._owns_client = client is None

    def __repr__(self) -> str:
        return (
            f"HttpDestination({self.state!r}, {self.base_url!r}, timeout={self.timeout}, "
            f"form={self.form!r})"
        )

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout), limits=self._limits
            )
        return self._client

    async def query(self, message: Message) -> StateAnswer:
        try:
            # httpx times each phase; the state gets `timeout` for the whole reply.
            async with asyncio.timeout(self.timeout):
                response = await self._post(message)
        except httpx.TimeoutException as exc:
            raise TimeoutError(f"{self.state}: no reply in {self.timeout:g} s") from exc
        except httpx.ConnectError as exc:
            # Nothing listening: the state's line is down, as far as the switch can tell.
            raise OutOfService(f"{self.state}: cannot connect") from exc
        except httpx.TransportError as exc:
            raise DestinationFault(f"connection lost ({type(exc).__name__})") from exc
        if response.status_code == 503:
            raise OutOfService(self.state)
        if response.status_code != 200:
            raise DestinationFault(f"HTTP {response.status_code}")
        if self.form == "xml":
            return read_xml_answer(response.content, message.key)
        return read_answer(response.content, message.key)

    async def _post(self, message: Message) -> httpx.Response:
        if self.form == "xml":
            # Addressed to this state, whatever the sender wrote (NL, a region).
            to_state = Message(
                message.key, message.ori, (self.state,), message.fields, message.control
            )
            content = to_xml(to_state).encode()
            return await self._http().post(self._url, content=content, headers=_XML_HEADERS)
        payload = {"key": message.key, "ori": message.ori, "fields": dict(message.fields)}
        return await self._http().post(self._url, json=payload)

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None


def read_answer(body: bytes, query_key: str) -> StateAnswer:
    """A state's JSON reply to `query_key`, or DestinationFault saying what is wrong."""
    try:
        data: Any = json.loads(body)
    except ValueError as exc:
        raise DestinationFault("malformed reply: not JSON") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("records"), list):
        raise DestinationFault("malformed reply: not {key, records}")
    key = data.get("key")
    if not isinstance(key, str) or key != RESPONSE_KEYS.get(query_key):
        raise DestinationFault(f"answered {key!r} to {query_key}")
    records: list[Mapping[str, str]] = []
    for record in data["records"]:
        if not isinstance(record, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in record.items()
        ):
            raise DestinationFault("malformed reply: a record is not {field: text}")
        records.append(dict(record))
    return StateAnswer(key=key, records=tuple(records))


def read_xml_answer(body: bytes, query_key: str) -> StateAnswer:
    """A state's Nlets XML answer to `query_key`, or DestinationFault."""
    try:
        out = parse_output_xml(body)
    except MessageError as err:
        raise DestinationFault(f"malformed reply: not Nlets XML ({err.code})") from err
    if out.key != RESPONSE_KEYS.get(query_key):
        raise DestinationFault(f"answered {out.key!r} to {query_key}")
    return StateAnswer(key=out.key, records=out.records)


def split_timeout(base_url: str) -> tuple[str, float | None]:
    """`http://h:p/x?timeout=2.5` -> (`http://h:p/x`, 2.5)."""
    base, timeout, _ = url_options(base_url)
    return base, timeout


def url_options(base_url: str) -> tuple[str, float | None, str | None]:
    """`http://h:p/x?timeout=2.5&form=xml` -> (`http://h:p/x`, 2.5, "xml")."""
    parts = urlsplit(base_url.strip())
    timeout: float | None = None
    form: str | None = None
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "form":
            if value not in FORMS:
                raise ValueError(f"{base_url}: form must be json or xml, got {value!r}")
            form = value
            continue
        if name != "timeout":
            raise ValueError(
                f"{base_url}: the only query parameters understood are ?timeout=S and ?form=xml"
            )
        try:
            timeout = float(value)
        except ValueError:
            raise ValueError(f"{base_url}: timeout must be seconds, got {value!r}") from None
    base = urlunsplit(parts._replace(query="", fragment=""))
    return base.rstrip("/"), timeout, form
