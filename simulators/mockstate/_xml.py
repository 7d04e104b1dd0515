"""The mock state's query endpoint in Nlets XML (`switch sim state --xml`):
an NLETS inquiry in, the answer as an NLETS response out.

Only the form changes: the same service answers, with the same journal
and faults. A fault's reply that is not an answer (an injected error, a
malformed body) is sent as the JSON mock state sends it: the hub's XML
reader refuses it as the JSON one does.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from simulators.mockstate._journal import Answer
from simulators.mockstate._service import MockState, Reply
from switch.clock import utc_now
from switch.directory import dmv_ori
from switch.errors import MessageError
from switch.messages import Message, OutputMessage, from_xml, output_to_xml
from switch.messages.model import QUERY_KEYS
from switch.messages.xmlform import CONTENT_TYPE

QUERY_DOC = {
    "requestBody": {
        "required": True,
        "content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
    }
}
# The mock state's own output numbers, as a state's switch would keep them.
_numbers = itertools.count(1)


async def query_xml(
    request: Request,
    service: MockState,
    gone: Callable[[], Awaitable[None]],
    respond: Callable[[Reply], Response],
) -> Response:
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if not media.endswith("xml"):
        message = f"this mock state speaks Nlets XML: send {CONTENT_TYPE}, not {media or 'nothing'}"
        return JSONResponse({"error": {"message": message}}, status_code=415)
    try:
        query = from_xml(await request.body())
    except MessageError as err:
        return JSONResponse({"error": {"message": f"invalid query: {err.er_text}"}}, 422)
    if query.key not in QUERY_KEYS:
        message = f"invalid query: {query.key} is not a query key"
        return JSONResponse({"error": {"message": message}}, status_code=422)
    reply = await service.handle(query.key, query.ori, query.fields, gone)
    return respond(_as_xml(reply, query, service.state))


def _as_xml(reply: Reply, query: Message, state: str) -> Reply:
    if reply.status != 200:
        return reply
    try:
        answer = Answer.model_validate_json(reply.body)
    except ValidationError:
        return reply  # a malformed fault: sent as it is
    out = OutputMessage(
        key=answer.key,
        to=query.ori,
        sender=dmv_ori(state),
        body="",
        timestamp=utc_now(),
        output_number=next(_numbers),
        control=query.control,
        records=tuple(answer.records),
    )
    return Reply(200, output_to_xml(out).encode(), CONTENT_TYPE)
