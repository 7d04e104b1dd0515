"""A state DMV reached over HTTP (a mock state from `switch sim state`)."""

from __future__ import annotations

import httpx

from switch.destinations.base import DestinationFault, OutOfService, StateAnswer
from switch.messages.model import QUERY_KEYS, RESPONSE_KEYS, Message


class HttpDestination:
    def __init__(self, state: str, base_url: str, *, client: httpx.AsyncClient | None = None):
        self.state = state
        self.supports = QUERY_KEYS
        self._url = base_url.rstrip("/") + "/v1/query"
        # One pooled client per destination keeps connections warm.
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(60.0))

    async def query(self, message: Message) -> StateAnswer:
        payload = {"key": message.key, "ori": message.ori, "fields": dict(message.fields)}
        try:
            response = await self._client.post(self._url, json=payload)
        except httpx.TransportError as exc:
            raise DestinationFault(f"{self.state}: {type(exc).__name__}") from exc
        if response.status_code == 503:
            raise OutOfService(self.state)
        if response.status_code != 200:
            raise DestinationFault(f"{self.state}: HTTP {response.status_code}")
        try:
            data = response.json()
            key = data["key"]
            records = tuple(
                {str(k): str(v) for k, v in record.items()} for record in data["records"]
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DestinationFault(f"{self.state}: malformed reply") from exc
        if key != RESPONSE_KEYS.get(message.key):
            raise DestinationFault(f"{self.state}: answered {key!r} to {message.key}")
        return StateAnswer(key=key, records=records)

    async def aclose(self) -> None:
        await self._client.aclose()
