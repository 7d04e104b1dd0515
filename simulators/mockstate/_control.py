"""A small synchronous client for a mock state's admin API, with the
verification helpers tests want: did the state receive a query, or not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel

from simulators.mockstate._errors import AdminError
from simulators.mockstate._faults import FAULTS, Fault
from simulators.mockstate._journal import JournalEntry
from simulators.mockstate._records import RecordSet
from simulators.mockstate._service import Part

FaultLike = Fault | Mapping[str, Any]
RecordLike = Mapping[str, Any]


class MockStateControl:
    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=timeout)

    def __repr__(self) -> str:
        return f"MockStateControl({self.url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MockStateControl:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        if response.is_error:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text
            raise AdminError(response.status_code, message)
        return response.json()

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/healthz")
        return result

    # -- records ---------------------------------------------------------------

    def add_records(
        self, *, drivers: Iterable[RecordLike] = (), vehicles: Iterable[RecordLike] = ()
    ) -> dict[str, int]:
        """Add drivers and vehicles; a query that matches them gets exactly them."""
        body = {"drivers": [dict(d) for d in drivers], "vehicles": [dict(v) for v in vehicles]}
        counts: dict[str, int] = self._call("POST", "/admin/records", json=body)
        return counts

    def set_records(self, records: RecordSet) -> dict[str, int]:
        counts: dict[str, int] = self._call(
            "PUT", "/admin/records", json=records.model_dump(mode="json")
        )
        return counts

    def records(self) -> RecordSet:
        return RecordSet.model_validate(self._call("GET", "/admin/records"))

    def clear_records(self) -> None:
        self._call("DELETE", "/admin/records")

    # -- faults ----------------------------------------------------------------

    def set_faults(self, *faults: FaultLike) -> list[Fault]:
        """Replace the active faults with these (none: clear them)."""
        return FAULTS.validate_python(self._call("PUT", "/admin/faults", json=_faults(faults)))

    def add_faults(self, *faults: FaultLike) -> list[Fault]:
        return FAULTS.validate_python(self._call("POST", "/admin/faults", json=_faults(faults)))

    def clear_faults(self, name: str | None = None) -> list[Fault]:
        """Clear every fault, or those called `name`; the faults left."""
        path = "/admin/faults" if name is None else f"/admin/faults/{name}"
        return FAULTS.validate_python(self._call("DELETE", path))

    def faults(self) -> list[Fault]:
        return FAULTS.validate_python(self._call("GET", "/admin/faults"))

    # -- journal ---------------------------------------------------------------

    def journal(
        self,
        *,
        key: str | None = None,
        ori: str | None = None,
        since: datetime | None = None,
        after: int | None = None,
        outcome: str | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        params: dict[str, str | int] = {}
        if key is not None:
            params["key"] = key
        if ori is not None:
            params["ori"] = ori
        if since is not None:
            params["since"] = since.isoformat()
        if after is not None:
            params["after"] = after
        if outcome is not None:
            params["outcome"] = outcome
        if limit is not None:
            params["limit"] = limit
        entries = self._call("GET", "/admin/journal", params=params)
        return [JournalEntry.model_validate(e) for e in entries]

    def reset(self, *only: Part) -> list[str]:
        """Clear journal, faults and records, or only the parts named."""
        done: dict[str, list[str]] = self._call(
            "POST", "/admin/reset", params=[("only", p) for p in only]
        )
        return done["reset"]

    # -- verification ----------------------------------------------------------

    def received(
        self,
        *,
        key: str | None = None,
        ori: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> list[JournalEntry]:
        """Journal entries for `key` from `ori` whose fields include `fields`."""
        wanted = dict(fields or {})
        return [
            e
            for e in self.journal(key=key, ori=ori)
            if all(e.fields.get(k) == v for k, v in wanted.items())
        ]

    def assert_received(
        self,
        *,
        key: str | None = None,
        ori: str | None = None,
        fields: Mapping[str, str] | None = None,
        times: int | None = None,
    ) -> list[JournalEntry]:
        """Fail unless the state received such a query (exactly `times` times, if given)."""
        found = self.received(key=key, ori=ori, fields=fields)
        if (times is None and not found) or (times is not None and len(found) != times):
            want = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"{self.url} received {_query(key, ori, fields)} {len(found)} time(s), "
                f"expected {want}; it received:\n{self._summary()}"
            )
        return found

    def assert_not_received(
        self,
        *,
        key: str | None = None,
        ori: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        """Fail if the state received such a query: e.g. one policy denied."""
        found = self.received(key=key, ori=ori, fields=fields)
        if found:
            raise AssertionError(
                f"{self.url} received {_query(key, ori, fields)} {len(found)} time(s), "
                f"expected never:\n" + "\n".join(_line(e) for e in found)
            )

    def _summary(self) -> str:
        entries = self.journal(limit=20)
        return "\n".join(_line(e) for e in entries) or "  (nothing)"


def _faults(faults: Iterable[FaultLike]) -> list[Any]:
    return [
        f.model_dump(mode="json", exclude_none=True) if isinstance(f, BaseModel) else dict(f)
        for f in faults
    ]


def _query(key: str | None, ori: str | None, fields: Mapping[str, str] | None) -> str:
    parts = [
        key or "any query",
        f"from {ori}" if ori else "",
        f"with {dict(fields)}" if fields else "",
    ]
    return " ".join(p for p in parts if p)


def _line(entry: JournalEntry) -> str:
    fields = ".".join(f"{k}/{v}" for k, v in entry.fields.items())
    when = f"{entry.at:%H:%M:%S}"
    return f"  #{entry.seq} {when} {entry.key} from {entry.ori} {fields} -> {entry.outcome}"
